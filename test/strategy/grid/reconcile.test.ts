/** grid-strategy.md "Starting, taking over": adopt, repair, look up, never cancel-and-replace what can be adopted. */
import { describe, expect, it } from 'vitest';
import { gridClientOrderId } from '../../../src/strategy/grid/client-order-id.js';
import { decide } from '../../../src/strategy/grid/decide.js';
import { fromRecords, toGridRecord } from '../../../src/strategy/grid/grid-records.js';
import { gridSettings } from '../../../src/strategy/grid/grid-settings.js';
import {
  BASE_SETTINGS,
  MARKET,
  accepted,
  cancels,
  orderId,
  places,
  run,
  startedGrid,
  venueOrder,
} from './grid-fixture.js';

/** A grid reloaded from its grid record only: it knows no orders (as after a crash before saving them). */
function reloadedBlank() {
  const { state } = startedGrid();
  const reloaded = fromRecords(
    { exchange: 'binance', symbol: MARKET.symbol, market: MARKET, settings: gridSettings(BASE_SETTINGS) },
    toGridRecord(state)!,
    [],
    [],
  );
  return { original: state, reloaded };
}

describe('reconcile', () => {
  it('adopts open orders whose ids belong to the grid, places only what is missing, and reports foreign ones', () => {
    const { original, reloaded } = reloadedBlank();
    const open = [-1, -2].map((level) =>
      venueOrder(orderId(original, level), 'BUY', String(1000 + 10 * level), '0.03'),
    );
    const result = run(reloaded, [
      { type: 'OpenOrdersReported', time: 10, orders: [...open, venueOrder('someone-else', 'BUY', '900', '1')] },
      { type: 'AccountChecked', time: 11, availableBalance: MARKET.minNotional.mul(1000), leverage: 2 },
      { type: 'PriceUpdated', time: 12, price: original.lastPrice! },
    ]);
    expect(result.state.slots.get(-1)!.order).toMatchObject({
      clientOrderId: orderId(original, -1),
      status: 'NEW',
      exchangeOrderId: `ex-${orderId(original, -1)}`,
    });
    expect(cancels(result.commands)).toEqual([]);
    expect(places(result.commands).map((c) => c.level)).toEqual([-3]);
    const first = decide(reloaded, {
      type: 'OpenOrdersReported',
      time: 10,
      orders: [...open, venueOrder('someone-else', 'BUY', '900', '1')],
    });
    expect(first.foreign).toEqual(['someone-else']);
  });

  it('adopts a partially filled order with its filled quantity so it blocks until its fills are applied', () => {
    const { original, reloaded } = reloadedBlank();
    const id = orderId(original, -1);
    const result = decide(reloaded, {
      type: 'OpenOrdersReported',
      time: 10,
      orders: [venueOrder(id, 'BUY', '990', '0.03', '0.01', 'PARTIALLY_FILLED')],
    });
    expect(result.state.slots.get(-1)!.order).toMatchObject({ status: 'PARTIALLY_FILLED' });
    expect(result.state.slots.get(-1)!.order!.filledQuantity.toFixed()).toBe('0.01');
  });

  it('cancels an open order of ours that the slot cannot hold (an older cycle, or a sell without position)', () => {
    const { original, reloaded } = reloadedBlank();
    const tag = original.tag!;
    const stale = venueOrder(gridClientOrderId(tag, -1, 'BUY', 7), 'BUY', '990', '0.03');
    const sellWithout = venueOrder(gridClientOrderId(tag, -4, 'SELL', 0), 'SELL', '970', '0.03');
    const result = decide(reloaded, { type: 'OpenOrdersReported', time: 10, orders: [stale, sellWithout] });
    expect(cancels(result.commands).map((c) => [c.clientOrderId, c.reason])).toEqual([
      [stale.clientOrderId, 'orphan'],
      [sellWithout.clientOrderId, 'orphan'],
    ]);
    expect(result.state.slots.get(-1)?.order).toBeUndefined();
  });

  it('asks to look up working orders the venue no longer lists, and keeps their slots blocked meanwhile', () => {
    const { state } = startedGrid();
    const acked = decide(state, accepted(state, -1, 3)).state;
    const still = [-2, -3].map((level) => venueOrder(orderId(acked, level), 'BUY', String(1000 + 10 * level), '0.03'));
    const result = decide(acked, { type: 'OpenOrdersReported', time: 10, orders: still });
    expect(result.commands.filter((c) => c.type === 'LookupOrder')).toEqual([
      { type: 'LookupOrder', clientOrderId: orderId(acked, -1) },
    ]);
    expect(places(result.commands)).toEqual([]);
    // The lookup finds it canceled without fills: the slot is free and buys under its next cycle.
    const answer = decide(result.state, {
      type: 'OrderReported',
      time: 11,
      order: venueOrder(orderId(acked, -1), 'BUY', '990', '0.03', '0', 'CANCELED'),
    });
    expect(places(answer.commands)).toEqual([expect.objectContaining({ level: -1, cycle: 1 })]);
  });

  it('repairs a known order to the venue status, including a cancel the venue refused', () => {
    const { state } = startedGrid();
    const acked = decide(state, accepted(state, -1, 3)).state;
    const cancelling = decide(acked, { type: 'MarketPanicChanged', time: 4, panic: true }).state;
    expect(cancelling.slots.get(-1)!.order!.status).toBe('PENDING_CANCEL');
    const id = orderId(acked, -1);
    const repaired = decide(cancelling, {
      type: 'OpenOrdersReported',
      time: 5,
      orders: [venueOrder(id, 'BUY', '990', '0.03')],
    });
    // Still open: the cancel did not happen, so it is sent again (the market still panics).
    expect(cancels(repaired.commands).map((c) => c.clientOrderId)).toEqual([id]);
  });
});
