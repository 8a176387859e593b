/** grid-strategy.md "Fills": partial fills, real average entry, trades net of fees, cycles, cancel with partial fill. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { decide } from '../../../src/strategy/grid/decide.js';
import { parseClientOrderId } from '../../../src/strategy/grid/client-order-id.js';
import { MARKET, accepted, fill, filled, orderId, places, price, run, startedGrid, trades } from './grid-fixture.js';

function boughtSlot() {
  const { state } = startedGrid();
  const buyId = orderId(state, -1);
  return run(state, [
    accepted(state, -1, 3),
    filled(fill(buyId, 'BUY', '990', '0.01', 4, '0.002')),
    filled(fill(buyId, 'BUY', '989.5', '0.02', 5, '0.004')),
  ]);
}

describe('fills', () => {
  it('partial buy fills add to the position at the real average price and the slot is FILLED with its sell once complete', () => {
    const { state } = startedGrid();
    const buyId = orderId(state, -1);
    const partial = run(state, [accepted(state, -1, 3), filled(fill(buyId, 'BUY', '990', '0.01', 4, '0.002'))]);
    const slot = partial.state.slots.get(-1)!;
    expect(slot.position).toBe('FILLED');
    expect(slot.order?.status).toBe('PARTIALLY_FILLED');
    expect(places(partial.commands).filter((c) => c.side === 'SELL')).toEqual([]);
    const full = boughtSlot();
    const done = full.state.slots.get(-1)!;
    expect(done.positionQuantity.toFixed()).toBe('0.03');
    // (990 × 0.01 + 989.5 × 0.02) / 0.03
    expect(done.entryPrice.toFixed(10)).toBe('989.6666666667');
    expect(done.entryFees.toFixed()).toBe('0.006');
    expect(done.order?.side).toBe('SELL');
    expect(done.order?.quantity.toFixed()).toBe('0.03');
  });

  it('sell fills book trades with pro-rata entry fees and PnL net of fees; an empty slot starts its next cycle', () => {
    const bought = boughtSlot();
    const sellId = orderId(bought.state, -1);
    expect(parseClientOrderId(sellId)).toMatchObject({ side: 'SELL', cycle: 0, level: -1 });
    const first = run(bought.state, [
      accepted(bought.state, -1, 6),
      filled(fill(sellId, 'SELL', '1000', '0.01', 7, '0.001')),
    ]);
    const [t1] = trades(first.commands);
    expect(t1).toMatchObject({
      id: expect.stringMatching(/^binance:acct:BTC\/USDT:USDT:t\d+$/),
      level: -1,
      cycle: 0,
      openedAt: 4,
      closedAt: 7,
    });
    expect(t1!.quantity.toFixed()).toBe('0.01');
    expect(t1!.fees.toFixed()).toBe('0.003'); // 0.006 × 1/3 + 0.001
    expect(t1!.realizedPnl.toFixed(10)).toBe(dec('1000').sub(t1!.buyPrice).mul('0.01').sub('0.003').toFixed(10));
    expect(first.state.slots.get(-1)!.entryFees.toFixed()).toBe('0.004');

    const second = run(first.state, [filled(fill(sellId, 'SELL', '1000', '0.02', 8, '0.002')), price(9, '1005')]);
    const [t2] = trades(second.commands);
    expect(t2!.fees.toFixed()).toBe('0.006');
    const slot = second.state.slots.get(-1)!;
    expect(slot).toMatchObject({ position: 'EMPTY', cycle: 1 });
    expect(slot.positionQuantity.isZero()).toBe(true);
    // The slot is in the buy window again at 1005 and buys under its new cycle's id.
    const rebuy = places(second.commands).find((c) => c.level === -1);
    expect(rebuy).toMatchObject({ side: 'BUY', cycle: 1 });
    expect(parseClientOrderId(rebuy!.clientOrderId)).toMatchObject({ cycle: 1 });
  });

  it('a cancelled buy with a partial fill leaves the slot FILLED with that quantity and sells it', () => {
    const { state } = startedGrid();
    const buyId = orderId(state, -1);
    const result = run(state, [
      accepted(state, -1, 3),
      filled(fill(buyId, 'BUY', '990', '0.012', 4)),
      { type: 'OrderCanceled', time: 5, clientOrderId: buyId, filledQuantity: dec('0.012') },
    ]);
    const slot = result.state.slots.get(-1)!;
    expect(slot.positionQuantity.toFixed()).toBe('0.012');
    expect(slot.order).toMatchObject({ side: 'SELL', status: 'PENDING_NEW' });
    expect(slot.order!.quantity.toFixed()).toBe('0.012');
  });

  it('a cancel reporting more fills than applied keeps the slot blocked until the late fill arrives', () => {
    const { state } = startedGrid();
    const buyId = orderId(state, -1);
    const canceled = run(state, [
      accepted(state, -1, 3),
      { type: 'OrderCanceled', time: 4, clientOrderId: buyId, filledQuantity: dec('0.01') },
      price(5, '1000.5'),
    ]);
    const slot = canceled.state.slots.get(-1)!;
    expect(slot.order).toMatchObject({ clientOrderId: buyId, status: 'CANCELED' });
    expect(places(canceled.commands).filter((c) => c.level === -1)).toEqual([]);
    const late = decide(canceled.state, filled(fill(buyId, 'BUY', '990', '0.01', 6)));
    expect(late.state.slots.get(-1)!.positionQuantity.toFixed()).toBe('0.01');
    expect(places(late.commands)).toEqual([expect.objectContaining({ level: -1, side: 'SELL' })]);
  });

  it('a fill arriving after its order left the slot still changes the position (fills are facts)', () => {
    const { state } = startedGrid();
    const buyId = orderId(state, -1);
    const gone = run(state, [
      accepted(state, -1, 3),
      { type: 'OrderCanceled', time: 4, clientOrderId: buyId, filledQuantity: dec(0) },
    ]);
    // The cancel used up the intent: the slot buys again under its next cycle, with a new id.
    expect(gone.state.slots.get(-1)).toMatchObject({ cycle: 1, order: { side: 'BUY', status: 'PENDING_NEW' } });
    expect(orderId(gone.state, -1)).not.toBe(buyId);
    const late = decide(gone.state, filled(fill(buyId, 'BUY', '990', '0.005', 5)));
    expect(late.state.slots.get(-1)!.positionQuantity.toFixed()).toBe('0.005');
  });

  it('a fee charged in the base asset shrinks the held quantity and counts in quote at the fill price', () => {
    const spot = { ...MARKET, symbol: 'BTC/USDT', type: 'spot' as const };
    const { state } = startedGrid({}, '1000', spot);
    const buyId = orderId(state, -1);
    const f = { ...fill(buyId, 'BUY', '990', '0.03', 4, '0.00003', 'BTC'), symbol: 'BTC/USDT' };
    const result = decide(state, filled(f));
    const slot = result.state.slots.get(-1)!;
    expect(slot.positionQuantity.toFixed()).toBe('0.02997');
    expect(slot.entryFees.toFixed()).toBe('0.0297');
    // The sell is floored to the step and is not reduce-only on spot.
    expect(places(result.commands)).toEqual([expect.objectContaining({ side: 'SELL', reduceOnly: false })]);
    expect(places(result.commands)[0]!.quantity.toFixed()).toBe('0.029');
  });

  it('a sell fill larger than the position books what was held and records the drift', () => {
    const bought = boughtSlot();
    const sellId = orderId(bought.state, -1);
    const result = decide(bought.state, filled(fill(sellId, 'SELL', '1000', '0.05', 7)));
    expect(trades(result.commands)[0]!.quantity.toFixed()).toBe('0.03');
    expect(result.commands).toContainEqual(
      expect.objectContaining({ type: 'RecordEvent', eventType: 'reconciliation' }),
    );
  });
});
