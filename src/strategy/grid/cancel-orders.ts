import type { CancelReason, GridCommand } from './grid-command.js';
import { type GridState, type Slot, slotsWithOrders, withSlots } from './grid-state.js';
import { updateSlotOrder } from './slot-order-status.js';
import type { Transition } from './transition.js';

/**
 * Orders that a cancel can reach now: acknowledged and still working. A PENDING_NEW order is left
 * alone until the venue answers (cancelling an order the venue may not have seen yet races its
 * placement); a PENDING_CANCEL one already has its request in flight.
 */
export function cancellableSlots(state: GridState, predicate: (slot: Slot) => boolean = () => true): Slot[] {
  return slotsWithOrders(state).filter(
    (slot) => (slot.order!.status === 'NEW' || slot.order!.status === 'PARTIALLY_FILLED') && predicate(slot),
  );
}

/** Marks each slot's order PENDING_CANCEL and emits one CancelOrder per order. */
export function cancelOrders(state: GridState, slots: readonly Slot[], reason: CancelReason, time: number): Transition {
  const commands: GridCommand[] = slots.map((slot) => ({
    type: 'CancelOrder',
    level: slot.level,
    clientOrderId: slot.order!.clientOrderId,
    reason,
  }));
  const next = slots.map((slot) => updateSlotOrder(slot, 'CancelRequested', {}, time));
  return { state: withSlots(state, next, time), commands };
}
