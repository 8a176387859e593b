/**
 * A window of one symbol's placements at once (issue 13 item 4), on every database backend: with
 * symbol granularity the 10 buys share one lock acquisition, one intent write (both fences checked
 * once) and one batch call to the venue; a round recorded before is looked up and adopted, never sent
 * twice; a stale ownership refuses the whole window, so nothing of it is recorded or sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LockHandle, ownershipKey } from '../../../src/coordination/lock/distributed-lock.js';
import { MemoryLock } from '../../../src/coordination/lock/memory/memory-lock.js';
import { type OwnershipLease, ownershipLease } from '../../../src/coordination/ownership/symbol-ownership.js';
import type { OrderExecutor } from '../../../src/engine/execution/order-executor.js';
import type { Database } from '../../../src/storage/database.js';
import type { DatabaseTarget } from '../../conformance/database.suite.js';
import { BACKENDS, targetFor } from '../../storage/storage-targets.js';
import { SYMBOL, type SimFixture, executorFor, limitBuy, startSim } from '../runner-fixture.js';

/** A real MemoryLock that counts its acquisitions. */
class CountingLock extends MemoryLock {
  tryLocks = 0;
  override tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    this.tryLocks += 1;
    return super.tryLock(key, ttlMs);
  }
}

/** Counts the calls of the named methods on `target` (the real methods still run). */
function countCalls<T extends object>(target: T, names: readonly (keyof T & string)[]): Record<string, number> {
  const calls: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  for (const name of names) {
    const original = (target[name] as (...args: unknown[]) => unknown).bind(target);
    Object.assign(target, {
      [name]: (...args: unknown[]) => {
        calls[name]! += 1;
        return original(...args);
      },
    });
  }
  return calls;
}

for (const backend of BACKENDS) {
  describe(`a window of placements on ${backend}`, () => {
    let target: DatabaseTarget;
    let database: Database;
    let sim: SimFixture;
    let lock: CountingLock;
    let executor: OrderExecutor;
    let venueCalls: Record<string, number>;
    let intentWrites: Record<string, number>;
    let lease: OwnershipLease;
    const ownerKey = ownershipKey('sim', SYMBOL);

    beforeAll(async () => {
      target = await targetFor(backend);
      database = await target.open();
      sim = startSim();
      lock = new CountingLock();
      venueCalls = countCalls(sim.exchange, ['placeOrder', 'placeOrders']);
      intentWrites = countCalls(database, ['recordIntent', 'recordIntents']);
      executor = executorFor(sim, database, lock, 'window-test');
      lease = ownershipLease(await lock.lock(ownerKey, 60_000), 60_000);
      await database.claimFence(lease.key, lease.token, 'window-test');
    });
    afterAll(async () => {
      await database?.close();
      await target?.dispose();
    });

    const reset = () => {
      lock.tryLocks = 0;
      for (const calls of [venueCalls, intentWrites]) for (const name of Object.keys(calls)) calls[name] = 0;
    };

    it('places 10 buys with one lock acquisition, one intent write and one batch venue call', async () => {
      reset();
      const window = Array.from({ length: 10 }, (_, index) => limitBuy('win', index + 1, 0));
      const outcomes = await executor.placeWindow(window, lease);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(window.map(() => 'accepted'));
      expect({ tryLocks: lock.tryLocks, ...intentWrites, ...venueCalls }).toEqual({
        tryLocks: 1,
        recordIntent: 0,
        recordIntents: 1,
        placeOrder: 0,
        placeOrders: 1,
      });
      const intents = await database.getIntents({ symbol: SYMBOL });
      expect(intents.map((intent) => intent.clientOrderId).sort()).toEqual(
        window.map((buy) => buy.clientOrderId).sort(),
      );
      expect(new Set(intents.map((intent) => intent.fencingToken)).size).toBe(1);
      for (const buy of window) expect(sim.accepted.filter((id) => id === buy.clientOrderId)).toHaveLength(1);
    });

    it('adopts a round recorded and sent before instead of sending it twice, and sends the rest of the window', async () => {
      expect((await executor.place(limitBuy('win', 20, 0), lease)).status).toBe('accepted');
      reset();
      const window = [20, 21, 22].map((level) => limitBuy('win', level, 0));
      const outcomes = await executor.placeWindow(window, lease);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(venueCalls).toEqual({ placeOrder: 0, placeOrders: 1 });
      for (const buy of window) expect(sim.accepted.filter((id) => id === buy.clientOrderId)).toHaveLength(1);
    });

    it("refuses a stale owner's whole window: nothing recorded, nothing sent", async () => {
      // A new owner claimed the symbol: this lease is stale although its local view is still live.
      await database.claimFence(lease.key, lease.token + 1n, 'new-owner');
      reset();
      const window = [30, 31, 32].map((level) => limitBuy('win', level, 0));
      const outcomes = await executor.placeWindow(window, lease);
      expect(outcomes).toMatchObject(window.map(() => ({ status: 'skipped', reason: 'lock-lost' })));
      expect(venueCalls).toEqual({ placeOrder: 0, placeOrders: 0 });
      for (const buy of window) {
        expect(await database.getIntents({ clientOrderId: buy.clientOrderId })).toEqual([]);
        expect(await sim.exchange.getOrder(SYMBOL, buy.clientOrderId)).toBeUndefined();
      }
    });
  });
}
