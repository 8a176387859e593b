/**
 * Invariant 3 (positions agree): the venue's position of the symbol, as reconciliation read it while
 * no fill happened, against the grid's (the sum of its slots' positions, which are what the database
 * stores). A difference pauses the symbol (`position-drift`: no new orders, buys cancelled) and is
 * recorded; once the positions agree again (the missing fills were recovered) the drift pause
 * clears by itself. An operator resume accepts the difference (the engine records the adjustment).
 */
import type { Decimal } from '../../domain/decimal.js';
import { ZERO } from '../../domain/decimal.js';
import type { GridState } from './grid-state.js';
import { pauseGrid, resumeGrid } from './pause.js';
import type { Transition } from './transition.js';

/** The base quantity the grid holds: the sum of every slot's position (a partly filled buy's too). */
export function gridPosition(state: GridState): Decimal {
  return [...state.slots.withOrders(), ...state.slots.heldWithoutOrder()].reduce(
    (sum, slot) => sum.add(slot.positionQuantity),
    ZERO,
  );
}

export function venuePositionReported(state: GridState, venueQuantity: Decimal, time: number): Transition {
  const held = gridPosition(state);
  if (held.eq(venueQuantity))
    return state.pause?.reason === 'position-drift' ? resumeGrid(state, time) : { state, commands: [] };
  const difference = venueQuantity.sub(held);
  const message = `venue position ${venueQuantity.toFixed()} differs from the grid's ${held.toFixed()} by ${difference.toFixed()}: recover the missing fills, or resume to accept the difference`;
  const paused = pauseGrid(state, 'position-drift', message, time);
  return {
    state: paused.state,
    commands: [
      {
        type: 'RecordEvent',
        eventType: 'reconciliation',
        details: {
          problem: 'position-drift',
          venuePosition: venueQuantity.toFixed(),
          gridPosition: held.toFixed(),
          difference: difference.toFixed(),
        },
      },
      ...paused.commands,
    ],
  };
}
