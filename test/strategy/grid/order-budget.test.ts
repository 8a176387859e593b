/** grid-strategy.md "Reacting to the market" 3: the order budget and its cleanup batches. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { decide } from '../../../src/strategy/grid/decide.js';
import type { GridState } from '../../../src/strategy/grid/grid-state.js';
import { accepted, cancels, orderId, places, price, run, startedGrid } from './grid-fixture.js';

function acceptAll(state: GridState, time: number): GridState {
  let current = state;
  for (const slot of state.slots.values()) {
    if (slot.order?.status === 'PENDING_NEW') current = decide(current, accepted(current, slot.level, time)).state;
  }
  return current;
}

function working(state: GridState): number {
  return [...state.slots.values()].filter((slot) => slot.order !== undefined).length;
}

describe('order budget', () => {
  it('never exceeds order_cleanup_threshold, and at the threshold cancels the farthest stale orders in batches', () => {
    const start = startedGrid({ orderCleanupThreshold: 4, cleanupBatchSize: 2 });
    const state = acceptAll(start.state, 3);
    const up = decide(state, price(4, '1100'));
    // Room for one more order: the nearest buy of the new window.
    expect(places(up.commands).map((c) => c.level)).toEqual([9]);
    // The acknowledgement brings the count to the threshold: the farthest stale batch is cancelled.
    const full = decide(up.state, accepted(up.state, 9, 5));
    expect(cancels(full.commands).map((c) => [c.level, c.reason])).toEqual([
      [-3, 'budget'],
      [-2, 'budget'],
    ]);
    expect(full.state.slots.get(-3)!.order!.status).toBe('PENDING_CANCEL');
    expect(working(full.state)).toBe(4);

    // While that batch is in flight, no second batch and no new order.
    const waiting = decide(full.state, price(6, '1100.5'));
    expect(waiting.commands).toEqual([]);

    const freed = run(
      waiting.state,
      [-3, -2].map((level) => ({
        type: 'OrderCanceled' as const,
        time: 7,
        clientOrderId: orderId(full.state, level),
        filledQuantity: dec(0),
      })),
    );
    expect(places(freed.commands).map((c) => c.level)).toEqual([8, 7]);
    expect(working(freed.state)).toBe(4);
  });

  it('orders the windows still want are not cancelled: the budget only limits new placements', () => {
    const start = startedGrid({ buyWindowSize: 6, orderCleanupThreshold: 4 });
    expect(places(start.commands).map((c) => c.level)).toEqual([-1, -2, -3, -4]);
    const state = acceptAll(start.state, 3);
    const next = decide(state, price(4, '1000.5'));
    expect(next.commands).toEqual([]);
  });
});
