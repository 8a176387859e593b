/**
 * Closing the grid's position until it is flat (grid-strategy.md "Risk controls": a stop loss or
 * take-profit closes the position; close_positions_on_exit does on a stop). One close order is sent
 * for what the grid holds; what it did not close is closed by the next one.
 *
 * Invariants:
 * - at most one close order is outstanding: the next goes out only once the last one is accounted
 *   for (terminal at the venue and its fills applied) or known never to have reached the venue. An
 *   unknown outcome is looked up, never followed by a blind second sell (a double close would sell
 *   the position twice: short on a venue without reduce-only);
 * - until the grid holds less than one closable order (a step, or the venue's minimum quantity), it
 *   closes what it holds, each attempt under a new client order id; fills that arrive after a close
 *   was sized (a buy racing the price that triggered it) are closed the same way;
 * - an attempt that closed nothing (rejected, not sent, ended unfilled) delays the next one: 1 s,
 *   doubling, at most 60 s, judged on the times of the events the grid sees (no clock is read).
 */
import { type Decimal, ZERO, floorToStep } from '../../domain/decimal.js';
import { type VenueOrderStatus, isTerminal } from '../../domain/order.js';
import { closeClientOrderId } from './client-order-id.js';
import type { GridCommand } from './grid-command.js';
import { type Closing, type GridState, type PendingClose, changeState, filledSlots } from './grid-state.js';
import type { Transition } from './transition.js';

export const CLOSE_RETRY_BASE_MS = 1_000;
export const CLOSE_RETRY_MAX_MS = 60_000;

/** Wait before the next attempt after `failures` attempts in a row that closed nothing. */
export function closeRetryDelay(failures: number): number {
  return Math.min(CLOSE_RETRY_MAX_MS, CLOSE_RETRY_BASE_MS * 2 ** Math.max(0, Math.min(failures - 1, 16)));
}

/** What one close order can sell of the grid's position: floored to the step; zero under the venue's minimum. */
export function closableQuantity(state: GridState): Decimal {
  const held = filledSlots(state).reduce((sum, slot) => sum.add(slot.positionQuantity), ZERO);
  const size = floorToStep(held, state.market.stepSize);
  return size.lt(state.market.minQuantity) ? ZERO : size;
}

/** The grid must become flat from now on; the first close goes out with the reaction to this event. */
export function startClosing(state: GridState, time: number): GridState {
  if (state.closing !== undefined) return state;
  return changeState(state, { closing: Object.freeze({ order: undefined, failures: 0, nextAttemptAt: time }) }, time);
}

function withClosing(state: GridState, closing: Closing, time: number): GridState {
  return changeState(state, { closing: Object.freeze(closing) }, time);
}

const NOTHING = (state: GridState): Transition => ({ state, commands: [] });

/**
 * Run after every event: when due, sends a close for what the grid holds, or asks the venue about a
 * close whose outcome is unknown (each unanswered lookup backs off like a failed attempt).
 */
export function continueClosing(state: GridState, time: number): Transition {
  const closing = state.closing;
  if (closing === undefined || state.tag === undefined || time < closing.nextAttemptAt) return NOTHING(state);
  // No intent can be recorded: a close attempt would only fail and count against the close's backoff.
  if (state.placementsHeld && closing.order === undefined) return NOTHING(state);
  const pending = closing.order;
  if (pending !== undefined) {
    if (pending.status !== 'unknown') return NOTHING(state);
    const failures = closing.failures + 1;
    return {
      state: withClosing(state, { ...closing, failures, nextAttemptAt: time + closeRetryDelay(failures) }, time),
      commands: [{ type: 'LookupOrder', clientOrderId: pending.clientOrderId }],
    };
  }
  const quantity = closableQuantity(state);
  if (quantity.isZero()) return NOTHING(state);
  const clientOrderId = closeClientOrderId(state.tag, time, state.closeSequence, state.idFormat);
  const order: PendingClose = Object.freeze({
    clientOrderId,
    quantity,
    filledQuantity: ZERO,
    status: 'sent',
    venueFilledQuantity: undefined,
  });
  return {
    state: changeState(
      state,
      { closeSequence: state.closeSequence + 1, closing: Object.freeze({ ...closing, order }) },
      time,
    ),
    // Reduce-only where the venue has it (futures): even a close sized from a wrong position cannot open a short.
    commands: [
      {
        type: 'ClosePosition',
        clientOrderId,
        decidedAt: time,
        sequence: state.closeSequence,
        quantity,
        reduceOnly: state.market.type === 'future',
      },
    ],
  };
}

/** The outstanding close, when `clientOrderId` names it (reports of earlier closes change nothing here). */
export function pendingClose(state: GridState, clientOrderId: string): PendingClose | undefined {
  const order = state.closing?.order;
  return order?.clientOrderId === clientOrderId ? order : undefined;
}

/**
 * Ends the outstanding close once it is accounted for: all of it filled, or terminal with every
 * reported fill applied. A close that sold nothing counts as a failure (the next one waits); one that
 * sold something lets the remainder go out at once.
 */
function settleClose(state: GridState, order: PendingClose, outcome: string, time: number): Transition {
  const closing = state.closing!;
  const done =
    order.filledQuantity.gte(order.quantity) ||
    (order.status === 'ended' && order.filledQuantity.gte(order.venueFilledQuantity ?? ZERO));
  if (!done) return { state: withClosing(state, { ...closing, order: Object.freeze(order) }, time), commands: [] };
  if (!order.filledQuantity.isZero())
    return { state: withClosing(state, { order: undefined, failures: 0, nextAttemptAt: time }, time), commands: [] };
  const failures = closing.failures + 1;
  const nextAttemptAt = time + closeRetryDelay(failures);
  const record: GridCommand = {
    type: 'RecordEvent',
    eventType: 'risk.triggered',
    details: { control: 'close-retry', clientOrderId: order.clientOrderId, outcome, failures, nextAttemptAt },
  };
  return { state: withClosing(state, { order: undefined, failures, nextAttemptAt }, time), commands: [record] };
}

/** The venue's view of the outstanding close (its answer, the stream or a lookup). */
export function closeReported(
  state: GridState,
  clientOrderId: string,
  status: VenueOrderStatus,
  filledQuantity: Decimal,
  time: number,
): Transition {
  const order = pendingClose(state, clientOrderId);
  if (order === undefined) return NOTHING(state);
  const seen: PendingClose = isTerminal(status)
    ? { ...order, status: 'ended', venueFilledQuantity: filledQuantity }
    : { ...order, status: 'working' };
  return settleClose(state, seen, status.toLowerCase(), time);
}

/** The close was refused definitively, or never reached the venue: nothing of it can fill. */
export function closeFailed(state: GridState, clientOrderId: string, outcome: string, time: number): Transition {
  const order = pendingClose(state, clientOrderId);
  if (order === undefined) return NOTHING(state);
  return settleClose(state, { ...order, status: 'ended', venueFilledQuantity: order.filledQuantity }, outcome, time);
}

/** Sent, and the outcome is unknown: only a lookup may end this close (after a backoff, see continueClosing). */
export function closeOutcomeUnknown(state: GridState, clientOrderId: string, time: number): Transition {
  const order = pendingClose(state, clientOrderId);
  if (order === undefined || order.status === 'ended') return NOTHING(state);
  const closing = state.closing!;
  const failures = closing.failures + 1;
  return {
    state: withClosing(
      state,
      { order: { ...order, status: 'unknown' }, failures, nextAttemptAt: time + closeRetryDelay(failures) },
      time,
    ),
    commands: [],
  };
}

/** A fill of the outstanding close has been applied to the slots. */
export function closeFilled(state: GridState, clientOrderId: string, quantity: Decimal, time: number): Transition {
  const order = pendingClose(state, clientOrderId);
  if (order === undefined) return NOTHING(state);
  return settleClose(state, { ...order, filledQuantity: order.filledQuantity.add(quantity) }, 'filled', time);
}
