/**
 * Fill recovery moves the shared fill cursor only past fills it decided (Invariant 2): a fill the
 * database could not judge during an outage (`undecided`) is offered again by the next recovery,
 * not hidden behind the cursor (found by test/app/database-outage.test.ts: a venue fill stored 0 times).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { Fill } from '../../../src/domain/fill.js';
import type { FillOutcome } from '../../../src/engine/grid-decisions.js';
import { recoverFills } from '../../../src/engine/reconciliation/fill-recovery.js';
import { cleanupAfterAll } from '../../harness/cleanup-after-all.js';
import { SYMBOL, openStore, startSim } from '../runner-fixture.js';

describe('recoverFills', () => {
  const cleanup = cleanupAfterAll();

  it('keeps the cursor before a page with an undecided fill, and offers that fill again next time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qm-fill-recovery-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const { exchange } = startSim();
    const database = await openStore(dir);
    cleanup.push(() => database.close());
    exchange.engine.setPrice(SYMBOL, dec('60000'));
    await exchange.placeOrder({
      symbol: SYMBOL,
      side: 'BUY',
      type: 'MARKET',
      quantity: dec('0.001'),
      clientOrderId: 'rec-1',
      postOnly: false,
      reduceOnly: false,
    });
    const recover = (outcome: FillOutcome, seen: Fill[]) =>
      recoverFills({
        exchange,
        database,
        symbol: SYMBOL,
        clock: () => Date.now(),
        applyFill: async (fill) => {
          seen.push(fill);
          return outcome;
        },
        ended: () => false,
        fence: () => undefined,
      });

    const duringOutage: Fill[] = [];
    expect(await recover('undecided', duringOutage)).toBe(0);
    expect(duringOutage.map((fill) => fill.clientOrderId)).toEqual(['rec-1']);
    await database.drain();
    expect(await database.getFillCursor(exchange.name, exchange.account, SYMBOL)).toBeUndefined();

    const afterOutage: Fill[] = [];
    expect(await recover('applied', afterOutage)).toBe(1);
    expect(afterOutage.map((fill) => fill.clientOrderId)).toEqual(['rec-1']);
    await database.drain();
    expect(await database.getFillCursor(exchange.name, exchange.account, SYMBOL)).toBeDefined();
  });
});
