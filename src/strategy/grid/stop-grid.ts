/**
 * Stopping a symbol (grid-strategy.md "Starting, taking over, stopping"): the runner stops feeding
 * prices, then sends StopRequested. From then on the grid places nothing; with `cancelOrders`
 * (cancel_on_exit) each order is cancelled as soon as it can be, and with `closePositions`
 * (close_positions_on_exit) the grid closes its position as a risk close does (close-position.ts). The runner
 * releases ownership once no slot holds an order (see `hasOrders`). Stopping is not persisted: a
 * restart or a takeover reconciles and trades again.
 */
import { startClosing } from './close-position.js';
import { type GridState, changeState, slotsWithOrders } from './grid-state.js';
import type { Transition } from './transition.js';

export function stopGrid(state: GridState, cancelOrders: boolean, closePositions: boolean, time: number): Transition {
  if (state.stopping !== undefined) return { state, commands: [] };
  const stopping = changeState(state, { stopping: { cancelOrders } }, time);
  return { state: closePositions ? startClosing(stopping, time) : stopping, commands: [] };
}

/** True while any slot still holds an order (working, pending, or awaiting its fills). */
export function hasOrders(state: GridState): boolean {
  return slotsWithOrders(state).length > 0;
}
