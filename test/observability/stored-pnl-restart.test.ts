/**
 * PnL survives restarts: an instance trades on a volatile in-process sim until round trips are
 * stored, stops, and is started again on the same database. Its status shows realized PnL (net of
 * fees), fees and trade count equal to the sums of the stored trades: at the stop, at once after the
 * restart (the earlier trades included), and at the second stop, on real SQLite and PostgreSQL. The
 * in-process sim is durable (its journal) and goes on trading after the restart: the restarted
 * grid's figures are compared with the stored trades of the same moment.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadInstanceConfig } from '../../src/app/instance-config.js';
import { type InstanceHandle, runInstance } from '../../src/app/run-instance.js';
import { ZERO } from '../../src/domain/decimal.js';
import type { Trade } from '../../src/domain/trade.js';
import { captureLogs } from '../../src/observability/logger.js';
import type { Database } from '../../src/storage/database.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { createPostgresDatabase } from '../harness/postgres.js';
import { eventually, until } from '../harness/until.js';

const dir = await mkdtemp(join(tmpdir(), 'qm-stored-pnl-'));
const postgres = await createPostgresDatabase();
afterAll(async () => {
  await postgres.drop();
  await rm(dir, { recursive: true, force: true });
});

type Target = { readonly type: 'sqlite' | 'postgres'; readonly dsn: string };
const targets: readonly Target[] = [
  { type: 'sqlite', dsn: join(dir, 'qm.db') },
  { type: 'postgres', dsn: postgres.url },
];

function configYaml(target: Target, volatility: string): string {
  return [
    'instance: { id: pnl-1 }',
    `database: { type: ${target.type}, dsn: "${target.dsn}" }`,
    'exchanges:',
    `  sim: { type: sim, seed: 11, volatility: "${volatility}", tick_interval: 20ms, symbols: [{ symbol: BTCUSDT, initial_price: "60000", tick_size: "0.1", step_size: "0.0001", min_notional: "5" }] }`,
    'trading:',
    '  symbols: [{ exchange: sim, symbol: BTCUSDT, price_interval: "30", order_quantity: "30", buy_window_size: 3 }]',
    `storage: { spool_path: ${join(dir, `${target.type}.spool`)}, flush_interval: 50ms }`,
    'web: { enabled: false }',
    '',
  ].join('\n');
}

async function start(target: Target, volatility: string, statusIntervalMs: number): Promise<InstanceHandle> {
  const file = join(dir, `${target.type}-${volatility}.yaml`);
  await writeFile(file, configYaml(target, volatility));
  return runInstance(await loadInstanceConfig(file, { env: {} }), {
    logger: captureLogs({ level: 'warn' }).logger,
    standby: false,
    statusIntervalMs,
  });
}

/** Every stored trade of the symbol, paged through the port's listing (not its statistics). */
async function storedTrades(database: Database): Promise<Trade[]> {
  const trades: Trade[] = [];
  for (
    let page = await database.getTrades({ symbol: 'BTCUSDT' });
    page.length > 0;
    page = await database.getTrades({ symbol: 'BTCUSDT', offset: trades.length })
  ) {
    trades.push(...page);
  }
  return trades;
}

function sums(trades: readonly Trade[]): { realizedPnl: string; fees: string; tradeCount: number } {
  const realized = trades.reduce((total, trade) => total.add(trade.realizedPnl), ZERO);
  const fees = trades.reduce((total, trade) => total.add(trade.fees), ZERO);
  return {
    realizedPnl: realized.toDecimalPlaces(8).toFixed(),
    fees: fees.toDecimalPlaces(8).toFixed(),
    tradeCount: trades.length,
  };
}

const figures = (instance: InstanceHandle) => {
  const { realizedPnl, fees, tradeCount } = instance.status().symbols[0]!;
  return { realizedPnl, fees, tradeCount };
};

describe.each(targets)('stored PnL on $type', (target) => {
  it('realized PnL (net of fees), fees and trade count after a restart equal the sums of the stored trades', async () => {
    const reader = await openDatabase({ type: target.type, dsn: target.dsn });
    onTestFinished(() => reader.close());
    const trading = await start(target, '0.002', 60_000);
    let beforeStop: ReturnType<typeof figures>;
    try {
      await eventually(
        () => storedTrades(reader),
        (trades) => trades.length >= 3,
        'three stored round trips',
        120_000,
      );
    } finally {
      await trading.stop();
      beforeStop = figures(trading);
    }
    const stored = sums(await storedTrades(reader));
    expect(stored.tradeCount).toBeGreaterThanOrEqual(3);
    expect(stored.fees).not.toBe('0');
    expect(beforeStop).toEqual(stored);

    const restarted = await start(target, '0.002', 100);
    try {
      // Read at start, before any status line: every trade of the first run is in the figures.
      expect(figures(restarted).tradeCount).toBeGreaterThanOrEqual(stored.tradeCount);
      await until(
        async () => JSON.stringify(figures(restarted)) === JSON.stringify(sums(await storedTrades(reader))),
        'the status to show the stored trades',
        60_000,
      );
    } finally {
      await restarted.stop();
    }
    expect(figures(restarted)).toEqual(sums(await storedTrades(reader)));
  }, 180_000); // a busy machine: the PostgreSQL run has taken 20-40 s
});
