/**
 * The runner integration fixture: an in-process sim venue with a manual clock (the test moves the
 * price), a real SQLite file database behind the durable spool, and a TradingEngine built like the
 * composition root builds one. Every order the sim accepts is recorded from its own listener.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import type { DistributedLock } from '../../src/coordination/lock/distributed-lock.js';
import { OrderExecutor } from '../../src/engine/order-executor.js';
import { TradingEngine } from '../../src/engine/trading-engine.js';
import { createExchange } from '../../src/exchange/create-exchange.js';
import type { Exchange } from '../../src/exchange/exchange.js';
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
  const exchange = createExchange({ type: 'sim', name: 'sim', stepIntervalMs: 0, seed: 7, symbols: [SYMBOL], startTime: Date.UTC(2026, 0, 1) });
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

/** The SQLite file and spool under `dir`; the spool is replayed before the database is handed out. */
export async function openStore(dir: string): Promise<Database> {
  await mkdir(dir, { recursive: true });
  const database = await openDatabase({ type: 'sqlite', dsn: join(dir, 'quantmesh.db'), spool: { path: join(dir, 'spool'), flushIntervalMs: 20 } });
  await flushed(database);
  return database;
}

export async function flushed(database: Database): Promise<void> {
  await database.drain();
}

export function executorFor(sim: SimFixture, database: Database, lock: DistributedLock, instanceId = 'test'): OrderExecutor {
  return executorOn(sim.exchange, () => sim.exchange.engine.now(), database, lock, instanceId);
}

export function executorOn(exchange: Exchange, clock: () => number, database: Database, lock: DistributedLock, instanceId = 'test'): OrderExecutor {
  return new OrderExecutor({ exchange, database, lock, granularity: 'symbol', lockTtlMs: 10_000, instanceId, clock, lookupDelayMs: 10 });
}

export function engineFor(sim: SimFixture, database: Database, lock: DistributedLock, settings: Partial<GridSettingsInput> = {}): TradingEngine {
  return engineOn(sim.exchange, () => sim.exchange.engine.now(), database, lock, settings);
}

/** A TradingEngine for one BTCUSDT grid on any venue; `clock` is the venue's, so event times agree. */
export function engineOn(exchange: Exchange, clock: () => number, database: Database, lock: DistributedLock, settings: Partial<GridSettingsInput> = {}): TradingEngine {
  return new TradingEngine({
    exchange, database, executor: executorOn(exchange, clock, database, lock), logger: pino({ level: 'silent' }), instanceId: 'test', clock,
    grids: [{
      symbol: SYMBOL,
      settings: gridSettings({ priceInterval: '100', orderQuantity: '130', buyWindowSize: BUY_WINDOW, sellWindowSize: BUY_WINDOW, feeRate: '0.0002', ...settings }),
      // Reconciliation runs at start and where the test asks for it, never on a timer mid-assertion.
      reconcileIntervalMs: 3_600_000,
    }],
  });
}

