/**
 * Fencing continuity (issue 15 item 3): a lock backend that forgot its counters hands out tokens
 * below the fence the intents table recorded. The first placement is refused as stale, the executor
 * raises the lock's token floor to the recorded token and reports it, and the next placement is
 * sent, with a token above the recorded one: no token is reused, no placement stalls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLock } from '../../../src/coordination/lock/memory/memory-lock.js';
import type { Database } from '../../../src/storage/database.js';
import { SYMBOL, type SimFixture, executorFor, limitBuy, openStore, startSim } from '../runner-fixture.js';

describe('fencing continuity after the lock backend forgot its counters', () => {
  let dir: string;
  let database: Database;
  let sim: SimFixture;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-fence-'));
    database = await openStore(dir);
    sim = startSim();
  });
  afterAll(async () => {
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const executorOn = (lock: MemoryLock, resyncs: unknown[]) =>
    executorFor(sim, database, lock, 'fence-test', {
      granularity: 'level',
      onFencingResynchronised: (resync) => resyncs.push(resync),
    });
  const buy = (level: number, cycle: number) => limitBuy('fence', level, cycle);

  it('refuses the stale token once, raises the floor and places the next order above the recorded token', async () => {
    // A long-lived lock backend: its tokens for the key have reached the twenties.
    const aged = new MemoryLock();
    await aged.raiseTokenFloor(`order:${sim.exchange.name}:${SYMBOL}:1`, 24n);
    expect((await executorOn(aged, []).place(buy(1, 0))).status).toBe('accepted');
    const recorded = (await database.getIntents({ symbol: SYMBOL })).find((intent) => intent.cycle === 0)!.fencingToken;
    expect(recorded > 20n).toBe(true);

    // Restarted empty: the same key starts again at 1.
    const forgetful = new MemoryLock();
    const resyncs: { lockKey: string; refused: bigint; recorded: bigint }[] = [];
    const executor = executorOn(forgetful, resyncs);
    const refused = await executor.place(buy(1, 1));
    expect(refused).toMatchObject({ status: 'skipped', reason: 'lock-lost' });
    expect(resyncs).toEqual([{ lockKey: `order:${sim.exchange.name}:${SYMBOL}:1`, refused: 1n, recorded }]);

    const resumed = await executor.place(buy(1, 1));
    expect(resumed.status).toBe('accepted');
    const intent = (await database.getIntents({ symbol: SYMBOL })).find((row) => row.cycle === 1)!;
    expect(intent.fencingToken > recorded).toBe(true);
    expect(resyncs).toHaveLength(1);
  });
});
