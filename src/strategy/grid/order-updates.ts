/**
 * Venue answers about one order (accepted, rejected, canceled, expired, reported, looked up),
 * matched to its slot through the client order id, or to the outstanding close (close-position.ts).
 * Ids this grid did not issue are foreign: the state does not change and the engine records them.
 */
import { ZERO } from '../../domain/decimal.js';
import type { Decimal } from '../../domain/decimal.js';
import { eventForVenueStatus, isWorking } from '../../domain/order.js';
import { type GridOrderId, type OrderIntentId, parseClientOrderId } from './client-order-id.js';
import { closeFailed, closeOutcomeUnknown, closeReported, pendingClose } from './close-position.js';
import type { GridCommand } from './grid-command.js';
import type { RejectReason, VenueOrder } from './grid-event.js';
import { type GridState, type Slot, type SlotOrder, changeSlot, changeState, slotAt, withSlots } from './grid-state.js';
import { pauseGrid } from './pause.js';
import { updateSlotOrder } from './slot-order-status.js';
import type { Transition } from './transition.js';

function foreign(state: GridState, clientOrderId: string): Transition {
  return { state, commands: [], foreign: [clientOrderId] };
}

/** The grid intent an id names, when it is this grid's. */
export function ownId(state: GridState, clientOrderId: string): OrderIntentId | undefined {
  const parsed = parseClientOrderId(clientOrderId, state.idFormat);
  return parsed !== undefined && parsed.tag === state.tag ? parsed : undefined;
}

/** The slot whose current order has this id, or undefined (an old or never-placed order of ours). */
function slotOf(state: GridState, parsed: GridOrderId, clientOrderId: string): Slot | undefined {
  const slot = slotAt(state, parsed.level);
  return slot.order?.clientOrderId === clientOrderId ? slot : undefined;
}

export function orderAccepted(
  state: GridState,
  clientOrderId: string,
  exchangeOrderId: string,
  time: number,
): Transition {
  const parsed = ownId(state, clientOrderId);
  if (parsed === undefined) return foreign(state, clientOrderId);
  // A close's acceptance changes nothing: its fills and end are what count.
  const slot = parsed.purpose === 'grid' ? slotOf(state, parsed, clientOrderId) : undefined;
  if (slot === undefined) return { state, commands: [] };
  const next = updateSlotOrder(slot, 'Accepted', { exchangeOrderId }, time);
  // An accepted post-only order ends the streak of rejections (they count "in a row").
  const streak =
    slot.order?.postOnly === true && next.postOnlyRejections !== 0
      ? changeSlot(next, { postOnlyRejections: 0 }, time)
      : next;
  return { state: withSlots(state, [streak], time), commands: [] };
}

/** Canceled or expired at the venue with `filledQuantity` filled in total: the slot keeps what was bought. */
export function orderEnded(
  state: GridState,
  clientOrderId: string,
  how: 'Canceled' | 'Expired',
  filledQuantity: Decimal,
  time: number,
): Transition {
  const parsed = ownId(state, clientOrderId);
  if (parsed === undefined) return foreign(state, clientOrderId);
  if (parsed.purpose === 'close')
    return closeReported(state, clientOrderId, how === 'Canceled' ? 'CANCELED' : 'EXPIRED', filledQuantity, time);
  const slot = slotOf(state, parsed, clientOrderId);
  if (slot === undefined) return { state, commands: [] };
  return {
    state: withSlots(state, [updateSlotOrder(slot, how, { venueFilledQuantity: filledQuantity }, time)], time),
    commands: [],
  };
}

/** A refused close is retried after a backoff (close-position.ts); a duplicate id means it reached the venue: look it up. */
function closeRejected(state: GridState, clientOrderId: string, reason: RejectReason, time: number): Transition {
  if (reason !== 'duplicate-client-id') return closeFailed(state, clientOrderId, `rejected: ${reason}`, time);
  if (pendingClose(state, clientOrderId) === undefined) return { state, commands: [] };
  return { state, commands: [{ type: 'LookupOrder', clientOrderId }] };
}

export function orderRejected(
  state: GridState,
  clientOrderId: string,
  reason: RejectReason,
  time: number,
  retryAt?: number,
): Transition {
  const parsed = ownId(state, clientOrderId);
  if (parsed === undefined) return foreign(state, clientOrderId);
  if (parsed.purpose === 'close') return closeRejected(state, clientOrderId, reason, time);
  const slot = slotOf(state, parsed, clientOrderId);
  if (slot === undefined) return { state, commands: [] };
  if (reason === 'duplicate-client-id') {
    // The id is taken: this intent already reached the venue (another attempt or instance). Find it, never re-place it.
    return { state, commands: [{ type: 'LookupOrder', clientOrderId }] };
  }
  let next = updateSlotOrder(slot, 'Rejected', { venueFilledQuantity: ZERO }, time);
  if (reason === 'post-only-would-cross')
    next = changeSlot(next, { postOnlyRejections: slot.postOnlyRejections + 1 }, time);
  let result: Transition = { state: withSlots(state, [next], time), commands: [] };
  if (reason === 'rate-limited') {
    // The slot is free again (a new cycle, never the refused id); nothing is placed until there is room.
    const until = Math.max(retryAt ?? time, state.rateLimitedUntil);
    result = { state: changeState(result.state, { rateLimitedUntil: until }, time), commands: [] };
  } else if (reason === 'insufficient-margin') {
    const until = time + state.settings.marginLockDurationSeconds * 1000;
    result = {
      state: changeState(result.state, { marginLockedUntil: Math.max(until, state.marginLockedUntil) }, time),
      commands: [
        { type: 'RecordEvent', eventType: 'risk.triggered', details: { control: 'margin-lock', clientOrderId, until } },
      ],
    };
  } else if (reason === 'reduce-only') {
    result = pauseGrid(
      result.state,
      'position-drift',
      `reduce-only sell ${clientOrderId} rejected: the venue position is smaller than the grid's; reconcile before resuming`,
      time,
    );
  } else if (reason === 'invalid') {
    result = pauseGrid(
      result.state,
      'configuration',
      `order ${clientOrderId} rejected as invalid by the venue (price, quantity or notional outside its filters)`,
      time,
    );
  }
  return result;
}

function adopted(venue: VenueOrder, parsed: GridOrderId, time: number): SlotOrder {
  return Object.freeze({
    clientOrderId: venue.clientOrderId,
    exchangeOrderId: venue.exchangeOrderId,
    side: parsed.side,
    price: venue.price ?? ZERO,
    quantity: venue.quantity,
    filledQuantity: venue.filledQuantity,
    venueFilledQuantity: undefined,
    status: venue.status,
    postOnly: venue.postOnly,
    reduceOnly: venue.reduceOnly,
    createdAt: time,
    updatedAt: time,
  });
}

/**
 * The venue's view of one order (`snapshot`: part of a full open-orders listing). The slot's own
 * order is repaired to the venue's status. An open order of ours that the slot does not hold is
 * adopted when it is the slot's current intent (same cycle, and a sell only for a FILLED slot); any
 * other open order of ours would be a second order for the slot, so it is cancelled.
 */
export function orderReported(state: GridState, venue: VenueOrder, time: number, snapshot = false): Transition {
  const parsed = ownId(state, venue.clientOrderId);
  if (parsed === undefined) return foreign(state, venue.clientOrderId);
  if (parsed.purpose === 'close')
    return closeReported(state, venue.clientOrderId, venue.status, venue.filledQuantity, time);
  const slot = slotAt(state, parsed.level);
  if (slot.order?.clientOrderId === venue.clientOrderId) {
    // In a reconciliation snapshot an order still open while we cancel it means the cancel did not
    // happen; a single stream report of it is only a fill racing the cancel.
    const event =
      snapshot && slot.order.status === 'PENDING_CANCEL' && isWorking(venue.status)
        ? 'CancelRejected'
        : eventForVenueStatus(venue.status);
    const change = {
      exchangeOrderId: venue.exchangeOrderId,
      ...(isWorking(venue.status) ? {} : { venueFilledQuantity: venue.filledQuantity }),
    };
    return { state: withSlots(state, [updateSlotOrder(slot, event, change, time)], time), commands: [] };
  }
  if (!isWorking(venue.status)) return { state, commands: [] };
  const adoptable =
    slot.order === undefined && parsed.cycle === slot.cycle && (parsed.side === 'BUY' || slot.position === 'FILLED');
  if (adoptable)
    return {
      state: withSlots(state, [changeSlot(slot, { order: adopted(venue, parsed, time) }, time)], time),
      commands: [],
    };
  const cancel: GridCommand = {
    type: 'CancelOrder',
    level: parsed.level,
    clientOrderId: venue.clientOrderId,
    reason: 'orphan',
  };
  const record: GridCommand = {
    type: 'RecordEvent',
    eventType: 'reconciliation',
    details: { problem: 'open order the slot cannot hold', clientOrderId: venue.clientOrderId, level: parsed.level },
  };
  return { state, commands: [record, cancel] };
}

/**
 * A lookup after an unknown outcome. Not found (the engine reports it only once the venue's answer
 * is definitive) means the request never took effect: the slot is freed under the same cycle, so a
 * retry sends the same intent with the same client order id and a late arrival of the first request
 * would be refused as a duplicate.
 */
export function unknownOutcomeResolved(
  state: GridState,
  clientOrderId: string,
  venue: VenueOrder | undefined,
  time: number,
): Transition {
  if (venue !== undefined) return orderReported(state, venue, time);
  const parsed = ownId(state, clientOrderId);
  if (parsed === undefined) return foreign(state, clientOrderId);
  if (parsed.purpose === 'close') return closeFailed(state, clientOrderId, 'not at the venue', time);
  const slot = slotOf(state, parsed, clientOrderId);
  if (slot === undefined) return { state, commands: [] };
  if (slot.order!.status !== 'PENDING_NEW') {
    // The venue acknowledged this order once and now knows nothing of it: keep the slot blocked for an operator.
    return {
      state,
      commands: [
        {
          type: 'RecordEvent',
          eventType: 'order.unknown',
          details: { clientOrderId, status: slot.order!.status, level: parsed.level },
        },
      ],
    };
  }
  return { state: withSlots(state, [changeSlot(slot, { order: undefined }, time)], time), commands: [] };
}

/**
 * Sent, outcome unknown after the engine's lookups. A slot's order stays PENDING_NEW and blocks its
 * slot until reconciliation finds it; a close is looked up again after a backoff.
 */
export function orderOutcomeUnknown(state: GridState, clientOrderId: string, time: number): Transition {
  const parsed = ownId(state, clientOrderId);
  if (parsed === undefined) return foreign(state, clientOrderId);
  return parsed.purpose === 'close' ? closeOutcomeUnknown(state, clientOrderId, time) : { state, commands: [] };
}
