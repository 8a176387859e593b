/**
 * OrderExecutor with a ClosePlacement on every database backend: the close's intent is recorded
 * before the send under the symbol lock key, in a (level, cycle) round no grid order can have, and two
 * closes decided in the same millisecond get two intents (no schema change: the intents table as is).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symbolLockKey } from '../../../src/coordination/lock/distributed-lock.js';
import { MemoryLock } from '../../../src/coordination/lock/memory/memory-lock.js';
import { dec } from '../../../src/domain/decimal.js';
import { type ClosePlacement, OrderExecutor, closeIntentRound } from '../../../src/engine/execution/order-executor.js';
import type { Database } from '../../../src/storage/database.js';
import type { DatabaseTarget } from '../../conformance/database.suite.js';
import { BACKENDS, targetFor } from '../../storage/storage-targets.js';
import { SYMBOL, type SimFixture, startSim } from '../runner-fixture.js';

/** The last millisecond of 2199: the largest decision time the rounds are shown to fit. */
const LATE = Date.UTC(2199, 11, 31, 23, 59, 59, 999);

for (const backend of BACKENDS) {
  describe(`close placements on ${backend}`, () => {
    let target: DatabaseTarget;
    let database: Database;
    let sim: SimFixture;
    let executor: OrderExecutor;

    beforeAll(async () => {
      target = await targetFor(backend);
      database = await target.open();
      sim = startSim();
      executor = new OrderExecutor({
        exchange: sim.exchange,
        database,
        lock: new MemoryLock(),
        granularity: 'level',
        lockTtlMs: 10_000,
        instanceId: 'close-test',
        clock: () => sim.exchange.engine.now(),
        lookupDelayMs: 10,
      });
    });
    afterAll(async () => {
      await database?.close();
      await target?.dispose();
    });

    const close = (id: string, decidedAt: number, sequence: number): ClosePlacement => ({
      symbol: SYMBOL,
      quantity: dec('0.001'),
      reduceOnly: false,
      clientOrderId: id,
      decidedAt,
      sequence,
    });

    it('records each close intent under the symbol key before sending, two in one millisecond included', async () => {
      // Refused by the venue after the intent: the row shows what was about to be sent.
      sim.exchange.engine.refuseNextOrders(SYMBOL, 'MARKET', 2);
      const outcomes = [
        await executor.place(close('close-a', LATE, 999)),
        await executor.place(close('close-b', LATE, 1_000)),
      ];
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      const intents = await database.getIntents({ symbol: SYMBOL, limit: 10 });
      expect(intents.map((intent) => intent.clientOrderId).sort()).toEqual(['close-a', 'close-b']);
      for (const intent of intents) {
        expect(intent).toMatchObject({
          side: 'SELL',
          fenceKey: symbolLockKey(sim.exchange.name, SYMBOL),
          instanceId: 'close-test',
        });
        expect(intent.price.isZero()).toBe(true);
        expect(intent.cycle).toBeLessThan(0);
      }
      expect(intents.find((intent) => intent.clientOrderId === 'close-a')).toMatchObject(closeIntentRound(LATE, 999));
      expect(closeIntentRound(LATE, 999)).not.toEqual(closeIntentRound(LATE, 1_000));
    });

    it('a grid order at the level a close round uses is a different intent', async () => {
      const { level } = closeIntentRound(LATE, 0);
      const outcome = await executor.place({
        symbol: SYMBOL,
        level,
        cycle: 0,
        side: 'BUY',
        price: dec('59000'),
        quantity: dec('0.003'),
        postOnly: true,
        reduceOnly: false,
        clientOrderId: 'grid-at-close-level',
      });
      expect(outcome.status).toBe('accepted');
      expect((await database.getIntents({ clientOrderId: 'grid-at-close-level' }))[0]).toMatchObject({
        level,
        cycle: 0,
      });
    });
  });
}
