/**
 * A sweep that leaves its results in a directory: `sweep.csv` (every run, ranked) and `sweep.html`
 * (net PnL heatmap over the first two axes); the ranked table is returned for the terminal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKTEST_ACCOUNT, type BacktestSetup } from '../backtest-setup.js';
import { type SweepOptions, runSweep } from './run-sweep.js';
import type { SweepPlan } from './sweep-plan.js';
import { type RankedRun, formatSweepTable, rankRuns, sweepCsv, sweepHeatmapHtml } from './sweep-results.js';

export interface SweepFiles {
  readonly csv: string;
  readonly html: string;
}

export async function runSweepToDirectory(
  plan: SweepPlan,
  setups: readonly BacktestSetup[],
  options: SweepOptions & { readonly outDir: string },
): Promise<{ readonly ranked: readonly RankedRun[]; readonly table: string; readonly files: SweepFiles }> {
  const runs = await runSweep(
    plan,
    setups.map((setup) => setup.ticks),
    options,
  );
  const first = setups[0]!;
  const quote = first.identity.market.quote;
  const balance = first.engine.accounts.find((account) => account.id === BACKTEST_ACCOUNT)!.balances[quote]!;
  const ranked = rankRuns(runs, balance);
  mkdirSync(options.outDir, { recursive: true });
  const files = { csv: join(options.outDir, 'sweep.csv'), html: join(options.outDir, 'sweep.html') };
  writeFileSync(files.csv, sweepCsv(plan.axes, ranked));
  const title = `Sweep ${first.identity.exchange}:${first.identity.symbol} (seed ${first.engine.seed}, ${first.ticks} ticks)`;
  writeFileSync(files.html, sweepHeatmapHtml(title, plan.axes, ranked));
  return { ranked, table: formatSweepTable(plan.axes, ranked), files };
}
