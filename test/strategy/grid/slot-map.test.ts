/**
 * SlotMap against a plain Map: seeded random slot changes (orders placed and ended, positions
 * opened and closed, levels far apart so chunks of both signs are used); after every change the two
 * hold the same slots, the tier scans return exactly the slots with orders / positions, the old map
 * is unchanged, the order counts by status match, and changedSince names exactly the levels whose slot changed.
 */
import { describe, expect, it } from 'vitest';
import { ZERO, dec } from '../../../src/domain/decimal.js';
import { type OrderStatus, isWorking } from '../../../src/domain/order.js';
import { SeededRandom } from '../../../src/exchange/sim/seeded-random.js';
import { type Slot, changeSlot, emptySlot } from '../../../src/strategy/grid/grid-state.js';
import { SlotMap } from '../../../src/strategy/grid/slot-map.js';

const STATUSES: readonly OrderStatus[] = [
  'PENDING_NEW',
  'NEW',
  'PARTIALLY_FILLED',
  'PENDING_CANCEL',
  'FILLED',
  'CANCELED',
];

function randomSlot(random: SeededRandom, level: number, time: number): Slot {
  const held = random.next() < 0.4;
  const ordered = random.next() < 0.4;
  const order = ordered
    ? Object.freeze({
        clientOrderId: `id-${level}-${time}`,
        side: held ? ('SELL' as const) : ('BUY' as const),
        price: dec(100 + level),
        quantity: dec(1),
        filledQuantity: ZERO,
        status: STATUSES[Math.floor(random.next() * STATUSES.length)]!,
        postOnly: true,
        reduceOnly: false,
        createdAt: time,
        updatedAt: time,
      })
    : undefined;
  return changeSlot(emptySlot(level, time % 5), { positionQuantity: held ? dec(1) : ZERO, order }, time);
}

describe('SlotMap', () => {
  it('matches a plain Map through random changes, and names the changed levels', () => {
    const random = new SeededRandom(20261202);
    let map = SlotMap.EMPTY;
    let plain = new Map<number, Slot>();
    for (let step = 1; step <= 400; step += 1) {
      const changes = Array.from({ length: 1 + Math.floor(random.next() * 4) }, () => {
        const level = Math.floor(random.next() * 600) - 300;
        return randomSlot(random, level, step);
      });
      const before = map;
      const beforeEntries = [...before].sort((a, b) => a[0] - b[0]);
      map = map.with(changes);
      const expected = new Map(plain);
      for (const slot of changes) expected.set(slot.level, slot);
      const changed = [...new Set(changes.map((slot) => slot.level))].filter(
        (level) => plain.get(level) !== expected.get(level),
      );
      plain = expected;

      expect([...before].sort((a, b) => a[0] - b[0])).toEqual(beforeEntries);
      expect(map.size).toBe(plain.size);
      expect([...map].sort((a, b) => a[0] - b[0])).toEqual([...plain].sort((a, b) => a[0] - b[0]));
      for (const level of [-300, -65, -64, -17, -16, -1, 0, 15, 16, 63, 64, 299])
        expect(map.get(level)).toBe(plain.get(level));
      const withOrders = [...plain.values()].filter((slot) => slot.order !== undefined);
      const heldOnly = [...plain.values()].filter(
        (slot) => slot.order === undefined && !slot.positionQuantity.isZero(),
      );
      expect(new Set(map.withOrders())).toEqual(new Set(withOrders));
      expect(new Set(map.heldWithoutOrder())).toEqual(new Set(heldOnly));
      expect(map.heldWithoutOrderCount).toBe(heldOnly.length);
      expect(map.workingOrderCount).toBe(withOrders.filter((slot) => isWorking(slot.order!.status)).length);
      expect(map.cancellingOrderCount).toBe(
        withOrders.filter((slot) => slot.order!.status === 'PENDING_CANCEL').length,
      );
      expect(map.changedSince(before).sort((a, b) => a - b)).toEqual(changed.sort((a, b) => a - b));
    }
    expect(map.changedSince(map)).toEqual([]);
  });
});
