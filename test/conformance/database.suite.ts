/**
 * Conformance suite of the Database port (R4, R10 database half, Invariants 1 and 2), run unchanged
 * against every backend and decorator. Cases are numbered DB01…; the requirement each proves is in
 * its name. Writes run inside `writing()`: during the target's outage when it has one (a spooled
 * database whose writes must not need the database), then every adapter drains, so the reads after
 * it see them. What an adapter declares in `capabilities` is what it is held to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/decimal.js';
import type { Database } from '../../src/storage/database.js';
import { DuplicateIntentError, InvalidStorageOptionsError, StaleFencingTokenError } from '../../src/storage/errors.js';
import { DAY, DAY0, event, fill, grid, intent, order, slot, text, trade } from './database-fixtures.js';

export interface DatabaseTarget {
  readonly name: string;
  /** Opens a new adapter (its own pool or connection) on the target's database, applying migrations. */
  open(): Promise<Database>;
  /** Drops the target's database. */
  dispose(): Promise<void>;
  /** Cuts the database off (`begin`) and brings it back (`end`): the writes of each case run in between. */
  readonly outage?: { begin(): void; end(): void } | undefined;
}

export function databaseConformance(createTarget: () => Promise<DatabaseTarget>): void {
  let target: DatabaseTarget;
  let db: Database;
  let second: Database;
  let third: Database;

  beforeAll(async () => {
    target = await createTarget();
    // DB01 runs here: three adapters open a fresh database at once, each migrating it.
    [db, second, third] = await Promise.all([target.open(), target.open(), target.open()]);
  });

  afterAll(async () => {
    await Promise.all([db, second, third].map((d) => d?.close()));
    await target?.dispose();
  });

  /** Runs `writes` (during the target's outage, if any), then waits until every adapter wrote them. */
  async function writing<T>(writes: () => Promise<T>): Promise<T> {
    target.outage?.begin();
    let result: T;
    try {
      result = await writes();
    } finally {
      target.outage?.end();
    }
    for (const adapter of [db, second, third]) expect(await adapter.drain(60_000)).toBe(true);
    return result;
  }

  describe('Database conformance', () => {
    it('DB01 (R4) migrations are applied by three adapters opening at once, and again without harm', async () => {
      await Promise.all([db.migrate(), second.migrate(), third.migrate()]);
      await db.migrate();
      await db.ping();
      expect(await third.getTrades({})).toEqual([]);
    });

    it('DB02 (R4) a trade round-trips exactly and a second save of its id is ignored', async () => {
      const original = trade('t-exact', {
        quantity: '0.123456789012345678',
        buyPrice: '12345678901234567890.5',
        realizedPnl: '-0.000000000000000001',
      });
      await writing(async () => {
        await db.saveTrade(original);
        await db.saveTrade({ ...original, fees: dec('999') });
      });
      const [stored] = await db.getTrades({ symbol: 'BTCUSDT', from: DAY0 + 1000, to: DAY0 + 1001 });
      expect(stored).toBeDefined();
      expect(text(stored!.quantity)).toBe('0.123456789012345678');
      expect(text(stored!.buyPrice)).toBe('12345678901234567890.5');
      expect(text(stored!.realizedPnl)).toBe('-0.000000000000000001');
      expect(text(stored!.fees)).toBe('0.05');
      expect(stored!.closedAt).toBe(DAY0 + 1000);
    });

    it('DB03 (R4) batchSaveTrades skips duplicates; filters by exchange, symbol and time; pages are capped', async () => {
      const many = Array.from({ length: 1200 }, (_, i) =>
        trade(`b-${String(i).padStart(4, '0')}`, { symbol: 'PAGEUSDT', closedAt: DAY0 + 10 * DAY + i }),
      );
      await writing(async () => {
        await db.batchSaveTrades(many.slice(0, 700));
        await db.batchSaveTrades(many);
      });
      const page = await db.getTrades({ symbol: 'PAGEUSDT', limit: 5, offset: 10 });
      expect(page.map((t) => t.id)).toEqual(['b-0010', 'b-0011', 'b-0012', 'b-0013', 'b-0014']);
      expect(await db.getTrades({ symbol: 'PAGEUSDT', limit: 100_000 })).toHaveLength(1000);
      expect(await db.getTrades({ symbol: 'PAGEUSDT', from: DAY0 + 10 * DAY + 1195, limit: 50 })).toHaveLength(5);
      expect(await db.getTrades({ symbol: 'PAGEUSDT', to: DAY0 + 10 * DAY + 3 })).toHaveLength(3);
      expect(await db.getTrades({ symbol: 'PAGEUSDT', exchange: 'elsewhere' })).toHaveLength(0);
    });

    it('DB04 (R4) saveOrder upserts by client order id, keeps a state history and ignores older updates', async () => {
      await writing(async () => {
        await db.saveOrder(order('o-1'));
        await db.saveOrder(order('o-1'));
        await db.saveOrder(
          order('o-1', {
            status: 'PARTIALLY_FILLED',
            filledQuantity: dec('0.004'),
            averagePrice: dec('100.5'),
            exchangeOrderId: 'x1',
            updatedAt: DAY0 + 10,
          }),
        );
        await db.saveOrder(order('o-1', { status: 'FILLED', filledQuantity: dec('0.01'), updatedAt: DAY0 + 20 }));
        await db.saveOrder(order('o-1', { status: 'NEW', updatedAt: DAY0 + 5 })); // late, stale report
        await db.saveOrder(
          order('o-2', {
            symbol: 'ETHUSDT',
            side: 'SELL',
            price: undefined,
            type: 'MARKET',
            level: undefined,
            cycle: undefined,
          }),
        );
      });
      const [stored] = await db.getOrders({ clientOrderId: 'o-1' });
      expect(stored).toMatchObject({
        status: 'FILLED',
        exchangeOrderId: undefined,
        postOnly: true,
        reduceOnly: false,
        level: 4,
        cycle: 0,
        updatedAt: DAY0 + 20,
      });
      expect(text(stored!.filledQuantity)).toBe('0.01');
      const history = await db.getOrderHistory('sim', 'o-1');
      expect(history.map((h) => [h.status, text(h.filledQuantity), h.time])).toEqual([
        ['NEW', '0', DAY0],
        ['PARTIALLY_FILLED', '0.004', DAY0 + 10],
        ['FILLED', '0.01', DAY0 + 20],
      ]);
      expect((await db.getOrders({ status: ['NEW'] })).map((o) => o.clientOrderId)).toEqual(['o-2']);
      const market = (await db.getOrders({ symbol: 'ETHUSDT' }))[0]!;
      expect(market).toMatchObject({ type: 'MARKET', price: undefined, level: undefined, side: 'SELL' });
      expect(await db.getOrders({ status: [] })).toEqual([]);
      expect(await db.getOrders({ from: DAY0 + 1, to: DAY0 + 100 })).toHaveLength(1);
    });

    it('DB05 (Invariant 2) a fill is stored once per exchange, account, symbol and trade id, and each save says whether it was new', async () => {
      await writing(async () => {
        expect(await db.saveFill(fill('f-1'))).toBe(true);
        // Binance numbers trades per symbol: the same trade id on another symbol is another fill.
        expect(await db.saveFill(fill('f-1', { symbol: 'SOLUSDT' }))).toBe(true);
        expect(await db.saveFill(fill('f-1', { price: dec('1') }))).toBe(false);
        expect(await second.saveFill(fill('f-1', { account: 'sub' }))).toBe(true);
        expect(
          await db.batchSaveFills([
            fill('f-1'),
            fill('f-2'),
            fill('f-3', { symbol: 'ETHUSDT', time: DAY0 + 9000 }),
            fill('f-2'),
          ]),
        ).toBe(2);
      });
      // Stored now: every adapter, the one that wrote them or another, answers "not new".
      expect(await db.saveFill(fill('f-2'))).toBe(false);
      expect(await third.saveFill(fill('f-1', { account: 'sub' }))).toBe(false);
      expect(
        await third.batchSaveFills([
          fill('f-3', { symbol: 'ETHUSDT', time: DAY0 + 9000 }),
          fill('f-4', { time: DAY0 + 6000 }),
        ]),
      ).toBe(1);
      await writing(async () => undefined);
      const stored = await db.getFills({ account: 'main', symbol: 'BTCUSDT' });
      expect(stored.map((f) => f.tradeId)).toEqual(['f-1', 'f-2', 'f-4']);
      expect(stored[0]).toMatchObject({ isMaker: true, side: 'BUY', feeAsset: 'USDT', time: DAY0 + 5000 });
      expect(text(stored[0]!.price)).toBe('99.123456789012345678');
      expect(text(stored[0]!.fee)).toBe('-0.0001');
      expect(await db.getFills({ from: DAY0 + 6001 })).toHaveLength(1);
      expect(await db.getFills({ clientOrderId: 'c-f-2' })).toHaveLength(1);
      expect((await db.getFills({ tradeId: 'f-1' })).map((f) => `${f.account}/${f.symbol}`).sort()).toEqual([
        'main/BTCUSDT',
        'main/SOLUSDT',
        'sub/BTCUSDT',
      ]);
      expect(await third.saveFill(fill('f-1', { symbol: 'SOLUSDT' }))).toBe(false);
    });

    it('DB06 (R4) statistics per symbol and UTC day match hand-computed figures', async () => {
      await writing(() =>
        db.batchSaveTrades([
          trade('s-1', {
            symbol: 'STATBTC',
            quantity: '0.5',
            sellPrice: '101',
            fees: '0.05',
            realizedPnl: '0.45',
            closedAt: DAY0 + 20 * DAY,
          }),
          trade('s-2', {
            symbol: 'STATBTC',
            quantity: '0.25',
            sellPrice: '199',
            fees: '0.1',
            realizedPnl: '-0.35',
            closedAt: DAY0 + 21 * DAY - 1,
          }),
          trade('s-3', {
            symbol: 'STATBTC',
            quantity: '1',
            sellPrice: '10.1',
            fees: '0.01',
            realizedPnl: '0.09',
            closedAt: DAY0 + 21 * DAY,
          }),
          trade('s-4', {
            symbol: 'STATETH',
            quantity: '2',
            sellPrice: '3001.123',
            fees: '1.2',
            realizedPnl: '0.8',
            closedAt: DAY0 + 20 * DAY + 10,
          }),
          trade('s-5', { exchange: 'other', symbol: 'STATETH', realizedPnl: '100', closedAt: DAY0 + 20 * DAY + 10 }),
        ]),
      );
      const stats = await db.getStatistics({ exchange: 'sim', from: DAY0 + 20 * DAY, to: DAY0 + 30 * DAY });
      expect(
        stats.days.map((d) => [
          d.symbol,
          d.day,
          text(d.realizedPnl),
          text(d.fees),
          text(d.volume),
          d.tradeCount,
          text(d.winRate),
        ]),
      ).toEqual([
        ['STATBTC', '2026-12-10', '0.1', '0.15', '100.25', 2, '0.5'],
        ['STATETH', '2026-12-10', '0.8', '1.2', '6002.246', 1, '1'],
        ['STATBTC', '2026-12-11', '0.09', '0.01', '10.1', 1, '1'],
      ]);
      expect([
        text(stats.realizedPnl),
        text(stats.fees),
        text(stats.volume),
        stats.tradeCount,
        text(stats.winRate),
      ]).toEqual(['0.99', '1.36', '6112.596', 4, '0.75']);
      const one = await db.getStatistics({ symbol: 'STATBTC', from: DAY0 + 21 * DAY });
      expect(one.days.map((d) => d.day)).toEqual(['2026-12-11']);
      const none = await db.getStatistics({ symbol: 'NOTHING' });
      expect([none.days.length, none.tradeCount, text(none.winRate)]).toEqual([0, 0, '0']);
    });

    it('DB07 (R4) a grid keeps its first anchor; pausing is stored', async () => {
      const first = await db.ensureGrid(grid());
      const again = await second.ensureGrid(grid({ anchor: dec('250') }));
      expect(text(first.anchor)).toBe('100');
      expect(text(again.anchor)).toBe('100');
      await writing(() => db.setGridPaused('sim', 'BTCUSDT', true, 'drawdown', DAY0 + 1));
      expect(await db.getGrid('sim', 'BTCUSDT')).toMatchObject({
        paused: true,
        pausedReason: 'drawdown',
        updatedAt: DAY0 + 1,
      });
      await writing(() => db.setGridPaused('sim', 'BTCUSDT', false, undefined, DAY0 + 2));
      expect(await db.getGrid('sim', 'BTCUSDT')).toMatchObject({ paused: false, pausedReason: undefined });
      expect(await db.getGrid('sim', 'NOPE')).toBeUndefined();
    });

    it('DB08 (R4) slots are upserted by level with their cycle numbers', async () => {
      await writing(async () => {
        await db.saveSlots([slot(2), slot(-1), slot(5)]);
        await db.saveSlots([
          slot(2, {
            cycle: 3,
            positionQuantity: dec('0.02'),
            entryPrice: dec('99.5'),
            entryFees: dec('0.001'),
            postOnlyRejections: 2,
          }),
        ]);
      });
      const slots = await db.getSlots('sim', 'BTCUSDT');
      expect(slots.map((s) => s.level)).toEqual([-1, 2, 5]);
      expect(slots[1]).toMatchObject({ cycle: 3, postOnlyRejections: 2 });
      expect(text(slots[1]!.positionQuantity)).toBe('0.02');
    });

    const own = (fencingToken: bigint) => ({ fenceKey: 'owner:sim:BTCUSDT', fencingToken });
    it('DB09c (Invariant 1) a claimed ownership fence refuses the intents of an older owner, and a stale claim', async () => {
      await db.recordIntent(
        intent('o-1', { symbol: 'OWNUSDT', fenceKey: 'ok1', fencingToken: 1n, ownershipFence: own(4n), level: 40 }),
      );
      await db.claimFence('owner:sim:BTCUSDT', 5n, 'i-1');
      // The older owner's per-order lock is fresh (a higher token than ever), its ownership is not.
      await expect(
        db.recordIntent(
          intent('o-2', { symbol: 'OWNUSDT', fenceKey: 'ok1', fencingToken: 2n, ownershipFence: own(4n), level: 41 }),
        ),
      ).rejects.toMatchObject({ fenceKey: 'owner:sim:BTCUSDT', fencingToken: 4n, highestToken: 5n });
      expect(await db.getIntents({ clientOrderId: 'o-2' })).toEqual([]);
      await db.recordIntent(
        intent('o-3', { symbol: 'OWNUSDT', fenceKey: 'ok1', fencingToken: 2n, ownershipFence: own(5n), level: 42 }),
      );
      await expect(db.claimFence('owner:sim:BTCUSDT', 4n, 'i-1')).rejects.toBeInstanceOf(StaleFencingTokenError);
      await db.claimFence('owner:sim:BTCUSDT', 5n, 'i-1');
    });

    it('DB09e (Invariant 2) a transaction under an overtaken ownership fence stores nothing; under the current fence it is stored', async () => {
      const key = 'owner:sim:FENCEDUSDT';
      await db.claimFence(key, 7n, 'i-new');
      await writing(async () => {
        await db.transaction(async (tx) => {
          await tx.holdFence(key, 7n, 'i-new');
          await tx.saveSlots([slot(1, { symbol: 'FENCEDUSDT' })]);
        });
        // On the database it is refused at once; through a spool, dropped when it reaches the database.
        await db
          .transaction(async (tx) => {
            await tx.holdFence(key, 6n, 'i-old');
            await tx.saveSlots([slot(2, { symbol: 'FENCEDUSDT' })]);
            await tx.saveFill(fill('fenced-1', { symbol: 'FENCEDUSDT' }));
          })
          .catch((error: unknown) => expect(error).toBeInstanceOf(StaleFencingTokenError));
      });
      expect((await db.getSlots('sim', 'FENCEDUSDT')).map((stored) => stored.level)).toEqual([1]);
      expect(await db.getFills({ symbol: 'FENCEDUSDT' })).toEqual([]);
    });

    it('DB09 (Invariant 1) an intent is refused for a stale token, a taken slot round or a taken client order id', async () => {
      await db.recordIntent(intent('i-1', { fenceKey: 'k9', fencingToken: 10n }));
      await db.recordIntent(intent('i-2', { fenceKey: 'k9', fencingToken: 10n, level: 8 }));
      await expect(
        db.recordIntent(intent('i-3', { fenceKey: 'k9', fencingToken: 9n, level: 9 })),
      ).rejects.toBeInstanceOf(StaleFencingTokenError);
      await expect(db.recordIntent(intent('i-4', { fenceKey: 'k9', fencingToken: 11n }))).rejects.toBeInstanceOf(
        DuplicateIntentError,
      );
      await expect(
        db.recordIntent(intent('i-1', { fenceKey: 'k9', fencingToken: 11n, level: 20 })),
      ).rejects.toBeInstanceOf(DuplicateIntentError);
      await db.recordIntent(intent('i-5', { fenceKey: 'k9', fencingToken: 9_007_199_254_740_993n, level: 21 }));
      const stored = await db.getIntents({ clientOrderId: 'i-5' });
      expect(stored[0]!.fencingToken).toBe(9_007_199_254_740_993n);
      expect(text(stored[0]!.price)).toBe('93.1');
      expect((await db.getIntents({ symbol: 'BTCUSDT' })).map((i) => i.clientOrderId).sort()).toEqual([
        'i-1',
        'i-2',
        'i-5',
      ]);
    });

    it('DB09b (Invariant 1) an equal token from another instance is refused; the same instance may reuse its token', async () => {
      await db.recordIntent(intent('e-1', { fenceKey: 'eq', fencingToken: 7n, level: 30, instanceId: 'A' }));
      await db.recordIntent(intent('e-2', { fenceKey: 'eq', fencingToken: 7n, level: 31, instanceId: 'A' }));
      // A backend restarted empty hands token 7 to B as well: one token must not fence two holders.
      const refused = db.recordIntent(intent('e-3', { fenceKey: 'eq', fencingToken: 7n, level: 32, instanceId: 'B' }));
      await expect(refused).rejects.toBeInstanceOf(StaleFencingTokenError);
      await expect(refused).rejects.toMatchObject({ fencingToken: 7n, highestToken: 7n });
      expect(await db.getIntents({ clientOrderId: 'e-3' })).toEqual([]);
      // A higher token moves the fence to B; A's old token is then stale.
      await db.recordIntent(intent('e-4', { fenceKey: 'eq', fencingToken: 8n, level: 32, instanceId: 'B' }));
      await expect(
        db.recordIntent(intent('e-5', { fenceKey: 'eq', fencingToken: 8n, level: 33, instanceId: 'A' })),
      ).rejects.toBeInstanceOf(StaleFencingTokenError);
      await db.recordIntent(intent('e-6', { fenceKey: 'eq', fencingToken: 8n, level: 33, instanceId: 'B' }));
    });

    it('DB09d (Invariant 1) a window of intents is fenced once: a stale fence refuses all, a taken round only its own', async () => {
      const window = (prefix: string, fencingToken: bigint, owner: bigint, levels: number[]) =>
        levels.map((level) =>
          intent(`${prefix}-${level}`, {
            symbol: 'WINUSDT',
            fenceKey: 'win',
            fencingToken,
            ownershipFence: { fenceKey: 'owner:sim:WINUSDT', fencingToken: owner },
            level,
          }),
        );
      expect(await db.recordIntents(window('w', 3n, 1n, [1, 2, 3]))).toEqual([]);
      // Level 2's round is taken (by w-2), so only w2-4 and w2-5 are recorded.
      expect(await db.recordIntents(window('w2', 3n, 1n, [2, 4, 5]))).toEqual(['w2-2']);
      await db.claimFence('owner:sim:WINUSDT', 2n, 'i-1');
      await expect(db.recordIntents(window('w3', 4n, 1n, [6, 7]))).rejects.toMatchObject({
        fenceKey: 'owner:sim:WINUSDT',
        fencingToken: 1n,
        highestToken: 2n,
      });
      await expect(db.recordIntents(window('w4', 2n, 2n, [8]))).rejects.toMatchObject({
        fenceKey: 'win',
        fencingToken: 2n,
        highestToken: 3n,
      });
      expect((await db.getIntents({ symbol: 'WINUSDT' })).map((i) => i.clientOrderId).sort()).toEqual([
        'w-1',
        'w-2',
        'w-3',
        'w2-4',
        'w2-5',
      ]);
    });

    it('DB10 (Invariant 1) a stale token racing a newer one on another connection loses', async () => {
      await db.recordIntent(intent('r-0', { fenceKey: 'race', fencingToken: 10n, level: 100 }));
      if (!db.capabilities.immediateWritesInTransaction) {
        // No intent inside a transaction to hold the fence with: the newer token is recorded first.
        await db.recordIntent(intent('r-new', { fenceKey: 'race', fencingToken: 12n, level: 101 }));
        await expect(
          second.recordIntent(intent('r-stale', { fenceKey: 'race', fencingToken: 11n, level: 102 })),
        ).rejects.toBeInstanceOf(StaleFencingTokenError);
        expect(await db.getIntents({ clientOrderId: 'r-stale' })).toEqual([]);
        return;
      }
      const newer = await db.beginTx();
      await newer.recordIntent(intent('r-new', { fenceKey: 'race', fencingToken: 12n, level: 101 }));
      // The stale writer runs while the newer transaction holds the fence; it must wait and then lose.
      const stale = second.recordIntent(intent('r-stale', { fenceKey: 'race', fencingToken: 11n, level: 102 }));
      const outcome = stale.then(
        () => 'recorded',
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await newer.commit();
      expect(await outcome).toBeInstanceOf(StaleFencingTokenError);
      expect(await db.getIntents({ clientOrderId: 'r-stale' })).toEqual([]);
    });

    it('DB11 (Invariant 1) of two connections recording the same slot round at once, exactly one succeeds', async () => {
      for (let round = 0; round < 5; round += 1) {
        const results = await Promise.allSettled([
          db.recordIntent(intent(`d-${round}-a`, { fenceKey: 'dup', fencingToken: 5n, level: 200, cycle: round })),
          second.recordIntent(intent(`d-${round}-b`, { fenceKey: 'dup', fencingToken: 5n, level: 200, cycle: round })),
          third.recordIntent(intent(`d-${round}-c`, { fenceKey: 'dup', fencingToken: 5n, level: 200, cycle: round })),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DuplicateIntentError);
      }
    });

    it('DB12 (R4) rollback undoes every write of a transaction; commit keeps them; a Tx reads its own writes if it says so', async () => {
      const { readsOwnWrites, immediateWritesInTransaction } = db.capabilities;
      const txIntent = intent('tx-i', { symbol: 'TXUSDT', fenceKey: 'tx', fencingToken: 100n });
      if (readsOwnWrites) {
        // Reads inside need the database: only an adapter that reads its own writes has something to show.
        const tx = await db.beginTx();
        await tx.saveTrade(trade('tx-1', { symbol: 'TXUSDT' }));
        expect(await tx.getTrades({ symbol: 'TXUSDT' })).toHaveLength(1);
        await tx.rollback();
      }
      await writing(async () => {
        const tx = await db.beginTx();
        await tx.saveTrade(trade('tx-1', { symbol: 'TXUSDT' }));
        await tx.saveOrder(order('tx-o', { symbol: 'TXUSDT' }));
        expect(await tx.saveFill(fill('tx-f', { symbol: 'TXUSDT' }))).toBe(true);
        expect(await tx.saveFill(fill('tx-f', { symbol: 'TXUSDT' }))).toBe(false);
        if (immediateWritesInTransaction) await tx.recordIntent(txIntent);
        else await expect(tx.recordIntent(txIntent)).rejects.toBeInstanceOf(InvalidStorageOptionsError);
        await tx.saveEvent(event(DAY0, { symbol: 'TXUSDT' }));
        await tx.rollback();
        await tx.rollback();
      });
      expect(await db.getTrades({ symbol: 'TXUSDT' })).toEqual([]);
      expect(await db.getOrders({ symbol: 'TXUSDT' })).toEqual([]);
      expect(await db.getFills({ symbol: 'TXUSDT' })).toEqual([]);
      expect(await db.getIntents({ symbol: 'TXUSDT' })).toEqual([]);
      expect(await db.getEvents({ symbol: 'TXUSDT' })).toEqual([]);
      // The rolled-back fence did not raise the token: a lower one is still accepted.
      await db.recordIntent(intent('tx-i2', { symbol: 'TXUSDT', fenceKey: 'tx', fencingToken: 1n }));

      const result = await writing(async () => {
        await expect(
          db.transaction(async (t) => {
            await t.saveTrade(trade('tx-2', { symbol: 'TXUSDT' }));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        // The rolled-back fill was never stored: saved again it is new, and committed with its trade.
        return db.transaction(async (t) => {
          expect(await t.saveFill(fill('tx-f', { symbol: 'TXUSDT' }))).toBe(true);
          await t.saveTrade(trade('tx-3', { symbol: 'TXUSDT' }));
          return 'done';
        });
      });
      expect(result).toBe('done');
      expect((await second.getTrades({ symbol: 'TXUSDT' })).map((t) => t.id)).toEqual(['tx-3']);
      expect((await second.getFills({ symbol: 'TXUSDT' })).map((f) => f.tradeId)).toEqual(['tx-f']);
      expect(await second.transaction((t) => t.saveFill(fill('tx-f', { symbol: 'TXUSDT' })))).toBe(false);
    });

    it('DB13 (Invariant 2) events are stored once and filtered; fill cursors are upserted', async () => {
      await writing(async () => {
        await db.saveEvent(event(DAY0 + 1, { details: { reason: 'risk', nested: { n: 1 } } }));
        await db.saveEvent(event(DAY0 + 1, { details: { reason: 'risk', nested: { n: 1 } } }));
        await db.saveEvent(event(DAY0 + 2, { type: 'grid.resumed', symbol: undefined, exchange: undefined }));
      });
      expect(await db.getEvents({ type: 'grid.paused' })).toEqual([
        event(DAY0 + 1, { details: { reason: 'risk', nested: { n: 1 } } }),
      ]);
      expect(await db.getEvents({ from: DAY0 + 2 })).toEqual([
        event(DAY0 + 2, { type: 'grid.resumed', symbol: undefined, exchange: undefined }),
      ]);
      expect(await db.getEvents({ limit: 1 })).toHaveLength(1);
      expect(await db.getFillCursor('sim', 'main', 'BTCUSDT')).toBeUndefined();
      await writing(async () => {
        await db.saveFillCursor({
          exchange: 'sim',
          account: 'main',
          symbol: 'BTCUSDT',
          cursor: '100',
          updatedAt: DAY0,
        });
        await db.saveFillCursor({
          exchange: 'sim',
          account: 'main',
          symbol: 'BTCUSDT',
          cursor: '250',
          updatedAt: DAY0 + 1,
        });
      });
      expect(await second.getFillCursor('sim', 'main', 'BTCUSDT')).toEqual({
        exchange: 'sim',
        account: 'main',
        symbol: 'BTCUSDT',
        cursor: '250',
        updatedAt: DAY0 + 1,
      });
    });

    it('DB14 (R8) ping answers, an aborted ping rejects, close is idempotent', async () => {
      await db.ping();
      const controller = new AbortController();
      controller.abort();
      await expect(db.ping(controller.signal)).rejects.toBeDefined();
      const extra = await target.open();
      await extra.close();
      await extra.close();
    });

    it('DB15 (Invariant 1, takeover) the highest intent cycle is answered per level of the symbol only', async () => {
      expect(await db.getHighestIntentCycles('sim', 'HICUSDT')).toEqual(new Map());
      await db.recordIntent(intent('h-1', { symbol: 'HICUSDT', fenceKey: 'kh', level: 3, cycle: 0 }));
      await db.recordIntent(intent('h-2', { symbol: 'HICUSDT', fenceKey: 'kh', level: 3, cycle: 12, side: 'SELL' }));
      await db.recordIntent(intent('h-3', { symbol: 'HICUSDT', fenceKey: 'kh', level: 3, cycle: 7 }));
      await db.recordIntent(intent('h-4', { symbol: 'HICUSDT', fenceKey: 'kh', level: -2, cycle: 4 }));
      await db.recordIntent(intent('h-5', { symbol: 'HICOTHER', fenceKey: 'kh', level: 3, cycle: 99 }));
      expect(await db.getHighestIntentCycles('sim', 'HICUSDT')).toEqual(
        new Map([
          [3, 12],
          [-2, 4],
        ]),
      );
      const tx = await db.beginTx();
      const inTx = intent('h-6', { symbol: 'HICUSDT', fenceKey: 'kh', level: -2, cycle: 5 });
      if (db.capabilities.immediateWritesInTransaction) {
        await tx.recordIntent(inTx);
        expect((await tx.getHighestIntentCycles('sim', 'HICUSDT')).get(-2)).toBe(5);
      } else {
        await expect(tx.recordIntent(inTx)).rejects.toBeInstanceOf(InvalidStorageOptionsError);
      }
      await tx.rollback();
      expect((await db.getHighestIntentCycles('sim', 'HICUSDT')).get(-2)).toBe(4);
    });

    it('DB16 (R12) the instance registry keeps one row per instance, and the latest heartbeat wins', async () => {
      await db.saveInstance({ instanceId: 'reg-b', heartbeatAt: 1_000, snapshot: { mode: 'active', symbols: [] } });
      await second.saveInstance({ instanceId: 'reg-a', heartbeatAt: 1_500, snapshot: { mode: 'standby' } });
      await db.saveInstance({
        instanceId: 'reg-b',
        heartbeatAt: 2_000,
        snapshot: { mode: 'activated', symbols: [{ symbol: 'BTCUSDT' }] },
      });
      const seen = (await third.getInstances()).filter((record) => record.instanceId.startsWith('reg-'));
      expect(seen).toEqual([
        { instanceId: 'reg-a', heartbeatAt: 1_500, snapshot: { mode: 'standby' } },
        { instanceId: 'reg-b', heartbeatAt: 2_000, snapshot: { mode: 'activated', symbols: [{ symbol: 'BTCUSDT' }] } },
      ]);
    });
  });
}
