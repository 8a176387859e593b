/**
 * Takeover safety (Invariant 1, deterministic ids): a client order id is (grid, level, side, cycle),
 * so an id is new only while the slot's cycle is past every intent recorded for its level. Intents
 * are written straight to the shared database, but the slots of the same owner go through its local
 * spool: after the owner dies, the stored slots may be behind intents it recorded (and maybe sent).
 *
 * The taking-over runner reconciles first (the dead owner's open orders are adopted by client id,
 * which needs the slot's cycle as stored) and then moves every slot whose cycle is not past the
 * highest recorded intent cycle of its level to the cycle after it, so every id it builds is new.
 * A slot holding an adopted order keeps that order; its next order gets the new cycle.
 */
import { type GridState, type Slot, changeSlot, slotAt, withSlots } from './grid-state.js';

export interface CyclesAdvanced {
  readonly state: GridState;
  /** Levels whose cycle moved (to be persisted). */
  readonly levels: readonly number[];
}

/** `highest`: level → highest intent cycle recorded for the symbol (Database.getHighestIntentCycles). */
export function advanceCyclesPastIntents(
  state: GridState,
  highest: ReadonlyMap<number, number>,
  time: number,
): CyclesAdvanced {
  const moved: Slot[] = [];
  for (const [level, cycle] of highest) {
    const slot = slotAt(state, level);
    if (slot.cycle <= cycle) moved.push(changeSlot(slot, { cycle: cycle + 1 }, time));
  }
  return { state: withSlots(state, moved, time), levels: moved.map((slot) => slot.level) };
}
