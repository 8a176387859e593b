/** How figures are shown: decimals as the API sends them (exact), signs coloured, times local. */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function signed(value: string | undefined): string {
  if (value === undefined) return '<span class="muted">–</span>';
  const cls = value.startsWith('-') ? 'neg' : Number(value) > 0 ? 'pos' : '';
  return `<span class="${cls}">${escape(value)}</span>`;
}

export function badge(text: string): string {
  return `<span class="badge ${escape(text)}">${escape(text)}</span>`;
}

export function time(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { hour12: false });
}

export function ago(ms: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  return seconds < 120 ? `${seconds}s ago` : `${Math.round(seconds / 60)}m ago`;
}

export function table(
  headers: readonly string[],
  rows: readonly string[][],
  numeric: readonly number[] = [],
  rowAttributes: readonly string[] = [],
): string {
  const head = headers
    .map((title, i) => `<th class="${numeric.includes(i) ? 'num' : ''}">${escape(title)}</th>`)
    .join('');
  const body = rows
    .map(
      (cells, r) =>
        `<tr ${rowAttributes[r] ?? ''}>${cells.map((cell, i) => `<td class="${numeric.includes(i) ? 'num' : ''}">${cell}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body || `<tr><td colspan="${headers.length}" class="muted">nothing yet</td></tr>`}</tbody></table>`;
}
