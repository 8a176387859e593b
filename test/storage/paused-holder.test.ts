/**
 * Takeover never waits for a paused holder (issue 14 item 3), database half. A paused instance's
 * session sits idle inside its transaction holding the ownership fence row (it was stopped between
 * two statements of its intent write); the new owner's claim of that fence must not queue behind
 * it for as long as the pause lasts. The server ends the idle session (its locks go with it) and
 * the claim completes well within the lease TTL; the paused transaction commits nothing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/storage/database.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { intent } from '../conformance/database-fixtures.js';
import { type TestDatabase, createPostgresDatabase } from '../harness/postgres.js';

const LEASE_TTL_MS = 3_000;
const OWNER = 'owner:sim:PAUSEUSDT';

let target: TestDatabase;
let paused: Database;
let successor: Database;

beforeAll(async () => {
  target = await createPostgresDatabase();
  paused = await openDatabase({ type: 'postgres', dsn: target.url });
  successor = await openDatabase({ type: 'postgres', dsn: target.url });
});
afterAll(async () => {
  await paused?.close();
  await successor?.close();
  await target?.drop();
});

it('a claim of the ownership fence completes within the lease TTL while the old owner sits paused inside its intent transaction', async () => {
  let resume!: () => void;
  const pause = new Promise<void>((resolve) => (resume = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const stalled = paused.transaction(async (tx) => {
    await tx.recordIntent(
      intent('pause-1', { symbol: 'PAUSEUSDT', ownershipFence: { fenceKey: OWNER, fencingToken: 1n } }),
    );
    holding();
    await pause; // the process is stopped here: no statement, no commit
  });
  const outcome = stalled.then(
    () => 'committed',
    () => 'ended',
  );
  await held;

  const started = performance.now();
  await successor.claimFence(OWNER, 2n, 'successor');
  const claimMs = performance.now() - started;
  resume();

  expect(claimMs).toBeLessThan(LEASE_TTL_MS);
  expect(await outcome).toBe('ended');
  expect(await successor.getIntents({ clientOrderId: 'pause-1' })).toEqual([]);
  // The old owner, resumed, is refused by the fence it lost.
  await expect(
    paused.recordIntent(
      intent('pause-2', { symbol: 'PAUSEUSDT', level: 8, ownershipFence: { fenceKey: OWNER, fencingToken: 1n } }),
    ),
  ).rejects.toMatchObject({ highestToken: 2n });
});
