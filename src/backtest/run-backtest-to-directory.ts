/**
 * A backtest that leaves its results in a directory: `equity.csv` (one row per tick), `equity.html`
 * (self-contained chart and report) and `report.json` (the report, deterministic for a seed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BacktestReport } from './backtest-report.js';
import type { BacktestSetup } from './backtest-setup.js';
import { EquityChart } from './equity-chart-html.js';
import { EquityCurveCsv } from './equity-curve-csv.js';
import { runBacktest } from './run-backtest.js';

export interface BacktestFiles {
  readonly csv: string;
  readonly html: string;
  readonly json: string;
}

export interface DirectoryOptions {
  readonly outDir: string;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

export function runBacktestToDirectory(
  setup: BacktestSetup,
  options: DirectoryOptions,
): { readonly report: BacktestReport; readonly files: BacktestFiles } {
  mkdirSync(options.outDir, { recursive: true });
  const files = {
    csv: join(options.outDir, 'equity.csv'),
    html: join(options.outDir, 'equity.html'),
    json: join(options.outDir, 'report.json'),
  };
  const csv = new EquityCurveCsv(files.csv);
  const chart = new EquityChart();
  let report: BacktestReport;
  try {
    report = runBacktest(setup, {
      onTick: (point) => {
        csv.record(point);
        chart.record(point);
      },
      onProgress: options.onProgress,
    });
  } finally {
    csv.close();
  }
  writeFileSync(files.html, chart.render(report));
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  return { report, files };
}
