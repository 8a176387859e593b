/**
 * A stop always ends, and an order the venue does not know is resolved once (issue 10): the store
 * remembers working orders that the venue lost (the embedded sim after a crash). The next run looks
 * each up once at its start reconciliation, ends it as EXPIRED with one `order.unknown` record, and
 * its stop with cancel_on_exit finishes well inside `system.stop_timeout` (it used to look every
 * order up twice a second until its 15 s ran out, ~76 events/s).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoopLock } from '../../src/coordination/lock/noop/noop-lock.js';
import { dec } from '../../src/domain/decimal.js';
import type { TradingEngine } from '../../src/engine/trading-engine.js';
import type { Database } from '../../src/storage/database.js';
import { until } from '../harness/until.js';
import { BUY_WINDOW, SYMBOL, engineFor, flushed, openStore, startSim } from './runner-fixture.js';

const lock = new NoopLock();
const WORKING = ['PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL'] as const;
const STOP_TIMEOUT_MS = 10_000;

describe("a stop after the venue lost the grid's orders", () => {
  let dir: string;
  let database: Database;
  const engines: TradingEngine[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-stop-'));
    database = await openStore(dir);
  });
  afterAll(async () => {
    for (const engine of engines) await engine.stop({ cancelOnExit: false, closePositions: false });
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves each unknown order once and ends within the stop timeout', async () => {
    const before = startSim();
    const first = engineFor(before, database, lock);
    engines.push(first);
    await first.start();
    await first.ownershipWon(SYMBOL);
    before.exchange.engine.setPrice(SYMBOL, dec('60000'));
    await until(
      () =>
        first.runner(SYMBOL)!.summary().workingOrders === BUY_WINDOW &&
        before.exchange.engine.openOrders(before.exchange.account, SYMBOL).length === BUY_WINDOW,
      'the buy window at the venue',
    );
    // Stopped like a crash would leave it: orders working in the store, none cancelled.
    await first.stop({ cancelOnExit: false, closePositions: false });
    await flushed(database);
    const remembered = (await database.getOrders({ symbol: SYMBOL, status: [...WORKING], limit: 1000 }))
      .map((order) => order.clientOrderId)
      .sort();
    expect(remembered).toHaveLength(BUY_WINDOW);

    // A venue that knows none of them (the in-process sim does not survive a crash).
    const forgetful = startSim();
    const second = engineFor(forgetful, database, lock);
    engines.push(second);
    await second.start();
    await second.ownershipWon(SYMBOL);
    const began = performance.now();
    await second.stop({ cancelOnExit: true, closePositions: false, timeoutMs: STOP_TIMEOUT_MS });
    const tookMs = performance.now() - began;
    await flushed(database);

    expect(tookMs).toBeLessThan(STOP_TIMEOUT_MS / 2);
    const unknown = await database.getEvents({ type: 'order.unknown', symbol: SYMBOL, limit: 1000 });
    expect(unknown.map((event) => event.details.clientOrderId).sort()).toEqual(remembered);
    expect(unknown.every((event) => event.details.resolvedAs === 'EXPIRED')).toBe(true);
    const stored = await database.getOrders({ symbol: SYMBOL, limit: 1000 });
    expect(stored.filter((order) => remembered.includes(order.clientOrderId)).map((order) => order.status)).toEqual(
      remembered.map(() => 'EXPIRED'),
    );
    expect(second.runner(SYMBOL)!.summary().workingOrders).toBe(0);
  }, 60_000);
});
