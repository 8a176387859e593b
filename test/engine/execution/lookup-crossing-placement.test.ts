/**
 * A lookup's "the venue does not hold this id" is proof only when no request for the id can still
 * take effect (issue 14: "next cycle placed while the previous one still rested";
 * test/app/standby-failover.test.ts's overlap of `B.0.0` and `B.0.1`). A reconciliation's lookup
 * that crosses the placement of the same id is answered before the venue saw the order; applied,
 * it ended the acknowledged order and the slot placed its next cycle beside it. And an id an
 * earlier owner sent may still be accepted for the venue's request validity after the takeover.
 * And an answer waits in the runner's queue before it is applied: a placement of the same id that
 * begins meanwhile makes it stale (chaos etcd-dynamic, seed 20261204: `S.15.1` re-placed and then
 * ended by the earlier "not held", `S.15.2` placed beside it).
 */
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelLockKey } from '../../../src/coordination/lock/distributed-lock.js';
import { MemoryLock } from '../../../src/coordination/lock/memory/memory-lock.js';
import { dec } from '../../../src/domain/decimal.js';
import { VenueActions } from '../../../src/engine/execution/venue-actions.js';
import type { OrderReport } from '../../../src/exchange/exchange.js';
import type { Database } from '../../../src/storage/database.js';
import { openDatabase } from '../../../src/storage/open-database.js';
import { type TestDatabase, createPostgresDatabase } from '../../harness/postgres.js';
import { until } from '../../harness/until.js';
import { SYMBOL, type SimFixture, executorFor, limitBuy, startSim } from '../runner-fixture.js';

describe('a lookup that finds nothing while the id may still reach the venue', () => {
  let target: TestDatabase;
  let database: Database;
  let sim: SimFixture;

  beforeAll(async () => {
    target = await createPostgresDatabase();
    database = await openDatabase({ type: 'postgres', dsn: target.url });
    sim = startSim();
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  const actionsOn = (requestValidityMs: number) => {
    const reports: OrderReport[] = [];
    const missing: string[] = [];
    /** Each "not held" with its check, applied (or not) when the test says: the runner's queue. */
    const queuedMissing: { clientOrderId: string; stillProof: () => boolean }[] = [];
    const logged: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
    const executor = executorFor(sim, database, new MemoryLock(), 'lookup-test', { granularity: 'level' });
    const actions = new VenueActions({
      exchangeName: sim.exchange.name,
      symbol: SYMBOL,
      executor,
      logger,
      clock: () => sim.exchange.engine.now(),
      cancelOrder: (clientOrderId) => sim.exchange.cancelOrder(SYMBOL, { clientOrderId }),
      requestValidityMs,
      answers: {
        report: async (order) => void reports.push(order),
        event: async () => undefined,
        missing: async (clientOrderId, stillProof) => {
          missing.push(clientOrderId);
          queuedMissing.push({ clientOrderId, stillProof });
        },
        placing: () => true,
        wakeAt: () => undefined,
        ownership: () => undefined,
      },
    });
    return { actions, reports, missing, queuedMissing, logged };
  };
  const buy = (level: number, cycle: number) => ({ type: 'PlaceOrder' as const, ...limitBuy('lkp', level, cycle) });

  it('drops a "not held" answered while the same id was being placed', async () => {
    sim.exchange.engine.setPrice(SYMBOL, dec('60000'));
    const { actions, reports, missing } = actionsOn(0);
    // Another session holds the level's fence row: the placement waits inside its intent write.
    const holder = new pg.Client({ connectionString: target.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(
        'insert into fences (fence_key, max_token) values ($1, 0) on conflict (fence_key) do update set max_token = fences.max_token',
        [levelLockKey(sim.exchange.name, SYMBOL, 1)],
      );
      actions.act([buy(1, 0)]);
      await until(async () => {
        const waiting = await holder.query('select count(*)::int as n from pg_locks where not granted');
        return (waiting.rows[0] as { n: number }).n > 0;
      }, 'the placement to wait for the fence row');

      actions.lookup('lkp.B.1.0');
      await until(() => actions.inFlight === 1, 'the lookup to be answered');
      await holder.query('commit');
    } finally {
      await holder.end();
    }
    await actions.settled();
    expect(reports.map((order) => order.clientOrderId)).toEqual(['lkp.B.1.0']);
    expect(missing).toEqual([]);
    expect((await sim.exchange.getOrder(SYMBOL, 'lkp.B.1.0'))?.status).toBe('NEW');
  });

  it("asks again once an earlier owner's request can no longer take effect, and finds its late order", async () => {
    const { actions, reports, missing, logged } = actionsOn(1_500);
    actions.beginTerm();
    actions.lookup('lkp.B.2.0');
    // The earlier owner's request for the id reaches the venue after the first answer.
    await until(
      () => logged.some((line) => line.includes('asked again once a late request')),
      'the first answer to be held back',
    );
    await sim.exchange.placeOrder({
      symbol: SYMBOL,
      side: 'BUY',
      type: 'LIMIT',
      price: dec(59_800),
      quantity: dec('0.001'),
      postOnly: true,
      reduceOnly: false,
      clientOrderId: 'lkp.B.2.0',
    });
    await actions.settled();
    expect(missing).toEqual([]);
    expect(reports.map((order) => order.clientOrderId)).toEqual(['lkp.B.2.0']);
  });

  it('a "not held" still waiting to be applied is no proof once a placement of the same id began', async () => {
    sim.exchange.engine.setPrice(SYMBOL, dec('60000'));
    const { actions, reports, queuedMissing } = actionsOn(0);
    actions.lookup('lkp.B.3.0');
    actions.lookup('lkp.B.4.0');
    await actions.settled();
    expect(queuedMissing.map((answer) => answer.clientOrderId)).toEqual(['lkp.B.3.0', 'lkp.B.4.0']);

    // Before the runner gets to the answers, the slot of level 3 places the same id again.
    actions.act([buy(3, 0)]);
    await actions.settled();
    expect(reports.map((order) => order.clientOrderId)).toEqual(['lkp.B.3.0']);
    expect((await sim.exchange.getOrder(SYMBOL, 'lkp.B.3.0'))?.status).toBe('NEW');

    const [placedAgain, untouched] = queuedMissing;
    expect(placedAgain!.stillProof()).toBe(false);
    expect(untouched!.stillProof()).toBe(true);
  });

  it('asks the venue once for an id whose lookup is still under way', async () => {
    const { actions, logged } = actionsOn(60_000);
    actions.beginTerm();
    // Reconciliations a few seconds apart ask about the same vanished order while the first
    // lookup waits (here: out the request validity; in a run: behind the rate limiter).
    for (let ask = 0; ask < 3; ask += 1) actions.lookup('lkp.B.5.0');
    await until(() => actions.inFlight === 1, 'the repeated asks to end at once');
    const asked = () => logged.filter((line) => line.includes('lkp.B.5.0')).length;
    await until(() => asked() > 0, 'the first answer');
    actions.lookup('lkp.B.5.0');
    await until(() => actions.inFlight === 1, 'the fourth ask to end at once');
    actions.abandon();
    await actions.settled();
    expect(asked()).toBe(1);
  });
});
