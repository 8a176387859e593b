/**
 * A self-contained HTML page charting a backtest: price and equity over time as inline SVG, with
 * the report beside them. No script, no CDN: it opens offline and is safe to mail around.
 *
 * A long run is thinned as it goes (at most `maxPoints` kept: the stride doubles each time the
 * buffer fills), so memory stays bounded; the chart is deterministic for the same run.
 * Coordinates are binary floats: they place pixels, they never count money.
 */
import type { EquityPoint } from './backtest-ledger.js';
import type { BacktestReport } from './backtest-report.js';

interface Sample {
  readonly time: number;
  readonly price: number;
  readonly equity: number;
}

const WIDTH = 960;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 90, right: 20, top: 24, bottom: 28 };

export class EquityChart {
  readonly #maxPoints: number;
  #samples: Sample[] = [];
  #stride = 1;
  #seen = 0;
  #last: Sample | undefined;

  constructor(maxPoints = 2000) {
    this.#maxPoints = Math.max(2, maxPoints);
  }

  record(point: EquityPoint): void {
    const sample = { time: point.time, price: point.price.toNumber(), equity: point.equity.toNumber() };
    this.#last = sample;
    if (this.#seen % this.#stride === 0) this.#samples.push(sample);
    this.#seen += 1;
    if (this.#samples.length >= this.#maxPoints) {
      this.#samples = this.#samples.filter((_, index) => index % 2 === 0);
      this.#stride *= 2;
    }
  }

  /** Samples the chart will draw (the last tick always included). */
  samples(): readonly Sample[] {
    const last = this.#last;
    return last === undefined || this.#samples.at(-1) === last ? this.#samples : [...this.#samples, last];
  }

  render(report: BacktestReport): string {
    const samples = this.samples();
    const title = `Backtest ${report.exchange}:${report.symbol} (seed ${report.seed})`;
    const rows = Object.entries(report)
      .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(String(value ?? ''))}</td></tr>`)
      .join('');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin-top:16px}th,td{padding:2px 12px;text-align:left;border-bottom:1px solid #ddd}th{font-weight:600}svg text{font:11px system-ui,sans-serif;fill:#555}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
${panel('Price', samples, (sample) => sample.price, '#1f77b4')}
${panel('Equity (realized gross + unrealized − fees)', samples, (sample) => sample.equity, '#2ca02c')}
<table>${rows}</table>
</body></html>
`;
  }
}

function panel(label: string, samples: readonly Sample[], value: (sample: Sample) => number, colour: string): string {
  const height = PANEL_HEIGHT + MARGIN.top + MARGIN.bottom;
  if (samples.length === 0)
    return `<svg width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(label)}"><text x="10" y="16">${escapeHtml(label)}: no data</text></svg>`;
  const values = samples.map(value);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low || 1;
  const first = samples[0] as Sample;
  const duration = (samples.at(-1) as Sample).time - first.time || 1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const x = (time: number) => MARGIN.left + ((time - first.time) / duration) * plotWidth;
  const y = (v: number) => MARGIN.top + PANEL_HEIGHT - ((v - low) / span) * PANEL_HEIGHT;
  const path = samples
    .map((sample, index) => `${index === 0 ? 'M' : 'L'}${x(sample.time).toFixed(1)},${y(value(sample)).toFixed(1)}`)
    .join('');
  const zero =
    low < 0 && high > 0
      ? `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#bbb" stroke-dasharray="4 3"/>`
      : '';
  return `<svg width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(label)}">
<text x="${MARGIN.left}" y="14">${escapeHtml(label)}</text>
<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#ddd"/>
<text x="4" y="${MARGIN.top + 10}">${formatAxis(high)}</text><text x="4" y="${MARGIN.top + PANEL_HEIGHT}">${formatAxis(low)}</text>
<text x="${MARGIN.left}" y="${height - 8}">${new Date(first.time).toISOString()}</text>
<text x="${WIDTH - MARGIN.right}" y="${height - 8}" text-anchor="end">${new Date((samples.at(-1) as Sample).time).toISOString()}</text>
${zero}<path d="${path}" fill="none" stroke="${colour}" stroke-width="1.5"/>
</svg>`;
}

function formatAxis(value: number): string {
  return Number(value.toPrecision(8)).toString();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
