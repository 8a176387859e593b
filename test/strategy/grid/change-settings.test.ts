/** SettingsChanged (R7): a running grid takes new windows, sizes and risk limits; its lattice never changes. */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/strategy/grid/decide.js';
import { GridConfigurationError } from '../../../src/strategy/grid/errors.js';
import { gridSettings } from '../../../src/strategy/grid/grid-settings.js';
import { BASE_SETTINGS, cancels, places, startedGrid } from './grid-fixture.js';

const changed = (overrides: Partial<typeof BASE_SETTINGS>) => gridSettings({ ...BASE_SETTINGS, ...overrides });

describe('SettingsChanged', () => {
  it('a wider buy window places the extra buys at once, sized with the new order quantity, and keeps the working ones', () => {
    const { state } = startedGrid();
    expect([...state.slots.keys()].sort((a, b) => b - a)).toEqual([-1, -2, -3]);
    const next = decide(state, {
      type: 'SettingsChanged',
      time: 3,
      settings: changed({ buyWindowSize: 5, orderQuantity: '60' }),
    });
    expect(places(next.commands).map((c) => [c.level, c.side, c.price.toFixed(), c.quantity.toFixed()])).toEqual([
      [-4, 'BUY', '960', '0.062'],
      [-5, 'BUY', '950', '0.063'],
    ]);
    expect(cancels(next.commands)).toEqual([]);
    expect(next.state.slots.get(-1)?.order?.quantity.toFixed()).toBe('0.03');
    expect(next.state.settings.buyWindowSize).toBe(5);
    expect(next.state.lattice).toBe(state.lattice);
    expect(next.commands.find((c) => c.type === 'PersistState')).toMatchObject({ levels: [-5, -4] });
  });

  it('a narrower buy window places nothing new and leaves the working buys to the order budget', () => {
    const { state } = startedGrid();
    const next = decide(state, { type: 'SettingsChanged', time: 3, settings: changed({ buyWindowSize: 1 }) });
    expect(places(next.commands)).toEqual([]);
    expect(cancels(next.commands)).toEqual([]);
    expect(next.state.settings.buyWindowSize).toBe(1);
  });

  it('a changed price interval is refused: it fixes the lattice', () => {
    const { state } = startedGrid();
    let refused: unknown;
    try {
      decide(state, { type: 'SettingsChanged', time: 3, settings: changed({ priceInterval: '20' }) });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(GridConfigurationError);
    expect((refused as GridConfigurationError).setting).toBe('price_interval');
  });
});
