/**
 * Placement fenced by the symbol's ownership (issue 14, "a paused owner acts on a lost lease";
 * docs/reliability.md finding 1). An owner paused past its lease wakes up holding a fresh per-order
 * lock; once the new owner claimed the ownership fence, the database refuses the old owner's intent
 * (its ownership token is older), so nothing reaches the venue. A lease too close to its local
 * deadline sends nothing either: the order would reach the venue after another holder may act.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownershipKey } from '../../../src/coordination/lock/distributed-lock.js';
import { MemoryLock } from '../../../src/coordination/lock/memory/memory-lock.js';
import { ownershipLease } from '../../../src/coordination/ownership/symbol-ownership.js';
import type { Database } from '../../../src/storage/database.js';
import { until } from '../../harness/until.js';
import { SYMBOL, type SimFixture, executorFor, limitBuy, openStore, startSim } from '../runner-fixture.js';

describe('placement fenced by the symbol ownership', () => {
  let dir: string;
  let database: Database;
  let sim: SimFixture;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-owner-fence-'));
    database = await openStore(dir);
    sim = startSim();
  });
  afterAll(async () => {
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const executorOn = (lock: MemoryLock, instanceId: string, resyncs: unknown[] = [], sendMarginMs = 150) =>
    executorFor(sim, database, lock, instanceId, {
      granularity: 'level',
      sendMarginMs,
      onFencingResynchronised: (resync) => resyncs.push(resync),
    });
  const buy = (level: number, cycle: number) => limitBuy('ownf', level, cycle);
  const ownerKey = ownershipKey('sim', SYMBOL);

  it("refuses a stale owner's placement once the new owner claimed the symbol, and sends the new owner's", async () => {
    // The paused owner's lock backend still shows its lease (its own view on resuming), and its
    // per-order locks are fresh: only the ownership token tells it is not the owner any more.
    const oldBackend = new MemoryLock();
    const oldLease = ownershipLease(await oldBackend.lock(ownerKey, 10_000), 10_000);
    const newBackend = new MemoryLock();
    await newBackend.raiseTokenFloor(ownerKey, oldLease.token);
    const newLease = ownershipLease(await newBackend.lock(ownerKey, 10_000), 10_000);
    expect(newLease.token > oldLease.token).toBe(true);

    const oldResyncs: unknown[] = [];
    const stale = executorOn(oldBackend, 'old-owner', oldResyncs);
    expect((await stale.place(buy(1, 0), oldLease)).status).toBe('accepted');

    await database.claimFence(newLease.key, newLease.token, 'new-owner');
    const refused = await stale.place(buy(2, 0), oldLease);
    expect(refused).toMatchObject({ status: 'skipped', reason: 'lock-lost' });
    expect(await sim.exchange.getOrder(SYMBOL, 'ownf.B.2.0')).toBeUndefined();
    expect(await database.getIntents({ clientOrderId: 'ownf.B.2.0' })).toEqual([]);
    // A stale ownership is a lost symbol, not a lock backend that forgot its counters.
    expect(oldResyncs).toEqual([]);

    const current = executorOn(newBackend, 'new-owner');
    expect((await current.place(buy(2, 0), newLease)).status).toBe('accepted');
    expect(sim.accepted.filter((id) => id === 'ownf.B.2.0')).toHaveLength(1);
  });

  it('sends nothing, and records no intent, on an ownership lease with less than the send margin left', async () => {
    const lock = new MemoryLock();
    // A wide window (1.5 s of a 2 s lease) so a loaded machine still sees the lease live but short.
    const lease = ownershipLease(await lock.lock(`${ownerKey}:margin`, 2_000), 2_000);
    await until(() => lease.remainingMs < 1_500, 'the lease to come within the send margin');
    expect(lease.signal.aborted).toBe(false);
    const outcome = await executorOn(lock, 'late-owner', [], 1_500).place(buy(3, 0), lease);
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'lock-lost' });
    expect(await database.getIntents({ clientOrderId: 'ownf.B.3.0' })).toEqual([]);
    expect(await sim.exchange.getOrder(SYMBOL, 'ownf.B.3.0')).toBeUndefined();
  });
});
