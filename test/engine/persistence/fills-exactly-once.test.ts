/**
 * Exactly-once at any scale (Invariants 2 and 3): a symbol whose database already holds 100,000
 * fills trades, is restarted and then taken over on the same database and venue, on SQLite and on
 * PostgreSQL. Each time the grid's position, the database's and the venue's agree: no fill is
 * applied twice whatever the number stored before (the runner used to remember only the oldest
 * 1,000 and applied the recent fills again when reconciliation replayed them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoopLock } from '../../../src/coordination/lock/noop/noop-lock.js';
import { type Decimal, ZERO, dec } from '../../../src/domain/decimal.js';
import type { Fill } from '../../../src/domain/fill.js';
import type { TradingEngine } from '../../../src/engine/trading-engine.js';
import type { Database } from '../../../src/storage/database.js';
import type { DatabaseTarget } from '../../conformance/database.suite.js';
import { until } from '../../harness/until.js';
import { BACKENDS, targetFor } from '../../storage/storage-targets.js';
import { SYMBOL, type SimFixture, engineFor, startSim, storeFillHistory } from '../runner-fixture.js';

const STORED_FILLS = 100_000;
const lock = new NoopLock();

const signed = (fill: Fill): Decimal => (fill.side === 'BUY' ? fill.quantity : fill.quantity.neg());

describe.each(BACKENDS.filter((backend) => backend !== 'mysql'))(
  'a symbol with 100,000 stored fills (%s)',
  (backend) => {
    let target: DatabaseTarget;
    let database: Database;
    let sim: SimFixture;
    let tradingFrom: number;
    const engines: TradingEngine[] = [];

    const setPrice = (price: string) => sim.exchange.engine.setPrice(SYMBOL, dec(price));
    const venuePosition = () =>
      sim.exchange.engine
        .positions(sim.exchange.account, [SYMBOL])
        .reduce((sum, p) => sum.add(p.quantity), ZERO)
        .toFixed();
    const gridPosition = (engine: TradingEngine) =>
      [...(engine.runner(SYMBOL)?.state?.slots.values() ?? [])]
        .reduce((sum, slot) => sum.add(slot.positionQuantity), ZERO)
        .toFixed();
    /** The stored fills' position: the history adds up to zero, so the fills after it are paged through. */
    const storedPosition = async () => {
      let position = ZERO;
      for (let offset = 0; ; offset += 1000) {
        const page = await database.getFills({ symbol: SYMBOL, from: tradingFrom, limit: 1000, offset });
        position = page.reduce((sum, fill) => sum.add(signed(fill)), position);
        if (page.length < 1000) return position.toFixed();
      }
    };
    const started = async () => {
      const engine = engineFor(sim, database, lock);
      engines.push(engine);
      await engine.start();
      await engine.ownershipWon(SYMBOL);
      return engine;
    };

    beforeAll(async () => {
      target = await targetFor(backend);
      database = await target.open();
      sim = startSim();
      await storeFillHistory(database, sim, STORED_FILLS);
      tradingFrom = sim.exchange.engine.now();
    }, 300_000);
    afterAll(async () => {
      for (const engine of engines) await engine.stop({ cancelOnExit: false, closePositions: false });
      await database?.close();
      await target?.dispose();
    });

    it('trades, restarts and is taken over with grid, database and venue positions equal', async () => {
      const first = await started();
      setPrice('60000');
      await until(
        () => sim.exchange.engine.openOrders(sim.exchange.account, SYMBOL).length > 0,
        'the buy window at the venue',
      );
      setPrice('59750');
      await until(
        () => venuePosition() !== '0' && gridPosition(first) === venuePosition(),
        'buys filled and applied from the stream',
      );
      const bought = venuePosition();
      expect(await storedPosition()).toBe(bought);

      // Restart: reconciliation replays the venue's fills from the cursor; each is already stored.
      await first.stop({ cancelOnExit: false, closePositions: false });
      const restarted = await started();
      expect(gridPosition(restarted)).toBe(bought);

      // Takeover: the owner loses the lease mid-run and a fresh runner takes the symbol on the same store.
      setPrice('59650');
      await until(() => venuePosition() !== bought && gridPosition(restarted) === venuePosition(), 'more buys filled');
      restarted.ownershipLost(SYMBOL);
      const successor = await started();
      expect(gridPosition(successor)).toBe(venuePosition());
      expect(await storedPosition()).toBe(venuePosition());
      expect(venuePosition()).not.toBe(bought);
    }, 120_000);
  },
);
