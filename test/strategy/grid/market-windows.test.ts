/** grid-strategy.md "Reacting to the market": buy window, sell window, nearest first, sizing. */
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/strategy/grid/decide.js';
import { GridConfigurationError } from '../../../src/strategy/grid/errors.js';
import { gridSettings } from '../../../src/strategy/grid/grid-settings.js';
import {
  MARKET,
  accepted,
  d,
  fill,
  filled,
  newGrid,
  orderId,
  places,
  price,
  run,
  startedGrid,
} from './grid-fixture.js';

describe('buy window', () => {
  it('anchors the lattice at the first price and buys the window of levels below it, skipping the level at the market', () => {
    const { state, commands } = startedGrid();
    expect(state.lattice?.anchor.toFixed()).toBe('1000');
    expect(
      places(commands).map((c) => [c.level, c.side, c.price.toFixed(), c.quantity.toFixed(), c.postOnly, c.reduceOnly]),
    ).toEqual([
      [-1, 'BUY', '990', '0.03', true, false],
      [-2, 'BUY', '980', '0.03', true, false],
      [-3, 'BUY', '970', '0.03', true, false],
    ]);
    expect(state.slots.get(-1)?.order?.status).toBe('PENDING_NEW');
  });

  it('skips a level exactly one tenth of an interval below the price, and takes it just beyond', () => {
    const atTenth = startedGrid({}, '1001');
    expect(places(atTenth.commands).map((c) => c.level)).toEqual([-1, -2, -3]);
    const beyond = startedGrid({}, '1001.1');
    // Anchor 1001.1: move the price on an anchored grid instead.
    const grid = startedGrid({}, '1000').state;
    const moved = decide(grid, price(3, '1011.1'));
    expect(places(moved.commands).map((c) => c.level)).toEqual([1, 0]);
    expect(places(beyond.commands)[0]!.price.toFixed()).toBe('991.1');
  });

  it('places nothing before the account check passed, and nothing twice for a slot with an order', () => {
    const unchecked = decide(newGrid(), price(1, '1000'));
    expect(places(unchecked.commands)).toEqual([]);
    const { state } = startedGrid();
    const again = decide(state, price(3, '1000.5'));
    expect(places(again.commands)).toEqual([]);
  });

  it('a fully bought slot is not bought again, and the window follows the price down', () => {
    const { state } = startedGrid();
    const id = orderId(state, -1);
    const after = run(state, [accepted(state, -1, 3), filled(fill(id, 'BUY', '990', '0.03', 4)), price(5, '985')]);
    expect(after.state.slots.get(-1)?.position).toBe('FILLED');
    // At 985: buy window -2..-4 (975 > 985-1 is false: 980 < 984 ok); -2 and -3 already have orders; -4 is new.
    expect(
      places(after.commands)
        .filter((c) => c.side === 'BUY')
        .map((c) => c.level),
    ).toEqual([-4]);
  });
});

describe('sell window', () => {
  it('sells a FILLED slot one interval up, post-only and reduce-only, at once after its buy filled', () => {
    const { state } = startedGrid();
    const id = orderId(state, -1);
    const result = run(state, [accepted(state, -1, 3), filled(fill(id, 'BUY', '990', '0.03', 4))]);
    const sells = places(result.commands).filter((c) => c.side === 'SELL');
    expect(
      sells.map((c) => [c.level, c.price.toFixed(), c.quantity.toFixed(), c.postOnly, c.reduceOnly, c.cycle]),
    ).toEqual([[-1, '1000', '0.03', true, true, 0]]);
  });

  it('leaves FILLED slots farther than sell_window_size levels from the price without a sell, and sells them when the price returns', () => {
    const { state } = startedGrid({ sellWindowSize: 1 });
    const id = orderId(state, -3);
    const far = run(state, [price(3, '1030'), accepted(state, -3, 4), filled(fill(id, 'BUY', '970', '0.03', 5))]);
    expect(places(far.commands).filter((c) => c.side === 'SELL')).toEqual([]);
    const back = decide(far.state, price(6, '975'));
    expect(
      places(back.commands)
        .filter((c) => c.side === 'SELL')
        .map((c) => c.level),
    ).toEqual([-3]);
  });

  it('places nearest to the market first', () => {
    const { state } = startedGrid({ buyWindowSize: 3, sellWindowSize: 5 });
    let current = state;
    for (const level of [-1, -2, -3]) {
      current = run(current, [accepted(current, level, 3)]).state;
    }
    // All three buys fill while the price is far above the sell window, then the price comes back.
    const up = run(current, [
      price(4, '1200'),
      ...[-1, -2, -3].map((level, i) =>
        filled(fill(orderId(current, level), 'BUY', String(1000 + 10 * level), '0.03', 5 + i)),
      ),
    ]);
    const back = decide(up.state, price(9, '987'));
    const sells = places(back.commands).filter((c) => c.side === 'SELL');
    expect(sells.map((c) => c.price.toFixed())).toEqual(['990', '980', '1000']);
    // Buys and sells share one order: the buy at 960 (27 away) comes after every nearer sell.
    expect(places(back.commands).map((c) => c.price.toFixed())).toEqual(['990', '980', '1000', '960']);
  });
});

describe('sizing', () => {
  it('order_quantity is a quote amount divided by the slot price and floored to the step', () => {
    const { commands } = startedGrid({ orderQuantity: '100' }, '3333');
    // 3323.0 and below: 100 / 3323 = 0.030093... → 0.03
    expect(places(commands)[0]!.quantity.toFixed()).toBe('0.03');
  });

  it('a size that rounds to zero pauses the symbol with a configuration reason', () => {
    const { state, commands } = startedGrid({ orderQuantity: '0.5' });
    expect(places(commands)).toEqual([]);
    expect(state.pause?.reason).toBe('configuration');
    expect(state.pause?.message).toMatch(/less than one step/);
    expect(commands).toContainEqual(expect.objectContaining({ type: 'PauseSymbol', reason: 'configuration' }));
  });

  it('a size under the minimum notional pauses the symbol', () => {
    const { state } = startedGrid({ orderQuantity: '30' }, '1000', { ...MARKET, minNotional: d('50') });
    expect(state.pause?.message).toMatch(/minimum notional 50/);
  });

  it('a size under min_order_value pauses the symbol', () => {
    const { state } = startedGrid({ minOrderValue: '40' });
    expect(state.pause?.message).toMatch(/min_order_value 40/);
  });

  it('invalid settings are refused with the setting named', () => {
    expect(() => gridSettings({ priceInterval: '0', orderQuantity: '30', buyWindowSize: 3 })).toThrow(
      GridConfigurationError,
    );
    expect(() => gridSettings({ priceInterval: '10', orderQuantity: '30', buyWindowSize: 0 })).toThrow(
      /buy_window_size/,
    );
    expect(() => gridSettings({ priceInterval: 'ten', orderQuantity: '30', buyWindowSize: 1 })).toThrow(
      /price_interval/,
    );
    expect(() => newGrid({ priceInterval: '10.05' })).toThrow(/not a multiple of the tick size/);
    expect(gridSettings({ priceInterval: '10', orderQuantity: '30', buyWindowSize: 4 })).toMatchObject({
      sellWindowSize: 4,
      orderCleanupThreshold: 50,
      cleanupBatchSize: 10,
      marginLockDurationSeconds: 10,
    });
  });
});

describe('malformed input', () => {
  it('a price that is not positive is dropped: it neither anchors the grid nor places anything', () => {
    const unanchored = decide(newGrid(), price(1, '0'));
    expect(unanchored.state.lattice).toBeUndefined();
    const { state } = startedGrid();
    const result = decide(state, price(3, '-5'));
    expect(result.state).toBe(state);
    expect(result.commands).toEqual([]);
  });

  it('levels at or under zero price are never bought', () => {
    const { state } = startedGrid({ buyWindowSize: 5 });
    const crash = decide(state, price(3, '25'));
    const buys = places(crash.commands).filter((c) => c.side === 'BUY');
    expect(buys.map((c) => c.price.toFixed())).toEqual(['20', '10']);
  });

  it('a fill without a positive quantity is dropped', () => {
    const { state } = startedGrid();
    const result = decide(state, filled(fill(orderId(state, -1), 'BUY', '990', '0', 3)));
    expect(result.state).toBe(state);
  });
});
