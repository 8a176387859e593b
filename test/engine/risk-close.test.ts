/**
 * A stop loss that actually flattens the position (grid-strategy.md "Risk controls"): the runner on
 * the in-process sim venue and SQLite. The venue refuses the first close (`refuseNextOrders`, the
 * engine side of `/_sim/refuse-next`); the grid retries after its backoff under a new client order id
 * and the venue position ends at zero. Every close went through the lock and a fenced intent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symbolLockKey } from '../../src/coordination/lock/distributed-lock.js';
import { NoopLock } from '../../src/coordination/lock/noop/noop-lock.js';
import { dec } from '../../src/domain/decimal.js';
import { closeIntentRound } from '../../src/engine/order-executor.js';
import type { TradingEngine } from '../../src/engine/trading-engine.js';
import type { Database } from '../../src/storage/database.js';
import { parseClientOrderId } from '../../src/strategy/grid/client-order-id.js';
import { closableQuantity } from '../../src/strategy/grid/close-position.js';
import { SYMBOL, type SimFixture, engineFor, flushed, openStore, startSim, until } from './runner-fixture.js';

describe('risk close on the sim venue and SQLite', () => {
  let dir: string;
  let sim: SimFixture;
  let database: Database;
  let engine: TradingEngine;

  const venuePosition = () => sim.exchange.engine.positions(sim.exchange.account, [SYMBOL]).reduce((sum, p) => sum.add(p.quantity), dec(0));
  const isClose = (id: string) => parseClientOrderId(id)?.purpose === 'close';
  const setPrice = (price: string) => sim.exchange.engine.setPrice(SYMBOL, dec(price));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-risk-close-'));
    sim = startSim();
    database = await openStore(dir);
  });
  afterAll(async () => {
    await engine?.stop({ cancelOnExit: true, closePositions: false });
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a refused stop-loss close is retried after its backoff with a new id, through lock and intent, until the venue is flat', async () => {
    engine = engineFor(sim, database, new NoopLock(), { risk: { enabled: true, stopLossRatio: '0.02' } });
    await engine.start();
    const runner = engine.runner(SYMBOL)!;
    setPrice('60000');
    await until(() => sim.exchange.engine.openOrders(sim.exchange.account, SYMBOL).length > 0, 'the buy window at the venue');
    setPrice('59750');
    await until(() => venuePosition().gt(0) && closableQuantity(runner.state!).eq(venuePosition()), 'buys filled and applied');

    sim.exchange.engine.refuseNextOrders(SYMBOL, 'MARKET');
    setPrice('58000');
    await until(() => runner.state?.pause?.reason === 'stop-loss' && runner.state.closing?.failures === 1, 'the stop loss and its refused close');
    expect(venuePosition().gt(0)).toBe(true);
    const refusedAt = runner.state!.closing!.nextAttemptAt;

    // The retry waits for an event at or after its backoff: the venue's clock moves one step (1 s).
    sim.exchange.engine.step();
    expect(sim.exchange.engine.now()).toBeGreaterThanOrEqual(refusedAt);
    await until(() => venuePosition().isZero() && runner.state?.closing?.order === undefined, 'the venue position closed');
    expect(closableQuantity(runner.state!).isZero()).toBe(true);
    expect(sim.accepted.filter(isClose)).toHaveLength(1);

    await flushed(database);
    const intents = (await database.getIntents({ symbol: SYMBOL, limit: 1_000 })).filter((intent) => isClose(intent.clientOrderId));
    expect(intents).toHaveLength(2);
    expect(new Set(intents.map((intent) => intent.clientOrderId)).size).toBe(2);
    for (const intent of intents) {
      const parsed = parseClientOrderId(intent.clientOrderId)!;
      expect(intent).toMatchObject({ side: 'SELL', fenceKey: symbolLockKey(sim.exchange.name, SYMBOL), ...closeIntentRound(parsed.level, parsed.cycle) });
      expect(intent.cycle).toBeLessThan(0);
    }
    const retries = await database.getEvents({ symbol: SYMBOL, type: 'risk.triggered', limit: 100 });
    expect(retries.map((event) => event.details['control'])).toContain('close-retry');
  });
});
