/**
 * Status bookkeeping of a slot's order on top of the domain order state machine.
 *
 * Invariant: an order leaves its slot only once it is accounted for: terminal at the venue and
 * every fill the venue reported for it applied to the position (grid-strategy.md: never place for a
 * slot whose order is not accounted for).
 */
import { type OrderEvent, type OrderStatus, isTerminal, transition } from '../../domain/order.js';
import { InvalidOrderTransitionError } from '../../domain/errors.js';
import { type Slot, type SlotOrder, changeOrder, changeSlot } from './grid-state.js';

/**
 * Next status of an order; a pair the order state machine does not allow (a venue report arriving
 * out of order) keeps the current status, because the venue's later reports or a lookup repair it.
 */
export function advance(status: OrderStatus, event: OrderEvent): OrderStatus {
  try {
    return transition(status, event);
  } catch (error) {
    if (error instanceof InvalidOrderTransitionError) return status;
    throw error;
  }
}

export function isAccountedFor(order: SlotOrder): boolean {
  if (!isTerminal(order.status)) return false;
  const reported = order.status === 'FILLED' ? order.quantity : (order.venueFilledQuantity ?? order.filledQuantity);
  return order.filledQuantity.gte(reported);
}

/**
 * Removes the slot's order once it is accounted for. A fully filled order ends the post-only streak.
 * An order that ended otherwise (canceled, expired, rejected) used up its intent: the slot's cycle
 * advances so the next order of the slot is a new intent with a new client order id (an intent is
 * sent at most once, Invariant 1).
 */
export function settleSlot(slot: Slot, time: number): Slot {
  const order = slot.order;
  if (order === undefined || !isAccountedFor(order)) return slot;
  const fullyFilled = order.filledQuantity.gte(order.quantity);
  return changeSlot(
    slot,
    fullyFilled ? { order: undefined, postOnlyRejections: 0 } : { order: undefined, cycle: slot.cycle + 1 },
    time,
  );
}

/** Sets a new status (and optional fields) on the slot's order, then settles the slot. */
export function updateSlotOrder(slot: Slot, event: OrderEvent, change: Partial<SlotOrder>, time: number): Slot {
  const order = slot.order;
  if (order === undefined) return slot;
  const next = changeOrder(order, { ...change, status: advance(order.status, event) }, time);
  return settleSlot(changeSlot(slot, { order: next }, time), time);
}
