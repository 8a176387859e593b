/**
 * Takeover loading (Invariant 1) on SQLite, PostgreSQL and MariaDB: a dead owner's intents reached
 * the database while its last slot records did not (they were in its spool). The loaded grid,
 * moved past the recorded intents, builds only client order ids that were never recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { advancePastRecordedIntents, loadGrid, persistGrid } from '../../../src/engine/persistence/grid-loader.js';
import type { Database } from '../../../src/storage/database.js';
import { gridClientOrderId, gridTag } from '../../../src/strategy/grid/client-order-id.js';
import { decide } from '../../../src/strategy/grid/decide.js';
import { gridSettings } from '../../../src/strategy/grid/grid-settings.js';
import type { GridIdentity } from '../../../src/strategy/grid/grid-state.js';
import type { DatabaseTarget } from '../../conformance/database.suite.js';
import { MARKET, places } from '../../strategy/grid/grid-fixture.js';
import { BACKENDS, targetFor } from '../../storage/storage-targets.js';

const T0 = Date.UTC(2026, 0, 1);
const identity: GridIdentity = {
  exchange: 'sim',
  symbol: 'BTCUSDT',
  market: MARKET,
  settings: gridSettings({
    priceInterval: '100',
    orderQuantity: '130',
    buyWindowSize: 4,
    sellWindowSize: 4,
    feeRate: '0.0002',
  }),
};
const TAG = gridTag('sim', 'BTCUSDT', dec('60000'), dec('100'));

describe.each(BACKENDS)('takeover load on %s', (backend) => {
  let target: DatabaseTarget;
  let db: Database;
  beforeAll(async () => {
    target = await targetFor(backend);
    db = await target.open();
  });
  afterAll(async () => {
    await db?.close();
    await target?.dispose();
  });

  it('slots behind the recorded intents move past them, so the next client order ids are new', async () => {
    await db.ensureGrid({
      exchange: 'sim',
      symbol: 'BTCUSDT',
      anchor: dec('60000'),
      interval: dec('100'),
      paused: false,
      createdAt: T0,
      updatedAt: T0,
    });
    const slot = (level: number, cycle: number) => ({
      exchange: 'sim',
      symbol: 'BTCUSDT',
      level,
      cycle,
      positionQuantity: dec(0),
      entryPrice: dec(0),
      entryFees: dec(0),
      postOnlyRejections: 0,
      updatedAt: T0,
    });
    // Stored: level -1 at cycle 2, level -2 at cycle 0; nothing for level -3.
    await db.saveSlots([slot(-1, 2), slot(-2, 0)]);
    // The dead owner recorded (and sent) level -1 cycles 2 and 3 and level -3 cycle 5 before it died.
    const recorded = [
      [-1, 2],
      [-1, 3],
      [-3, 5],
    ].map(([level, cycle]) => gridClientOrderId(TAG, level!, 'BUY', cycle!));
    for (const [index, [level, cycle]] of [
      [-1, 2],
      [-1, 3],
      [-3, 5],
    ].entries()) {
      await db.recordIntent({
        exchange: 'sim',
        symbol: 'BTCUSDT',
        level: level!,
        cycle: cycle!,
        side: 'BUY',
        clientOrderId: recorded[index]!,
        price: dec(60000 + level! * 100),
        quantity: dec('0.002'),
        fenceKey: 'order:sim:BTCUSDT',
        fencingToken: 1n,
        instanceId: 'dead-owner',
        createdAt: T0,
      });
    }

    const loaded = await loadGrid(db, identity, T0 + 1);
    const advanced = await advancePastRecordedIntents(db, loaded, T0 + 2);
    expect([...advanced.levels].sort((x, y) => x - y)).toEqual([-3, -1]);
    expect(advanced.state.slots.get(-1)?.cycle).toBe(4);
    expect(advanced.state.slots.get(-3)?.cycle).toBe(6);
    expect(advanced.state.slots.get(-2)?.cycle).toBe(0);

    // The grid's first quotes: the buy window below 60000, none of them an id already recorded.
    const checked = decide(advanced.state, {
      type: 'AccountChecked',
      time: T0 + 3,
      availableBalance: dec('100000'),
      leverage: 5,
    });
    const quoted = places(decide(checked.state, { type: 'PriceUpdated', time: T0 + 4, price: dec('60000') }).commands);
    expect(quoted.map((place) => place.level).sort((x, y) => x - y)).toEqual([-4, -3, -2, -1]);
    expect(quoted.filter((place) => recorded.includes(place.clientOrderId))).toEqual([]);
    expect(quoted.find((place) => place.level === -1)?.clientOrderId).toBe(gridClientOrderId(TAG, -1, 'BUY', 4));

    // Stored, the moved cycles are what the next load finds.
    await persistGrid(db, advanced.state, false, advanced.levels);
    const reloaded = await loadGrid(db, identity, T0 + 5);
    expect(reloaded.slots.get(-1)?.cycle).toBe(4);
    expect(reloaded.slots.get(-3)?.cycle).toBe(6);
    expect((await advancePastRecordedIntents(db, reloaded, T0 + 6)).levels).toEqual([]);
  });
});
