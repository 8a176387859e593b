/**
 * A price after a reaction that did nothing is decided without computing the reaction again
 * (decide.ts, quietPrice). Under seeded random event sequences from an unruly venue (fills, cancels,
 * rejections, margin locks, panics, stop loss and trailing take-profit), every decision equals the
 * full decision of the same state under a new identity, which no memo knows.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { type Decision, decide } from '../../../src/strategy/grid/decide.js';
import type { GridState } from '../../../src/strategy/grid/grid-state.js';
import { newGrid } from './grid-fixture.js';
import { VenueSimulation } from './venue-simulation.js';

const SEEDS = Array.from({ length: 12 }, (_, i) => 0x9e1d + i * 104_729);
const STEPS = 400;

/** Everything a decision says, slots included (the slot map's own fields are private). */
function visible(decision: Decision): unknown {
  const { slots, ...rest } = decision.state;
  return { rest, slots: [...slots.values()], commands: decision.commands, foreign: decision.foreign };
}

describe('quiet prices', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: each decision equals the full one`, () => {
      const venue = new VenueSimulation(seed);
      const fresh = newGrid({
        buyWindowSize: 4,
        risk: {
          enabled: seed % 2 === 0,
          maxGridLayers: 6,
          stopLossRatio: '0.08',
          takeProfitTriggerRatio: '0.06',
          trailingTakeProfitRatio: '0.01',
        },
        orderCleanupThreshold: 5,
        cleanupBatchSize: 2,
      });
      let state: GridState = decide(fresh, {
        type: 'AccountChecked',
        time: 1,
        availableBalance: dec(100000),
        leverage: 2,
      }).state;
      let quietPrices = 0;
      for (let step = 0; step < STEPS; step++) {
        const event = venue.next(state);
        const decision = decide(state, event);
        const full = decide(Object.freeze({ ...state }), event);
        expect(visible(decision), `seed ${seed} step ${step} ${event.type}`).toEqual(visible(full));
        if (event.type === 'PriceUpdated' && decision.commands.length === 0) quietPrices += 1;
        venue.accept(decision.commands);
        state = decision.state;
      }
      // The sequence must contain prices that change nothing, or the shortcut went untested.
      expect(quietPrices).toBeGreaterThan(10);
    });
  }
});
