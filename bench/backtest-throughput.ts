/**
 * Backtest throughput: price ticks per CPU second through the grid strategy and the sim matching
 * engine (`runBacktest`) over the embedded default's BTCUSDT grid and seeded ticks, beside two
 * baselines from the same run: the sim matching engine stepping the same ticks with no strategy, and
 * a minimal hand-written grid loop over the same prices (bench/minimal-grid-loop.ts, the limit).
 * A last row adds the on-disk outputs (equity CSV + chart). CPU time (process.cpuUsage) rather than
 * wall time: on a shared machine others' load stretches wall time, not the CPU this process uses.
 * `benchBacktest()` returns the rows (bench/engine.bench.ts and bench/backtest.bench.ts print them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BacktestSetup, backtestSetup } from '../src/backtest/backtest-setup.js';
import { runBacktest } from '../src/backtest/run-backtest.js';
import { runBacktestToDirectory } from '../src/backtest/run-backtest-to-directory.js';
import { embeddedDefaultConfig } from '../src/config/embedded-default.js';
import { SimMatchingEngine } from '../src/exchange/sim/sim-matching-engine.js';
import { minimalGridLoop } from './minimal-grid-loop.js';

export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly baselineName: string;
  readonly baseline: number;
  readonly unit: string;
  /** value / baseline. */
  readonly ratio: number;
  /** What the issue asks of the ratio or the value, when it asks. */
  readonly goal?: string | undefined;
}

export const BENCH_SEED = 42;
const TICKS = 5000;
/** Rounds of each measurement, interleaved; the best of each counts (the machine is shared). */
const ROUNDS = 3;

export function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

export function ticksPerCpuSecond(ticks: number, work: () => void): number {
  const start = cpuSeconds();
  work();
  return ticks / Math.max(cpuSeconds() - start, 1e-6);
}

function best(rounds: readonly (readonly number[])[], index: number): number {
  return Math.max(...rounds.map((round) => round[index] as number));
}

function engineAlone(setup: BacktestSetup): void {
  const engine = new SimMatchingEngine(setup.engine);
  for (let tick = 0; tick < setup.ticks; tick += 1) engine.step();
}

/** The bench's case: the embedded default's BTCUSDT (0.1 % steps against a 50 USDT interval, so most ticks trade). */
export function benchSetup(ticks: number): BacktestSetup {
  return backtestSetup(embeddedDefaultConfig(), { seed: BENCH_SEED, ticks });
}

export async function benchBacktest(ticks = TICKS): Promise<BenchRow[]> {
  const setup = benchSetup(ticks);
  const dir = mkdtempSync(join(tmpdir(), 'qm-bench-backtest-'));
  const rounds: number[][] = [];
  try {
    // Round 0 is the warm-up (JIT compilation), not counted.
    for (let round = 0; round <= ROUNDS; round += 1) {
      rounds.push([
        ticksPerCpuSecond(ticks, () => engineAlone(setup)),
        ticksPerCpuSecond(ticks, () => minimalGridLoop(setup)),
        ticksPerCpuSecond(ticks, () => runBacktest(setup)),
        ticksPerCpuSecond(ticks, () => runBacktestToDirectory(setup, { outDir: dir })),
      ]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const measured = rounds.slice(1);
  const [alone, limit, strategy, written] = [0, 1, 2, 3].map((index) => best(measured, index)) as [
    number,
    number,
    number,
    number,
  ];
  const unit = 'ticks/s';
  const goal = `≥ 1,000,000 ticks/s: ${strategy >= 1_000_000 ? 'met' : 'NOT met'}`;
  return [
    {
      name: `backtest (grid + sim, ${ticks} ticks)`,
      value: strategy,
      baselineName: 'sim engine alone, same ticks',
      baseline: alone,
      unit,
      ratio: strategy / alone,
      goal,
    },
    {
      name: 'backtest (grid + sim)',
      value: strategy,
      baselineName: 'minimal hand-written grid loop',
      baseline: limit,
      unit,
      ratio: strategy / limit,
      goal: `ratio ≥ 0.3: ${strategy / limit >= 0.3 ? 'met' : 'NOT met'}`,
    },
    {
      name: 'backtest writing equity.csv + chart',
      value: written,
      baselineName: 'backtest without outputs',
      baseline: strategy,
      unit,
      ratio: written / strategy,
    },
  ];
}

export const figure = (value: number) => (value >= 1000 ? value.toFixed(0) : value.toPrecision(3));

export function printRow(row: BenchRow): void {
  console.log(
    `${row.name.padEnd(40)} ${`${figure(row.value)} ${row.unit}`.padStart(16)}  baseline ${row.baselineName.padEnd(32)} ${`${figure(row.baseline)} ${row.unit}`.padStart(16)}  ratio ${row.ratio.toPrecision(3)}${row.goal === undefined ? '' : `  goal ${row.goal}`}`,
  );
}
