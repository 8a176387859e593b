/** A database outage in the pure core (docs/storage.md "A database outage"): held placements, managed resting orders. */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/strategy/grid/decide.js';
import type { GridEvent } from '../../../src/strategy/grid/grid-event.js';
import { accepted, fill, filled, orderId, places, price, run, startedGrid } from './grid-fixture.js';

const held = (time: number, isHeld: boolean): GridEvent => ({ type: 'PlacementsHeldChanged', time, held: isHeld });

describe('placements held while no intent can be recorded', () => {
  it('places nothing while held, still applies fills, and places the freed slots once released', () => {
    const started = startedGrid();
    const working = run(started.state, [accepted(started.state, -1, 3), accepted(started.state, -2, 4)]).state;
    const holding = decide(working, held(5, true));
    expect(holding.state.placementsHeld).toBe(true);
    // Not persisted: the hold changes no stored field.
    expect(holding.commands).toEqual([]);

    // A resting buy fills: applied (the slot holds the position), but neither its sell nor a new buy goes out.
    const buy = fill(orderId(working, -1), 'BUY', '990', '0.03', 6);
    const afterFill = run(holding.state, [filled(buy), price(7, '985')]);
    expect(afterFill.state.slots.get(-1)?.position).toBe('FILLED');
    expect(places(afterFill.commands)).toEqual([]);

    const released = decide(afterFill.state, held(8, false));
    expect(released.state.placementsHeld).toBe(false);
    expect(places(released.commands).map((command) => [command.level, command.side])).toContainEqual([-1, 'SELL']);
  });

  it('a repeated hold or release is no change', () => {
    const { state } = startedGrid();
    expect(decide(state, held(3, false)).state).toBe(state);
    const holding = decide(state, held(3, true)).state;
    expect(decide(holding, held(4, true)).state).toBe(holding);
  });
});
