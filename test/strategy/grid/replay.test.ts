/** Replay determinism: the same event log from the same state yields the same states and commands. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { decide, replay } from '../../../src/strategy/grid/decide.js';
import type { GridEvent } from '../../../src/strategy/grid/grid-event.js';
import { fill, filled, newGrid, price } from './grid-fixture.js';

describe('replay', () => {
  it('replaying a log twice gives equal states and commands, and equals stepping through it', () => {
    const initial = newGrid();
    const log: GridEvent[] = [
      { type: 'AccountChecked', time: 1, availableBalance: dec(1000), leverage: 2 },
      price(2, '1000'),
      { type: 'OrderAccepted', time: 3, clientOrderId: 'qm.9mw7h2ax.B.-1.0', exchangeOrderId: '1' },
      filled(fill('qm.9mw7h2ax.B.-1.0', 'BUY', '990', '0.03', 4, '0.01')),
      { type: 'OrderAccepted', time: 5, clientOrderId: 'qm.9mw7h2ax.S.-1.0', exchangeOrderId: '2' },
      filled(fill('qm.9mw7h2ax.S.-1.0', 'SELL', '1000', '0.03', 6, '0.01')),
      { type: 'MarketPanicChanged', time: 7, panic: true },
      price(8, '995'),
    ];
    const first = replay(initial, log);
    const second = replay(initial, log);
    expect(second).toEqual(first);
    let state = initial;
    const commands = [];
    for (const event of log) {
      const decision = decide(state, event);
      state = decision.state;
      commands.push(...decision.commands);
    }
    expect(first.state).toEqual(state);
    expect(first.commands).toEqual(commands);
    // The log exercised a full round trip: the ids above are the grid's own.
    expect(first.commands.filter((c) => c.type === 'BookTrade')).toHaveLength(1);
    expect(first.state.slots.get(-1)!.cycle).toBe(1);
  });

  it('decide never mutates its input state', () => {
    const initial = newGrid();
    const snapshot = JSON.stringify([...initial.slots], null, 0) + JSON.stringify({ ...initial, slots: undefined });
    replay(initial, [{ type: 'AccountChecked', time: 1, availableBalance: dec(1000), leverage: 2 }, price(2, '1000')]);
    expect(JSON.stringify([...initial.slots], null, 0) + JSON.stringify({ ...initial, slots: undefined })).toBe(
      snapshot,
    );
    expect(Object.isFrozen(initial)).toBe(true);
  });
});
