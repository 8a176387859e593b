/**
 * Reconciliation against the venue's open orders (grid-strategy.md "Starting, taking over"):
 * adopt every open order of ours that the slot can hold, repair the status of orders the grid
 * knows, cancel open orders of ours that would be a second order for their slot, and ask the engine
 * to look up every order the grid counts as working that the venue no longer lists (the outstanding
 * close included). It never
 * cancels and re-places an order it can adopt, and a slot whose order is being looked up stays
 * blocked until the answer arrives (OrderReported or UnknownOutcomeResolved).
 */
import { isWorking } from '../../domain/order.js';
import type { GridCommand } from './grid-command.js';
import type { VenueOrder } from './grid-event.js';
import { type GridState, slotsWithOrders } from './grid-state.js';
import { orderReported } from './order-updates.js';
import type { Transition } from './transition.js';

export function reconcile(state: GridState, openOrders: readonly VenueOrder[], time: number): Transition {
  let current = state;
  const commands: GridCommand[] = [];
  const foreign: string[] = [];
  for (const venue of openOrders) {
    const step = orderReported(current, venue, time, true);
    current = step.state;
    commands.push(...step.commands);
    foreign.push(...(step.foreign ?? []));
  }
  const open = new Set(openOrders.map((order) => order.clientOrderId));
  const vanished = slotsWithOrders(current)
    .map((slot) => slot.order!)
    .filter((order) => isWorking(order.status) && !open.has(order.clientOrderId))
    .map((order) => order.clientOrderId);
  // A close the venue reported open and no longer lists (its ending report lost): its view ends it.
  const close = current.closing?.order;
  if (close?.status === 'working' && !open.has(close.clientOrderId)) vanished.push(close.clientOrderId);
  for (const clientOrderId of vanished) commands.push({ type: 'LookupOrder', clientOrderId });
  commands.push({
    type: 'RecordEvent',
    eventType: 'reconciliation',
    details: {
      openOrders: openOrders.length,
      foreign: foreign.length,
      lookups: vanished.length,
      cancels: commands.filter((c) => c.type === 'CancelOrder').length,
    },
  });
  return { state: current, commands, foreign };
}
