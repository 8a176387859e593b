/**
 * The runner integration fixture: an in-process sim venue with a manual clock (the test moves the
 * price), a real SQLite file database behind the durable spool, and a TradingEngine built like the
 * composition root builds one. Every order the sim accepts is recorded from its own listener.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import type { DistributedLock } from '../../src/coordination/lock/distributed-lock.js';
import { OrderExecutor, type OrderExecutorOptions } from '../../src/engine/execution/order-executor.js';
import { TradingEngine } from '../../src/engine/trading-engine.js';
import { createExchange } from '../../src/exchange/create-exchange.js';
import { ZERO, dec } from '../../src/domain/decimal.js';
import type { Fill } from '../../src/domain/fill.js';
import type { Exchange } from '../../src/exchange/exchange.js';
import type { AlertNotifier } from '../../src/observability/alert-notifier.js';
import { SimExchange } from '../../src/exchange/sim/sim-exchange.js';
import type { Database } from '../../src/storage/database.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { type GridSettingsInput, gridSettings } from '../../src/strategy/grid/grid-settings.js';

export const SYMBOL = 'BTCUSDT';
export const BUY_WINDOW = 4;

export interface SimFixture {
  readonly exchange: SimExchange;
  /** Client order ids in the order the sim accepted them (one entry per accepted order). */
  readonly accepted: string[];
}

export function startSim(): SimFixture {
  const exchange = createExchange({
    type: 'sim',
    name: 'sim',
    stepIntervalMs: 0,
    seed: 7,
    symbols: [SYMBOL],
    startTime: Date.UTC(2026, 0, 1),
  });
  if (!(exchange instanceof SimExchange)) throw new Error('createExchange(sim) must build a SimExchange');
  const accepted: string[] = [];
  const seen = new Set<string>();
  exchange.engine.subscribe({
    onExecution(_account, report) {
      if (seen.has(report.exchangeOrderId)) return;
      seen.add(report.exchangeOrderId);
      accepted.push(report.clientOrderId);
    },
  });
  return { exchange, accepted };
}

/**
 * The SQLite file under `dir`, behind the spool as an instance runs it (its saveFill says whether a
 * fill is new, which is what the runner applies fills by); the spool is replayed before the
 * database is handed out.
 */
export async function openStore(dir: string): Promise<Database> {
  await mkdir(dir, { recursive: true });
  const spool = { path: join(dir, 'spool'), flushIntervalMs: 20 };
  const database = await openDatabase({ type: 'sqlite', dsn: join(dir, 'quantmesh.db'), spool });
  await flushed(database);
  return database;
}

export async function flushed(database: Database): Promise<void> {
  await database.drain();
}

export function executorFor(
  sim: SimFixture,
  database: Database,
  lock: DistributedLock,
  instanceId = 'test',
  overrides: Partial<OrderExecutorOptions> = {},
): OrderExecutor {
  return executorOn(sim.exchange, () => sim.exchange.engine.now(), database, lock, instanceId, overrides);
}

/** A post-only limit buy for `level` (below 60,000 by 100 a level), id `{prefix}.B.{level}.{cycle}`. */
export function limitBuy(prefix: string, level: number, cycle: number) {
  return {
    symbol: SYMBOL,
    level,
    cycle,
    side: 'BUY' as const,
    price: dec(60_000 - level * 100),
    quantity: dec('0.001'),
    postOnly: true,
    reduceOnly: false,
    clientOrderId: `${prefix}.B.${level}.${cycle}`,
  };
}

export function executorOn(
  exchange: Exchange,
  clock: () => number,
  database: Database,
  lock: DistributedLock,
  instanceId = 'test',
  overrides: Partial<OrderExecutorOptions> = {},
): OrderExecutor {
  return new OrderExecutor({
    exchange,
    database,
    lock,
    granularity: 'symbol',
    lockTtlMs: 10_000,
    instanceId,
    clock,
    lookupDelayMs: 10,
    ...overrides,
  });
}

export function engineFor(
  sim: SimFixture,
  database: Database,
  lock: DistributedLock,
  settings: Partial<GridSettingsInput> = {},
): TradingEngine {
  return engineOn(sim.exchange, () => sim.exchange.engine.now(), database, lock, settings);
}

/** What a case may set on the engine beside the grid's settings. */
export interface EngineExtras {
  readonly alerts?: AlertNotifier | undefined;
  /** Default: an hour, so reconciliation runs at start and where the test asks for it. */
  readonly reconcileIntervalMs?: number | undefined;
}

/** A TradingEngine for one BTCUSDT grid on any venue; `clock` is the venue's, so event times agree. */
export function engineOn(
  exchange: Exchange,
  clock: () => number,
  database: Database,
  lock: DistributedLock,
  settings: Partial<GridSettingsInput> = {},
  extras: EngineExtras = {},
): TradingEngine {
  return new TradingEngine({
    exchange,
    database,
    executor: executorOn(exchange, clock, database, lock),
    logger: pino({ level: 'silent' }),
    instanceId: 'test',
    clock,
    alerts: extras.alerts,
    grids: [
      {
        symbol: SYMBOL,
        settings: gridSettings({
          priceInterval: '100',
          orderQuantity: '130',
          buyWindowSize: BUY_WINDOW,
          sellWindowSize: BUY_WINDOW,
          feeRate: '0.0002',
          ...settings,
        }),
        // Reconciliation runs at start and where the test asks for it, never on a timer mid-assertion.
        reconcileIntervalMs: extras.reconcileIntervalMs ?? 3_600_000,
      },
    ],
  });
}

/**
 * `count` fills of the fixture's symbol stored before the venue's present, as many sells as buys of
 * one size: history whose stored position adds up to zero (the scale cases of exactly-once).
 */
export async function storeFillHistory(database: Database, sim: SimFixture, count: number): Promise<void> {
  const start = sim.exchange.engine.now() - count * 1000;
  const batch: Fill[] = [];
  for (let i = 0; i < count; i += 1) {
    batch.push({
      exchange: sim.exchange.name,
      account: sim.exchange.account,
      tradeId: `history-${i}`,
      symbol: SYMBOL,
      clientOrderId: `history-${Math.floor(i / 2)}`,
      exchangeOrderId: `history-${i}`,
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      price: dec('50000'),
      quantity: dec('0.001'),
      fee: ZERO,
      feeAsset: 'USDT',
      isMaker: true,
      time: start + i * 1000,
    });
    if (batch.length === 5_000) await database.batchSaveFills(batch.splice(0));
  }
  if (batch.length > 0) await database.batchSaveFills(batch);
}
