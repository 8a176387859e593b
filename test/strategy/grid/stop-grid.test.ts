/** grid-strategy.md "Stopping": no new orders, cancel_on_exit, close_positions_on_exit. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { decide } from '../../../src/strategy/grid/decide.js';
import { hasOrders } from '../../../src/strategy/grid/stop-grid.js';
import { accepted, cancels, fill, filled, orderId, places, price, run, startedGrid } from './grid-fixture.js';

function holdingWithSell() {
  const { state } = startedGrid();
  const bought = decide(state, filled(fill(orderId(state, -1), 'BUY', '990', '0.03', 3)));
  return run(bought.state, [accepted(bought.state, -1, 4), accepted(bought.state, -2, 4)]).state;
}

describe('stopping', () => {
  it('cancel_on_exit cancels every order once it can be cancelled and places nothing more', () => {
    const state = holdingWithSell();
    const stop = decide(state, { type: 'StopRequested', time: 5, cancelOrders: true, closePositions: false });
    expect(cancels(stop.commands).map((c) => [c.level, c.reason])).toEqual([
      [-2, 'stop'],
      [-1, 'stop'],
    ]);
    expect(stop.commands.filter((c) => c.type === 'ClosePosition')).toEqual([]);
    // -3 was still PENDING_NEW: it is cancelled as soon as the venue acknowledges it.
    const acked = decide(stop.state, accepted(stop.state, -3, 6));
    expect(cancels(acked.commands).map((c) => c.level)).toEqual([-3]);
    const done = run(
      acked.state,
      [-1, -2, -3].map((level) => ({
        type: 'OrderCanceled' as const,
        time: 7,
        clientOrderId: orderId(acked.state, level),
        filledQuantity: dec(0),
      })),
    );
    expect(places(done.commands)).toEqual([]);
    expect(hasOrders(done.state)).toBe(false);
    expect(places(decide(done.state, price(8, '990.5')).commands)).toEqual([]);
  });

  it('without cancel_on_exit orders keep resting; close_positions_on_exit closes the grid position', () => {
    const state = holdingWithSell();
    const stop = decide(state, { type: 'StopRequested', time: 5, cancelOrders: false, closePositions: true });
    expect(cancels(stop.commands)).toEqual([]);
    const close = stop.commands.find((c) => c.type === 'ClosePosition');
    expect(close).toMatchObject({ reduceOnly: true });
    expect(close?.type === 'ClosePosition' && close.quantity.toFixed()).toBe('0.03');
    expect(hasOrders(stop.state)).toBe(true);
  });
});
