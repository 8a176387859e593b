/**
 * Invariant 1 under any event order: seeded random event sequences from an unruly venue; after
 * every step no slot has two live orders at the venue, no intent is sent while it is live, each
 * slot holds at most the order it placed, positions are never negative, and replaying the recorded
 * events from the start reproduces the same state and commands.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { decide, replay } from '../../../src/strategy/grid/decide.js';
import type { GridCommand } from '../../../src/strategy/grid/grid-command.js';
import type { GridEvent } from '../../../src/strategy/grid/grid-event.js';
import { newGrid } from './grid-fixture.js';
import { VenueSimulation } from './venue-simulation.js';

const SEEDS = Array.from({ length: 16 }, (_, i) => 0x5eed + i * 7919);
const STEPS = 300;

describe('slot invariant under random event sequences', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: never two working orders for a slot, and replay is deterministic`, () => {
      const venue = new VenueSimulation(seed);
      const fresh = newGrid({
        buyWindowSize: 4,
        risk: {
          enabled: true,
          maxGridLayers: 6,
          stopLossRatio: '0.08',
          takeProfitTriggerRatio: '0.06',
          trailingTakeProfitRatio: '0.01',
        },
        orderCleanupThreshold: 5,
        cleanupBatchSize: 2,
      });
      const initial = decide(fresh, {
        type: 'AccountChecked',
        time: 1,
        availableBalance: dec(100000),
        leverage: 2,
      }).state;
      let state = initial;
      const events: GridEvent[] = [];
      const commands: GridCommand[] = [];
      let placed = 0;
      let booked = 0;
      for (let step = 0; step < STEPS; step++) {
        const event = venue.next(state);
        events.push(event);
        const decision = decide(state, event);
        const context = `seed ${seed} step ${step} ${event.type}`;
        const levels = decision.commands
          .filter((c) => c.type === 'PlaceOrder')
          .map((c) => (c as { level: number }).level);
        expect(new Set(levels).size, `${context}: two placements for one level`).toBe(levels.length);
        for (const command of decision.commands) {
          if (command.type !== 'PlaceOrder') continue;
          placed++;
          expect(decision.state.slots.get(command.level)!.order, context).toMatchObject({
            clientOrderId: command.clientOrderId,
            status: 'PENDING_NEW',
          });
        }
        const violation = venue.accept(decision.commands);
        expect(violation, context).toBeUndefined();
        for (const [level, ids] of venue.liveByLevel()) {
          expect(ids.length, `${context}: level ${level} has ${ids.join(',')}`).toBeLessThanOrEqual(1);
          // Every live venue order is held by its slot (accounted for), or being looked up / cancelled as an orphan.
          const held = decision.state.slots.get(level)?.order?.clientOrderId;
          if (held !== undefined) expect(ids, context).toContain(held);
        }
        for (const slot of decision.state.slots.values()) {
          expect(slot.positionQuantity.isNegative(), context).toBe(false);
          expect(slot.position === 'FILLED', context).toBe(!slot.positionQuantity.isZero());
        }
        booked += decision.commands.filter((c) => c.type === 'BookTrade').length;
        commands.push(...decision.commands);
        state = decision.state;
      }
      // The sequence must have exercised the grid, not idled in a pause.
      expect(placed).toBeGreaterThan(12);
      expect(booked).toBeGreaterThan(3);
      const again = replay(initial, events);
      expect(again.state).toEqual(state);
      expect(again.commands).toEqual(commands);
    });
  }
});
