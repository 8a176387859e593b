/**
 * The golden backtests: cases recorded on the engine as it was before the throughput work
 * (main f2f8a66), so any later speed-up must reproduce every fill, trade, fee and PnL figure to the
 * last decimal. `npx tsx test/backtest/golden/record-goldens.ts` rewrites the fixtures; run it only
 * when a behaviour change is intended, and say so in the commit.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EquityPoint } from '../../../src/backtest/backtest-ledger.js';
import { backtestSetup, type BacktestChoice } from '../../../src/backtest/backtest-setup.js';
import { parseReplayCsv } from '../../../src/backtest/replay-csv.js';
import { runBacktest } from '../../../src/backtest/run-backtest.js';
import { embeddedDefaultConfig } from '../../../src/config/embedded-default.js';
import { parseConfig, type QuantMeshConfig } from '../../../src/config/load-config.js';
import type { Fill } from '../../../src/domain/fill.js';
import type { Trade } from '../../../src/domain/trade.js';

export const GOLDEN_DIR = new URL('.', import.meta.url).pathname;

export interface GoldenCase {
  readonly name: string;
  readonly config: () => QuantMeshConfig;
  readonly choice: () => BacktestChoice;
}

/** Every figure as text, so a fixture compares exactly (no binary float anywhere). */
export interface GoldenResult {
  readonly report: Readonly<Record<string, string | number | undefined>>;
  /** time side price quantity fee clientOrderId, one line per fill. */
  readonly fills: readonly string[];
  /** level cycle quantity buyPrice sellPrice fees realizedPnl, one line per trade. */
  readonly trades: readonly string[];
  /** sha256 of every equity point (time, price, position, realized, unrealized, equity). */
  readonly curveSha256: string;
}

const riskSpotConfig = (): QuantMeshConfig =>
  parseConfig(readFileSync(join(GOLDEN_DIR, 'risk-spot.yaml'), 'utf8'), { file: 'risk-spot.yaml', env: {} });
const btcCandles = (): BacktestChoice => ({
  replayPrices: parseReplayCsv(readFileSync(join(GOLDEN_DIR, 'btcusdt-candles.csv'), 'utf8')),
});

export const GOLDEN_CASES: readonly GoldenCase[] = [
  ...[1, 7, 42].map((seed) => ({
    name: `btcusdt-seed-${seed}`,
    config: embeddedDefaultConfig,
    choice: () => ({ seed, ticks: 3000 }),
  })),
  { name: 'btcusdt-candle-replay', config: embeddedDefaultConfig, choice: btcCandles },
  {
    name: 'solusdt-seed-5',
    config: embeddedDefaultConfig,
    choice: () => ({ symbol: 'SOLUSDT', seed: 5, ticks: 4000 }),
  },
  ...[3, 8, 13].map((seed) => ({
    name: `risk-spot-seed-${seed}`,
    config: riskSpotConfig,
    choice: () => ({ seed, ticks: 6000 }),
  })),
];

/** The report fields that exist since f2f8a66 (fields added later do not break the goldens). */
const REPORT_FIELDS = [
  'ticks',
  'firstPrice',
  'lastPrice',
  'realizedPnl',
  'unrealizedPnl',
  'fees',
  'equity',
  'maxDrawdown',
  'trades',
  'fills',
  'ordersPlaced',
  'ordersRejected',
  'timeInMarket',
  'finalPosition',
  'pausedBecause',
] as const;

export function runGolden(golden: GoldenCase): GoldenResult {
  const fills: string[] = [];
  const trades: string[] = [];
  const curve = createHash('sha256');
  const onFill = (f: Fill) =>
    fills.push(
      `${f.time} ${f.side} ${f.price.toFixed()} ${f.quantity.toFixed()} ${f.fee.toFixed()} ${f.clientOrderId}`,
    );
  const onTrade = (t: Trade) =>
    trades.push(
      `${t.level} ${t.cycle} ${t.quantity.toFixed()} ${t.buyPrice.toFixed()} ${t.sellPrice.toFixed()} ${t.fees.toFixed()} ${t.realizedPnl.toFixed()}`,
    );
  const onTick = (p: EquityPoint) =>
    curve.update(
      `${p.time},${p.price.toFixed()},${p.position.toFixed()},${p.realized.toFixed()},${p.unrealized.toFixed()},${p.equity.toFixed()}\n`,
    );
  const report = runBacktest(backtestSetup(golden.config(), golden.choice()), { onFill, onTrade, onTick });
  const picked = Object.fromEntries(REPORT_FIELDS.map((field) => [field, report[field]]));
  return { report: picked, fills, trades, curveSha256: curve.digest('hex') };
}

export const goldenFile = (golden: GoldenCase): string => join(GOLDEN_DIR, `${golden.name}.json`);
