/** Venue answers: rejections by category, post-only fallback, margin lock, unknown outcomes, foreign ids. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { decide } from '../../../src/strategy/grid/decide.js';
import type { RejectReason } from '../../../src/strategy/grid/grid-event.js';
import type { GridState } from '../../../src/strategy/grid/grid-state.js';
import { accepted, fill, filled, orderId, places, price, run, startedGrid, venueOrder } from './grid-fixture.js';

function reject(state: GridState, level: number, reason: RejectReason, time: number) {
  return decide(state, { type: 'OrderRejected', time, clientOrderId: orderId(state, level), reason });
}

describe('order updates', () => {
  it('post-only rejections are retried post-only, and after 3 in a row the slot goes out as plain GTC', () => {
    let state = startedGrid().state;
    const postOnly: boolean[] = [];
    const ids = new Set<string>();
    for (let i = 0; i < 4; i++) {
      ids.add(orderId(state, -1));
      const result = reject(state, -1, 'post-only-would-cross', 10 + i);
      state = result.state;
      postOnly.push(places(result.commands).find((c) => c.level === -1)!.postOnly);
    }
    expect(postOnly).toEqual([true, true, false, false]);
    expect(ids.size).toBe(4); // every retry is a new intent with its own id
    expect(state.slots.get(-1)!.postOnlyRejections).toBe(4);
  });

  it('an accepted post-only order ends the streak', () => {
    let state = startedGrid().state;
    state = reject(state, -1, 'post-only-would-cross', 10).state;
    state = reject(state, -1, 'post-only-would-cross', 11).state;
    state = decide(state, accepted(state, -1, 12)).state;
    expect(state.slots.get(-1)!.postOnlyRejections).toBe(0);
  });

  it('the GTC fallback ends once the slot order fills: the sell goes out post-only again', () => {
    let state = startedGrid().state;
    for (let i = 0; i < 3; i++) state = reject(state, -1, 'post-only-would-cross', 10 + i).state;
    expect(state.slots.get(-1)!.order!.postOnly).toBe(false);
    const result = decide(state, filled(fill(orderId(state, -1), 'BUY', '990', '0.03', 20)));
    expect(places(result.commands)).toEqual([expect.objectContaining({ side: 'SELL', postOnly: true })]);
  });

  it('an insufficient-margin rejection stops buys for margin_lock_duration_seconds, sells continue, then buys resume', () => {
    const { state } = startedGrid({ marginLockDurationSeconds: 10 });
    const bought = decide(state, filled(fill(orderId(state, -2), 'BUY', '980', '0.03', 3)));
    const locked = reject(bought.state, -1, 'insufficient-margin', 1_000);
    expect(locked.state.marginLockedUntil).toBe(11_000);
    expect(locked.commands).toContainEqual(
      expect.objectContaining({ type: 'RecordEvent', eventType: 'risk.triggered' }),
    );
    const during = decide(locked.state, price(10_999, '1000.5'));
    expect(places(during.commands).filter((c) => c.side === 'BUY')).toEqual([]);
    const after = decide(during.state, price(11_000, '1000.5'));
    expect(places(after.commands).map((c) => [c.level, c.side])).toEqual([[-1, 'BUY']]);
  });

  it('a reduce-only rejection pauses the symbol for reconciliation', () => {
    const { state } = startedGrid();
    const bought = decide(state, filled(fill(orderId(state, -1), 'BUY', '990', '0.03', 3)));
    const result = reject(bought.state, -1, 'reduce-only', 4);
    expect(result.state.pause?.reason).toBe('position-drift');
    expect(result.commands).toContainEqual(expect.objectContaining({ type: 'PauseSymbol', reason: 'position-drift' }));
    expect(places(result.commands)).toEqual([]);
  });

  it('an invalid-order rejection pauses with a configuration reason; "other" just retries under a new id', () => {
    const { state } = startedGrid();
    expect(reject(state, -1, 'invalid', 4).state.pause?.reason).toBe('configuration');
    const other = reject(state, -1, 'other', 4);
    expect(other.state.pause).toBeUndefined();
    expect(places(other.commands)).toEqual([expect.objectContaining({ level: -1, cycle: 1 })]);
  });

  it('rate-limited rejections place nothing until the latest retryAt, then the freed slots go out nearest first under new ids', () => {
    const { state } = startedGrid();
    const rateLimited = (from: GridState, level: number, time: number, retryAt: number) =>
      decide(from, {
        type: 'OrderRejected',
        time,
        clientOrderId: orderId(from, level),
        reason: 'rate-limited',
        retryAt,
      });
    let result = rateLimited(state, -3, 4, 2_000);
    result = rateLimited(result.state, -1, 5, 3_000);
    expect(places(result.commands)).toEqual([]);
    expect(result.state.rateLimitedUntil).toBe(3_000);
    // A market event or an early wake during the wait places nothing.
    expect(places(decide(result.state, price(2_500, '1000.5')).commands)).toEqual([]);
    expect(places(decide(result.state, { type: 'RateLimitWaitEnded', time: 2_999 }).commands)).toEqual([]);
    const woken = decide(result.state, { type: 'RateLimitWaitEnded', time: 3_000 });
    expect(places(woken.commands).map((c) => [c.level, c.cycle])).toEqual([
      [-1, 1],
      [-3, 1],
    ]);
  });

  it('a duplicate-client-id rejection keeps the slot blocked and asks for a lookup, never a re-place', () => {
    const { state } = startedGrid();
    const id = orderId(state, -1);
    const result = reject(state, -1, 'duplicate-client-id', 4);
    expect(result.commands).toEqual([{ type: 'LookupOrder', clientOrderId: id }]);
    expect(result.state.slots.get(-1)!.order!.status).toBe('PENDING_NEW');
    const found = decide(result.state, {
      type: 'UnknownOutcomeResolved',
      time: 5,
      clientOrderId: id,
      order: venueOrder(id, 'BUY', '990', '0.03'),
    });
    expect(found.state.slots.get(-1)!.order).toMatchObject({ status: 'NEW', exchangeOrderId: `ex-${id}` });
    expect(places(found.commands)).toEqual([]);
  });

  it('an unknown outcome resolved as never placed frees the slot and retries the same intent with the same id', () => {
    const { state } = startedGrid();
    const id = orderId(state, -1);
    const result = decide(state, { type: 'UnknownOutcomeResolved', time: 5, clientOrderId: id, order: undefined });
    expect(places(result.commands)).toEqual([expect.objectContaining({ level: -1, clientOrderId: id })]);
  });

  it('updates for ids this grid did not issue are returned as foreign and change nothing', () => {
    const { state } = startedGrid();
    const events = [
      { type: 'OrderAccepted' as const, time: 5, clientOrderId: 'web_123', exchangeOrderId: '9' },
      { type: 'OrderCanceled' as const, time: 5, clientOrderId: 'qm.zzzzzzzz.B.-1.0', filledQuantity: dec(0) },
      filled({ ...fill('manual-1', 'BUY', '990', '1', 5) }),
      { type: 'OrderReported' as const, time: 5, order: venueOrder('other-bot', 'SELL', '1000', '1') },
    ];
    for (const event of events) {
      const result = decide(state, event);
      expect(result.state).toBe(state);
      expect(result.commands).toEqual([]);
      expect(result.foreign).toHaveLength(1);
    }
  });

  it('an expired order with no fill frees its slot under a new cycle', () => {
    const { state } = startedGrid();
    const id = orderId(state, -1);
    const result = run(state, [
      accepted(state, -1, 3),
      { type: 'OrderExpired', time: 4, clientOrderId: id, filledQuantity: dec(0) },
    ]);
    expect(result.state.slots.get(-1)).toMatchObject({ cycle: 1, order: { status: 'PENDING_NEW' } });
  });
});

describe('lookups', () => {
  it('an acknowledged order the venue no longer knows keeps its slot blocked and is recorded for an operator', () => {
    const { state } = startedGrid();
    const acked = decide(state, accepted(state, -1, 3)).state;
    const id = orderId(acked, -1);
    const result = decide(acked, { type: 'UnknownOutcomeResolved', time: 4, clientOrderId: id, order: undefined });
    expect(result.state.slots.get(-1)!.order!.clientOrderId).toBe(id);
    expect(result.commands).toEqual([
      { type: 'RecordEvent', eventType: 'order.unknown', details: { clientOrderId: id, status: 'NEW', level: -1 } },
    ]);
  });
});
