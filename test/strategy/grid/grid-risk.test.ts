/** grid-strategy.md "Risk controls": panic, layers, stop loss, trailing take-profit, margin lock (see order updates), account check. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { parseClientOrderId } from '../../../src/strategy/grid/client-order-id.js';
import { decide } from '../../../src/strategy/grid/decide.js';
import type { GridCommand } from '../../../src/strategy/grid/grid-command.js';
import type { GridState } from '../../../src/strategy/grid/grid-state.js';
import {
  accepted,
  cancels,
  fill,
  filled,
  newGrid,
  orderId,
  places,
  price,
  run,
  startedGrid,
  trades,
} from './grid-fixture.js';

const RISK = { enabled: true, stopLossRatio: '0.05', takeProfitTriggerRatio: '0.02', trailingTakeProfitRatio: '0.01' };

/** A grid with level -1 bought at 990 (0.03) and every order acknowledged. */
function holding(risk: Record<string, string | number | boolean> = RISK): GridState {
  const { state } = startedGrid({ risk });
  const bought = decide(state, filled(fill(orderId(state, -1), 'BUY', '990', '0.03', 3)));
  let current = bought.state;
  for (const slot of current.slots.values()) current = decide(current, accepted(current, slot.level, 4)).state;
  return current;
}

function closes(commands: readonly GridCommand[]) {
  return commands.filter((c): c is Extract<GridCommand, { type: 'ClosePosition' }> => c.type === 'ClosePosition');
}

describe('market panic', () => {
  it('cancels working buys and places no new buys while the market panics; sells continue; buys resume after', () => {
    const state = holding();
    const panic = decide(state, { type: 'MarketPanicChanged', time: 10, panic: true });
    expect(cancels(panic.commands).map((c) => [c.level, c.reason])).toEqual([
      [-3, 'panic'],
      [-2, 'panic'],
    ]);
    expect(panic.state.slots.get(-1)!.order!.side).toBe('SELL');
    const freed = run(
      panic.state,
      [-3, -2].map((level) => ({
        type: 'OrderCanceled' as const,
        time: 11,
        clientOrderId: orderId(panic.state, level),
        filledQuantity: dec(0),
      })),
    );
    expect(places(freed.commands)).toEqual([]);
    const calm = decide(freed.state, { type: 'MarketPanicChanged', time: 12, panic: false });
    expect(places(calm.commands).map((c) => [c.level, c.side])).toEqual([
      [-2, 'BUY'],
      [-3, 'BUY'],
    ]);
    expect(calm.commands).toContainEqual(expect.objectContaining({ type: 'RecordEvent', eventType: 'risk.recovered' }));
  });
});

describe('max_grid_layers', () => {
  it('caps FILLED slots plus working buys: no new buys beyond it', () => {
    const start = startedGrid({ risk: { enabled: true, maxGridLayers: 2 } });
    expect(places(start.commands).map((c) => c.level)).toEqual([-1, -2]);
    const bought = run(start.state, [filled(fill(orderId(start.state, -1), 'BUY', '990', '0.03', 3)), price(4, '985')]);
    expect(places(bought.commands).filter((c) => c.side === 'BUY')).toEqual([]);
  });

  it('frees a layer when a slot sells out: buys resume up to the cap', () => {
    const start = startedGrid({ risk: { enabled: true, maxGridLayers: 2 } });
    const bought = decide(start.state, filled(fill(orderId(start.state, -1), 'BUY', '990', '0.03', 3)));
    const sold = decide(bought.state, filled(fill(orderId(bought.state, -1), 'SELL', '1000', '0.03', 4)));
    // -1 is EMPTY again: its layer is free and it buys again at once; -2's buy holds the other layer.
    expect(places(sold.commands).map((c) => [c.level, c.side])).toEqual([[-1, 'BUY']]);
    expect(places(decide(sold.state, price(5, '985')).commands)).toEqual([]);
  });

  it('is ignored while grid_risk_control is disabled', () => {
    const start = startedGrid({ risk: { enabled: false, maxGridLayers: 2 } });
    expect(places(start.commands)).toHaveLength(3);
  });
});

describe('stop loss', () => {
  it('closes the position, cancels every order and pauses until an operator resumes', () => {
    const state = holding();
    const calm = decide(state, price(10, '941'));
    expect(closes(calm.commands)).toEqual([]);
    const stop = decide(calm.state, price(11, '940'));
    const [close] = closes(stop.commands);
    expect(close!.quantity.toFixed()).toBe('0.03');
    expect(parseClientOrderId(close!.clientOrderId)).toMatchObject({ purpose: 'close' });
    expect(cancels(stop.commands).map((c) => c.reason)).toEqual(['risk-close', 'risk-close', 'risk-close']);
    expect(stop.state.pause?.reason).toBe('stop-loss');
    expect(stop.commands).toContainEqual(expect.objectContaining({ type: 'PauseSymbol', reason: 'stop-loss' }));

    const closed = run(stop.state, [
      ...[-1, -2, -3].map((level) => ({
        type: 'OrderCanceled' as const,
        time: 12,
        clientOrderId: orderId(stop.state, level),
        filledQuantity: dec(0),
      })),
      filled(fill(close!.clientOrderId, 'SELL', '939', '0.03', 13, '0.5')),
      price(14, '1000'),
    ]);
    const [trade] = trades(closed.commands);
    expect(trade!.realizedPnl.toFixed()).toBe('-2.03');
    expect(closed.state.slots.get(-1)!.position).toBe('EMPTY');
    expect(places(closed.commands)).toEqual([]);

    const resumed = decide(closed.state, { type: 'OperatorResumed', time: 15 });
    expect(resumed.state.pause).toBeUndefined();
    expect(places(resumed.commands).map((c) => c.level)).toEqual([-1, -2, -3]);
  });
});

describe('trailing take-profit', () => {
  it('arms at the trigger ratio, follows the peak and closes on the trailing pull-back, then pauses', () => {
    const state = holding();
    const run1 = run(state, [price(10, '1009'), price(11, '1010'), price(12, '1020'), price(13, '1010')]);
    expect(closes(run1.commands)).toEqual([]);
    expect(run1.state.trailingPeak?.toFixed()).toBe('1020');
    const done = decide(run1.state, price(14, '1009.8'));
    expect(closes(done.commands)).toHaveLength(1);
    expect(done.state.pause?.reason).toBe('take-profit');
    expect(done.state.trailingPeak).toBeUndefined();
  });

  it('disarms when the grid holds nothing', () => {
    const state = holding();
    const armed = decide(state, price(10, '1012')).state;
    expect(armed.trailingPeak).toBeDefined();
    const sold = decide(armed, filled(fill(orderId(armed, -1), 'SELL', '1000', '0.03', 11)));
    expect(sold.state.trailingPeak).toBeUndefined();
  });
});

describe('pause', () => {
  it('a paused grid cancels its buys but keeps its resting sells', () => {
    const { state } = startedGrid();
    const bought = decide(state, filled(fill(orderId(state, -1), 'BUY', '990', '0.03', 3)));
    const acked = run(bought.state, [accepted(bought.state, -1, 4), accepted(bought.state, -2, 4)]);
    const paused = decide(acked.state, {
      type: 'OrderRejected',
      time: 10,
      clientOrderId: orderId(acked.state, -3),
      reason: 'invalid',
    });
    expect(cancels(paused.commands).map((c) => [c.level, c.reason])).toEqual([[-2, 'pause']]);
    expect(paused.state.slots.get(-1)!.order).toMatchObject({ side: 'SELL', status: 'NEW' });
    expect(places(paused.commands)).toEqual([]);
  });
});

describe('start-up account check', () => {
  function checked(availableBalance: string, leverage: number, overrides = {}) {
    return run(newGrid(overrides), [
      { type: 'AccountChecked', time: 1, availableBalance: dec(availableBalance), leverage },
      price(2, '1000'),
    ]);
  }

  it('passes with balance, leverage and a profitable step, and only then places orders', () => {
    const ok = checked('90', 1);
    expect(ok.state.accountCheck).toBe('passed');
    expect(places(ok.commands)).toHaveLength(3);
  });

  it('pauses with the reason on leverage above max_leverage, too little balance, or an unprofitable step', () => {
    expect(checked('1000', 20, { maxLeverage: 10 }).state.pause?.message).toMatch(
      /leverage 20 exceeds max_leverage 10/,
    );
    expect(checked('89', 1).state.pause?.message).toMatch(/available balance 89 is under 90/);
    const fees = checked('1000', 1, { feeRate: '0.005' });
    expect(fees.state.pause).toMatchObject({ reason: 'account-check' });
    expect(fees.state.pause?.message).toMatch(/does not cover the fees/);
    expect(places(fees.commands)).toEqual([]);
  });

  it('a resume after a failed check waits for a new passing check', () => {
    const failed = checked('10', 1);
    const resumed = decide(failed.state, { type: 'OperatorResumed', time: 3 });
    expect(places(resumed.commands)).toEqual([]);
    const rechecked = decide(resumed.state, {
      type: 'AccountChecked',
      time: 4,
      availableBalance: dec('1000'),
      leverage: 1,
    });
    expect(places(rechecked.commands)).toHaveLength(3);
  });
});

describe('operator pause', () => {
  it('cancels the working buys, keeps the sell, places nothing until the operator resumes, then quotes again', () => {
    const state = holding();
    const paused = decide(state, { type: 'OperatorPaused', time: 10, message: 'paused from the dashboard' });
    expect(paused.state.pause).toEqual({ reason: 'operator', message: 'paused from the dashboard' });
    expect(paused.commands).toContainEqual(expect.objectContaining({ type: 'RecordEvent', eventType: 'grid.paused' }));
    const quiet = decide(paused.state, price(11, '985'));
    expect(places(quiet.commands)).toEqual([]);
    expect(quiet.state.slots.get(-1)!.order).toMatchObject({ side: 'SELL' });
    const again = decide(paused.state, { type: 'OperatorPaused', time: 12, message: 'second click' });
    expect(again.state.pause?.message).toBe('paused from the dashboard');
    const resumed = decide(quiet.state, { type: 'OperatorResumed', time: 13 });
    expect(resumed.state.pause).toBeUndefined();
  });
});
