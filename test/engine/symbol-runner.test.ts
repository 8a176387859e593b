/**
 * Runner integration (Invariants 1–3 in one process): a TradingEngine on the in-process sim venue
 * (manual clock) and a real SQLite database behind the spool. Numbered cases:
 *  1. a price places the buy window (one order per slot);
 *  2. fills are stored once and booked as trades once;
 *  3. a restart on the same database and venue resumes the same grid (anchor, slots) and adopts the
 *     open orders: no client order id is accepted twice;
 *  4. fills that happened while the runner was down are applied once at the next start;
 *  5. stop with cancel_on_exit leaves no working grid order at the venue;
 *  6. the fenced path: a lease taken over makes the former holder's token stale (refused), and its
 *     executor does not send the intent again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLock } from '../../src/coordination/lock/memory/memory-lock.js';
import { NoopLock } from '../../src/coordination/lock/noop/noop-lock.js';
import { dec } from '../../src/domain/decimal.js';
import { isWorking } from '../../src/domain/order.js';
import type { TradingEngine } from '../../src/engine/trading-engine.js';
import type { Database } from '../../src/storage/database.js';
import { StaleFencingTokenError } from '../../src/storage/errors.js';
import { type GridOrderId, parseClientOrderId } from '../../src/strategy/grid/client-order-id.js';
import {
  BUY_WINDOW,
  SYMBOL,
  type SimFixture,
  engineFor,
  executorFor,
  flushed,
  openStore,
  startSim,
} from './runner-fixture.js';
import { until } from '../harness/until.js';

const lock = new NoopLock();

describe('SymbolRunner on the sim venue and SQLite', () => {
  let dir: string;
  let sim: SimFixture;
  let database: Database;
  let engine: TradingEngine;

  const venueOpen = () => sim.exchange.engine.openOrders(sim.exchange.account, SYMBOL);
  const venueFills = () => sim.exchange.engine.fillsAfter(sim.exchange.account, SYMBOL, undefined, 100_000);
  const runner = () => engine.runner(SYMBOL)!;
  /** Every slot's order is confirmed by the venue (nothing pending) and the venue holds exactly those. */
  const settled = () => {
    const slots = [...(runner().state?.slots.values() ?? [])].filter((slot) => slot.order !== undefined);
    const open = venueOpen()
      .map((order) => order.clientOrderId)
      .sort();
    return (
      slots.every((slot) => slot.order!.status === 'NEW' || slot.order!.status === 'PARTIALLY_FILLED') &&
      JSON.stringify(slots.map((slot) => slot.order!.clientOrderId).sort()) === JSON.stringify(open)
    );
  };
  const duplicates = () => sim.accepted.filter((id, index) => sim.accepted.indexOf(id) !== index);
  const setPrice = (price: string) => sim.exchange.engine.setPrice(SYMBOL, dec(price));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-runner-'));
    sim = startSim();
    database = await openStore(dir);
  });
  afterAll(async () => {
    await engine?.stop({ cancelOnExit: false, closePositions: false });
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('1. places one order per slot of the buy window after a price', async () => {
    engine = engineFor(sim, database, lock);
    await engine.start();
    await engine.ownershipWon(SYMBOL);
    setPrice('60000');
    await until(() => venueOpen().length === BUY_WINDOW && settled(), 'the buy window at the venue');
    const intents = venueOpen().map((order) => parseClientOrderId(order.clientOrderId));
    const buys = intents.filter((parsed): parsed is GridOrderId => parsed?.purpose === 'grid' && parsed.side === 'BUY');
    expect(buys).toHaveLength(intents.length);
    expect(new Set(buys.map((parsed) => parsed.level)).size).toBe(BUY_WINDOW);
    expect(duplicates()).toEqual([]);
  });

  it('2. stores each fill once and books each round trip once', async () => {
    setPrice('59750');
    await until(() => venueFills().length >= 2 && settled(), 'buys filled and sells placed');
    setPrice('60150');
    await until(() => venueFills().some((fill) => fill.side === 'SELL') && settled(), 'a sell filled');
    await flushed(database);
    const stored = await database.getFills({ symbol: SYMBOL, limit: 10_000 });
    expect(stored.map((fill) => fill.tradeId).sort()).toEqual(
      venueFills()
        .map((fill) => fill.tradeId)
        .sort(),
    );
    const trades = await database.getTrades({ symbol: SYMBOL, limit: 10_000 });
    // Each sell fill closes (part of) one slot's buy: one trade per sell fill, booked once.
    expect(trades.length).toBe(venueFills().filter((fill) => fill.side === 'SELL').length);
    expect(new Set(trades.map((trade) => trade.id)).size).toBe(trades.length);
    expect(duplicates()).toEqual([]);
  });

  it('3. a restart resumes the same grid and adopts the open orders without placing duplicates', async () => {
    const before = runner().state!;
    const open = venueOpen()
      .map((order) => order.clientOrderId)
      .sort();
    const acceptedBefore = sim.accepted.length;
    await engine.stop({ cancelOnExit: false, closePositions: false });
    await database.close();
    database = await openStore(dir);
    engine = engineFor(sim, database, lock);
    await engine.start();
    await engine.ownershipWon(SYMBOL);
    const after = runner().state!;
    expect(after.lattice?.anchor.toFixed()).toBe(before.lattice?.anchor.toFixed());
    expect([...after.slots.keys()].sort()).toEqual([...before.slots.keys()].sort());
    expect(
      [...after.slots.values()]
        .filter((slot) => slot.order !== undefined && isWorking(slot.order.status))
        .map((slot) => slot.order!.clientOrderId)
        .sort(),
    ).toEqual(open);
    expect(
      venueOpen()
        .map((order) => order.clientOrderId)
        .sort(),
    ).toEqual(open);
    expect(sim.accepted.length).toBe(acceptedBefore);
    setPrice('60050');
    await until(settled, 'the grid settled after a price');
    expect(duplicates()).toEqual([]);
  });

  it('4. applies the fills that happened while it was down exactly once', async () => {
    await engine.stop({ cancelOnExit: false, closePositions: false });
    const fillsBefore = venueFills().length;
    setPrice('59650');
    expect(venueFills().length).toBeGreaterThan(fillsBefore);
    await database.close();
    database = await openStore(dir);
    engine = engineFor(sim, database, lock);
    await engine.start();
    await engine.ownershipWon(SYMBOL);
    await flushed(database);
    const stored = await database.getFills({ symbol: SYMBOL, limit: 10_000 });
    expect(stored.map((fill) => fill.tradeId).sort()).toEqual(
      venueFills()
        .map((fill) => fill.tradeId)
        .sort(),
    );
    await until(settled, 'the grid settled after recovery');
    const position = [...runner().state!.slots.values()].reduce((sum, slot) => sum.add(slot.positionQuantity), dec(0));
    const venuePosition = sim.exchange.engine
      .positions(sim.exchange.account, [SYMBOL])
      .reduce((sum, p) => sum.add(p.quantity), dec(0));
    expect(position.toFixed()).toBe(venuePosition.toFixed());
    expect(duplicates()).toEqual([]);
  });

  it('5. stop with cancel_on_exit leaves no working grid order', async () => {
    expect(venueOpen().length).toBeGreaterThan(0);
    await engine.stop({ cancelOnExit: true, closePositions: false });
    expect(venueOpen()).toEqual([]);
    expect(runner().summary().workingOrders).toBe(0);
    await flushed(database);
    expect(
      await database.getOrders({
        symbol: SYMBOL,
        status: ['PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL'],
        limit: 10_000,
      }),
    ).toEqual([]);
  });

  it('6. refuses a stale fencing token after a takeover and never sends the intent twice', async () => {
    // Its own database: the fence of this key starts with the MemoryLock's tokens.
    const fenced = await openStore(join(dir, 'fenced'));
    const shared = new MemoryLock();
    const former = executorFor(sim, fenced, shared, 'former');
    const successor = executorFor(sim, fenced, shared, 'successor');
    const key = former.lockKey(SYMBOL, -50);
    const stale = (await shared.tryLock(key, 30))!;
    await until(() => stale.signal.aborted, 'the former lease to expire', 5_000);
    // The local deadline comes a drift margin before the backend's expiry: wait for that as well.
    await until(
      async () => {
        const probe = await shared.tryLock(key, 10_000);
        await probe?.unlock();
        return probe !== undefined;
      },
      'the former lease to expire at the lock',
      5_000,
    );
    const placement = {
      symbol: SYMBOL,
      level: -50,
      cycle: 0,
      side: 'BUY' as const,
      price: dec('50000'),
      quantity: dec('0.003'),
      postOnly: true,
      reduceOnly: false,
      clientOrderId: 'qm.fencetst.B.-1e.0',
    };
    const outcome = await successor.place(placement);
    expect(outcome).toMatchObject({ status: 'accepted' });
    await expect(
      fenced.recordIntent({
        exchange: sim.exchange.name,
        symbol: SYMBOL,
        level: -51,
        cycle: 0,
        side: 'BUY',
        clientOrderId: 'qm.fencetst.B.-1f.0',
        price: dec('49900'),
        quantity: dec('0.003'),
        fenceKey: stale.key,
        fencingToken: stale.token,
        instanceId: 'former',
        createdAt: sim.exchange.engine.now(),
      }),
    ).rejects.toBeInstanceOf(StaleFencingTokenError);
    // The former holder retries the same intent: it is adopted from the venue, not sent again.
    const retried = await former.place(placement);
    expect(retried.status).toBe('accepted');
    expect(sim.accepted.filter((id) => id === placement.clientOrderId)).toHaveLength(1);
    await sim.exchange.cancelOrder(SYMBOL, { clientOrderId: placement.clientOrderId });
    await fenced.close();
  });
});
