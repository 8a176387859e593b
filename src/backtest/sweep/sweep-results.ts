/**
 * What a sweep ends with: each combination's figures, ranked by net PnL, as a terminal table, a CSV
 * and a self-contained HTML heatmap (no script, like the backtest's chart).
 *
 * Net PnL is the report's equity (realized gross + unrealized − every fee); return is net PnL over
 * the starting quote balance. Ranking: net PnL descending, then the smaller drawdown, then the
 * combination's order, so the table is the same on every run.
 */
import { type Decimal, dec } from '../../domain/decimal.js';
import type { BacktestReport } from '../backtest-report.js';
import { escapeHtml } from '../equity-chart-html.js';
import type { SweepAxis, SweepCombination } from './sweep-spec.js';

export interface SweepRun {
  /** Position of the combination in the sweep (its order of generation). */
  readonly index: number;
  readonly combination: SweepCombination;
  readonly report: BacktestReport;
}

export interface RankedRun extends SweepRun {
  readonly rank: number;
  readonly netPnl: Decimal;
  /** Net PnL / starting balance. */
  readonly returnRatio: Decimal;
}

const METRICS = ['net_pnl', 'return_pct', 'max_drawdown', 'trades', 'time_in_market'] as const;

export function rankRuns(runs: readonly SweepRun[], startingBalance: Decimal): RankedRun[] {
  return runs
    .map((run) => {
      const netPnl = dec(run.report.equity);
      return { ...run, rank: 0, netPnl, returnRatio: netPnl.div(startingBalance) };
    })
    .sort(
      (a, b) => b.netPnl.cmp(a.netPnl) || dec(a.report.maxDrawdown).cmp(dec(b.report.maxDrawdown)) || a.index - b.index,
    )
    .map((run, position) => ({ ...run, rank: position + 1 }));
}

function metricCells(run: RankedRun): string[] {
  return [
    run.netPnl.toFixed(2),
    run.returnRatio.mul(100).toFixed(4),
    dec(run.report.maxDrawdown).toFixed(2),
    String(run.report.trades),
    run.report.timeInMarket,
  ];
}

/** The ranked table for a terminal (the best `limit` rows). */
export function formatSweepTable(axes: readonly SweepAxis[], ranked: readonly RankedRun[], limit = 20): string {
  const header = ['rank', ...axes.map((axis) => axis.key), ...METRICS];
  const rows = ranked.slice(0, limit).map((run) => [String(run.rank), ...run.combination, ...metricCells(run)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join('  ');
  const more = ranked.length > limit ? `… ${ranked.length - limit} more in the CSV\n` : '';
  return `${[line(header), ...rows.map(line)].join('\n')}\n${more}`;
}

/** Every run, ranked, one row each (values are exact decimal text; the report's own figures kept). */
export function sweepCsv(axes: readonly SweepAxis[], ranked: readonly RankedRun[]): string {
  const header = ['rank', ...axes.map((axis) => axis.key), ...METRICS, 'realized_pnl', 'fees', 'fills', 'paused'];
  const rows = ranked.map((run) => [
    String(run.rank),
    ...run.combination,
    run.netPnl.toFixed(),
    run.returnRatio.mul(100).toFixed(),
    run.report.maxDrawdown,
    String(run.report.trades),
    run.report.timeInMarket,
    run.report.realizedPnl,
    run.report.fees,
    String(run.report.fills),
    run.report.pausedBecause ?? '',
  ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Net PnL over the first two axes (columns: the first, rows: the second; one row with one axis).
 * With more axes each cell shows the best combination of the others, named in its tooltip.
 */
export function sweepHeatmapHtml(title: string, axes: readonly SweepAxis[], ranked: readonly RankedRun[]): string {
  const [columnAxis, rowAxis] = axes as [SweepAxis, SweepAxis | undefined];
  const best = new Map<string, RankedRun>();
  // Ranked best first: the first run seen for a cell is its best.
  for (const run of ranked) {
    const cell = `${run.combination[0]}|${rowAxis === undefined ? '' : run.combination[1]}`;
    if (!best.has(cell)) best.set(cell, run);
  }
  const values = ranked.map((run) => run.netPnl.toNumber());
  const high = Math.max(...values, 0);
  const low = Math.min(...values, 0);
  const rowValues = rowAxis?.values ?? [''];
  const head = `<tr><th>${escapeHtml(rowAxis?.key ?? '')} \\ ${escapeHtml(columnAxis.key)}</th>${columnAxis.values.map((value) => `<th>${escapeHtml(value)}</th>`).join('')}</tr>`;
  const body = rowValues
    .map((rowValue) => {
      const cells = columnAxis.values.map((columnValue) => {
        const run = best.get(`${columnValue}|${rowValue}`);
        if (run === undefined) return '<td></td>';
        const tip = axes.map((axis, index) => `${axis.key}=${run.combination[index]}`).join(' ');
        return `<td style="background:${colour(run.netPnl.toNumber(), low, high)}" title="${escapeHtml(`#${run.rank} ${tip}`)}">${escapeHtml(run.netPnl.toFixed(2))}</td>`;
      });
      return `<tr><th>${escapeHtml(rowValue)}</th>${cells.join('')}</tr>`;
    })
    .join('\n');
  const others =
    axes.length > 2
      ? `<p>Each cell: the best over ${axes
          .slice(2)
          .map((axis) => escapeHtml(axis.key))
          .join(', ')}.</p>`
      : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}th,td{padding:4px 10px;text-align:right;border:1px solid #ddd}th{font-weight:600;background:#f6f6f6}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>Net PnL (realized gross + unrealized − fees), quote currency; hover a cell for its combination and rank.</p>
${others}<table>
${head}
${body}
</table>
</body></html>
`;
}

/** Red for losses, green for gains, white at zero; pixels only, never money. */
function colour(value: number, low: number, high: number): string {
  const strength = value >= 0 ? (high === 0 ? 0 : value / high) : low === 0 ? 0 : value / low;
  const fade = Math.round(255 - 155 * strength);
  return value >= 0 ? `rgb(${fade},255,${fade})` : `rgb(255,${fade},${fade})`;
}
