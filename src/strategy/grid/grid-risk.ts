/**
 * Per-symbol risk controls (grid-strategy.md "Risk controls"): stop loss and trailing take-profit
 * over the whole grid position, and the start-up account check. A stop or take-profit cancels the
 * grid's working orders, pauses the symbol until an operator resumes it and closes the position
 * until it is flat (close-position.ts: retries, late fills).
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import { cancelOrders, cancellableSlots } from './cancel-orders.js';
import { closableQuantity, startClosing } from './close-position.js';
import type { GridCommand } from './grid-command.js';
import { type GridState, type PauseReason, changeState, filledSlots } from './grid-state.js';
import { pauseGrid } from './pause.js';
import type { Transition } from './transition.js';

export interface Exposure {
  readonly quantity: Decimal;
  /** Σ quantity × entry price. */
  readonly value: Decimal;
  /** Σ quantity × (price − entry price). */
  readonly unrealizedPnl: Decimal;
}

export function exposure(state: GridState, price: Decimal): Exposure {
  let quantity = ZERO;
  let value = ZERO;
  let unrealizedPnl = ZERO;
  for (const slot of filledSlots(state)) {
    quantity = quantity.add(slot.positionQuantity);
    value = value.add(slot.positionQuantity.mul(slot.entryPrice));
    unrealizedPnl = unrealizedPnl.add(slot.positionQuantity.mul(price.sub(slot.entryPrice)));
  }
  return { quantity, value, unrealizedPnl };
}

/** Cancels every order and pauses; the close itself goes out with this reaction (close-position.ts). */
function closeAndPause(state: GridState, reason: PauseReason, message: string, time: number): Transition {
  const cancels = cancelOrders(state, cancellableSlots(state), 'risk-close', time);
  const triggered: GridCommand = {
    type: 'RecordEvent',
    eventType: 'risk.triggered',
    details: { control: reason, message, quantity: closableQuantity(state).toFixed() },
  };
  return pauseGrid(
    startClosing(changeState(cancels.state, { trailingPeak: undefined }, time), time),
    reason,
    message,
    time,
    [...cancels.commands, triggered],
  );
}

/** Stop loss, then trailing take-profit, on the last price; nothing while paused or disabled. */
export function checkPositionRisk(state: GridState, price: Decimal, time: number): Transition {
  const risk = state.settings.risk;
  if (!risk.enabled || state.pause !== undefined || state.stopping !== undefined || state.closing !== undefined)
    return { state, commands: [] };
  const held = exposure(state, price);
  if (held.value.isZero()) {
    return {
      state: state.trailingPeak === undefined ? state : changeState(state, { trailingPeak: undefined }, time),
      commands: [],
    };
  }
  const ratio = held.unrealizedPnl.div(held.value);
  if (!risk.stopLossRatio.isZero() && ratio.neg().gte(risk.stopLossRatio)) {
    return closeAndPause(
      state,
      'stop-loss',
      `unrealized loss ${ratio.neg().toFixed(6)} of position value reached stop_loss_ratio ${risk.stopLossRatio.toFixed()}`,
      time,
    );
  }
  if (risk.takeProfitTriggerRatio.isZero()) return { state, commands: [] };
  let peak = state.trailingPeak;
  if (peak === undefined && ratio.gte(risk.takeProfitTriggerRatio)) peak = price;
  if (peak === undefined) return { state, commands: [] };
  if (price.gt(peak)) peak = price;
  if (price.lte(peak.sub(peak.mul(risk.trailingTakeProfitRatio)))) {
    return closeAndPause(
      state,
      'take-profit',
      `price ${price.toFixed()} pulled back ${risk.trailingTakeProfitRatio.toFixed()} from its peak ${peak.toFixed()} after the take-profit armed`,
      time,
    );
  }
  return {
    state: peak.eq(state.trailingPeak ?? ZERO) ? state : changeState(state, { trailingPeak: peak }, time),
    commands: [],
  };
}

/**
 * Start-up account check, once facts and a price are known: leverage within max_leverage, enough
 * available balance to fund the buy window at that leverage, and one grid step profitable after the
 * fee on both legs (interval > fee_rate × (buy + sell)). Fails by pausing with the reason.
 */
export function checkAccount(state: GridState, price: Decimal, time: number): Transition {
  const facts = state.accountFacts;
  if (state.accountCheck === 'passed' || facts === undefined || state.pause !== undefined)
    return { state, commands: [] };
  const { settings } = state;
  const problems: string[] = [];
  if (facts.leverage > settings.maxLeverage)
    problems.push(`leverage ${facts.leverage} exceeds max_leverage ${settings.maxLeverage}`);
  const required = settings.orderQuantity.mul(settings.buyWindowSize).div(Math.max(1, facts.leverage));
  if (facts.availableBalance.lt(required))
    problems.push(
      `available balance ${facts.availableBalance.toFixed()} is under ${required.toFixed()} needed for the buy window`,
    );
  const fees = settings.feeRate.mul(price.mul(2).add(settings.priceInterval));
  if (settings.priceInterval.lte(fees))
    problems.push(
      `one grid step (${settings.priceInterval.toFixed()}) does not cover the fees of both legs (${fees.toFixed()}) at price ${price.toFixed()}`,
    );
  if (problems.length > 0) return pauseGrid(state, 'account-check', problems.join('; '), time);
  return {
    state: changeState(state, { accountCheck: 'passed' }, time),
    commands: [{ type: 'RecordEvent', eventType: 'reconciliation', details: { check: 'account', result: 'passed' } }],
  };
}
