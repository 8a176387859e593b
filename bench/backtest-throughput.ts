/**
 * Backtest throughput: price ticks per second through the grid strategy and the sim matching engine
 * (`runBacktest`), beside the sim matching engine stepping the same seeded ticks with no strategy, so
 * the ratio is what the strategy costs. A second row adds the on-disk outputs (equity CSV + chart).
 * `benchBacktest()` returns the rows (bench/engine.bench.ts prints them); `tsx bench/backtest-throughput.ts`
 * runs it alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { type BacktestSetup, backtestSetup } from '../src/backtest/backtest-setup.js';
import { runBacktest } from '../src/backtest/run-backtest.js';
import { runBacktestToDirectory } from '../src/backtest/run-backtest-to-directory.js';
import { embeddedDefaultConfig } from '../src/config/embedded-default.js';
import { SimMatchingEngine } from '../src/exchange/sim/sim-matching-engine.js';

export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly baselineName: string;
  readonly baseline: number;
  readonly unit: string;
  /** value / baseline. */
  readonly ratio: number;
}

const TICKS = 5000;
const SEED = 42;
/** Rounds of each measurement, interleaved; the best of each counts (the machine is shared). */
const ROUNDS = 3;

function ticksPerSecond(ticks: number, work: () => void): number {
  const start = performance.now();
  work();
  return ticks / ((performance.now() - start) / 1000);
}

function best(rounds: readonly (readonly number[])[], index: number): number {
  return Math.max(...rounds.map((round) => round[index] as number));
}

function engineAlone(setup: BacktestSetup): void {
  const engine = new SimMatchingEngine(setup.engine);
  for (let tick = 0; tick < setup.ticks; tick += 1) engine.step();
}

export async function benchBacktest(ticks = TICKS): Promise<BenchRow[]> {
  // The embedded default's BTCUSDT: 0.1 % steps against a 50 USDT interval, so most ticks trade.
  const setup = backtestSetup(embeddedDefaultConfig(), { seed: SEED, ticks });
  const dir = mkdtempSync(join(tmpdir(), 'qm-bench-backtest-'));
  const rounds: number[][] = [];
  try {
    // Round 0 is the warm-up (JIT compilation), not counted.
    for (let round = 0; round <= ROUNDS; round += 1) {
      rounds.push([
        ticksPerSecond(ticks, () => engineAlone(setup)),
        ticksPerSecond(ticks, () => runBacktest(setup)),
        ticksPerSecond(ticks, () => runBacktestToDirectory(setup, { outDir: dir })),
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const measured = rounds.slice(1);
  const [alone, strategy, written] = [best(measured, 0), best(measured, 1), best(measured, 2)];
  return [
    { name: `backtest ticks/s (grid + sim, ${ticks} ticks)`, value: strategy, baselineName: 'sim engine alone, same ticks', baseline: alone, unit: 'ticks/s', ratio: strategy / alone },
    { name: 'backtest ticks/s writing equity.csv + chart', value: written, baselineName: 'backtest without outputs', baseline: strategy, unit: 'ticks/s', ratio: written / strategy },
  ];
}

const figure = (value: number) => (value >= 1000 ? value.toFixed(0) : value.toPrecision(3));

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log('## backtest throughput');
  for (const row of await benchBacktest()) {
    console.log(`${row.name.padEnd(46)} ${figure(row.value).padStart(8)} ${row.unit}  baseline (${row.baselineName}) ${figure(row.baseline).padStart(8)}  ratio ${row.ratio.toPrecision(3)}`);
  }
}
