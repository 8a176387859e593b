/**
 * A runner stopped while it starts (issue 14, the chaos suite's etcd-dynamic run): a symbol won just
 * before a shutdown (handed over as the instances stopped) had its runner still loading and
 * reconciling when SIGINT came. It was stopped as if it had never run: cancel_on_exit cancelled
 * nothing and no last fills were recovered, so the grid's orders stayed at the venue and kept
 * filling with nobody to store the fills (13 venue fills stored 0 times in the run). With the fix the
 * stop waits for the start, then stops the grid like a running one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NoopLock } from '../../src/coordination/lock/noop/noop-lock.js';
import { dec } from '../../src/domain/decimal.js';
import type { Database } from '../../src/storage/database.js';
import { until } from '../harness/until.js';
import { BUY_WINDOW, SYMBOL, engineFor, flushed, openStore, startSim } from './runner-fixture.js';

const lock = new NoopLock();
let dir: string;
let database: Database;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qm-stop-starting-'));
  database = await openStore(dir);
});
afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A first owner's buy window left working at the venue, as a handover leaves it for the next owner. */
async function windowLeftAtVenue() {
  const sim = startSim();
  const venue = sim.exchange.engine;
  const first = engineFor(sim, database, lock);
  await first.start();
  await first.ownershipWon(SYMBOL);
  venue.setPrice(SYMBOL, dec('60000'));
  await until(
    () => venue.openOrders(sim.exchange.account, SYMBOL).length === BUY_WINDOW,
    'the buy window at the venue',
  );
  await first.stop({ cancelOnExit: false, closePositions: false });
  await flushed(database);
  return { sim, venue };
}

it('a stop during the start cancels the orders on exit and stores every fill', async () => {
  const { sim, venue } = await windowLeftAtVenue();

  const second = engineFor(sim, database, lock);
  await second.start();
  const won = second.ownershipWon(SYMBOL);
  expect(second.runner(SYMBOL)!.lifecycle).toBe('starting');
  await second.stop({ cancelOnExit: true, closePositions: false, timeoutMs: 10_000 });
  await won.catch(() => undefined);
  await flushed(database);

  expect(venue.openOrders(sim.exchange.account, SYMBOL).map((order) => order.clientOrderId)).toEqual([]);
  // Nothing left to fill: a fall through the whole window books nothing more.
  venue.setPrice(SYMBOL, dec('50000'));
  const venueFills = venue.fillsAfter(sim.exchange.account, SYMBOL, undefined, 10_000);
  const stored = await database.getFills({ symbol: SYMBOL, limit: 10_000 });
  expect(stored.map((fill) => fill.tradeId).sort()).toEqual(venueFills.map((fill) => fill.tradeId).sort());
}, 60_000);

it('a symbol won after the stop is wound down: its orders cancelled on exit and the fills meanwhile stored', async () => {
  const { sim, venue } = await windowLeftAtVenue();
  // One of those orders fills meanwhile, with no owner running.
  const filledBefore = venue.fillsAfter(sim.exchange.account, SYMBOL, undefined, 10_000).length;
  venue.setPrice(SYMBOL, dec('59850'));
  expect(venue.fillsAfter(sim.exchange.account, SYMBOL, undefined, 10_000).length).toBeGreaterThan(filledBefore);

  const second = engineFor(sim, database, lock);
  await second.start();
  await second.stop({ cancelOnExit: true, closePositions: false, timeoutMs: 10_000 });
  // Won after its instance began stopping: wound down, not left to fill unattended.
  await second.ownershipWon(SYMBOL);
  await flushed(database);

  expect(second.runner(SYMBOL)!.lifecycle).toBe('stopped');
  expect(
    venue
      .openOrders(sim.exchange.account, SYMBOL)
      .filter((order) => order.side === 'BUY')
      .map((order) => order.clientOrderId),
  ).toEqual([]);
  const venueFills = venue.fillsAfter(sim.exchange.account, SYMBOL, undefined, 10_000);
  const stored = await database.getFills({ symbol: SYMBOL, limit: 10_000 });
  expect(stored.map((fill) => fill.tradeId).sort()).toEqual(venueFills.map((fill) => fill.tradeId).sort());
}, 60_000);
