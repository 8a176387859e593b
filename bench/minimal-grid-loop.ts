/**
 * The limit for the backtest bench: a minimal hand-written grid over the same seeded prices, with
 * integer lattice levels and float books, no order objects, no events, no immutable state. It buys
 * the `buyWindow` levels under the price, sells each filled level one level up, and counts fills and
 * round trips. It is not a second engine (nothing uses its figures); it says how fast a grid over
 * these ticks can go in JavaScript, so the real loop's ratio to it shows what the design costs.
 */
import type { BacktestSetup } from '../src/backtest/backtest-setup.js';
import { RandomWalkPath } from '../src/exchange/sim/sim-price-path.js';

export interface MinimalGridResult {
  readonly fills: number;
  readonly trades: number;
}

export function minimalGridLoop(setup: BacktestSetup): MinimalGridResult {
  const symbol = setup.engine.symbols[0]!;
  const { settings } = setup.identity;
  const path = new RandomWalkPath({
    initialPrice: symbol.initialPrice,
    tickSize: symbol.tickSize,
    volatility: symbol.volatility ?? 0.8,
    drift: symbol.drift ?? 0,
    meanReversion: symbol.meanReversion ?? 0,
    seed: setup.engine.seed * 7919,
  });
  const tickMs = setup.engine.tickMs ?? 1000;
  const anchor = symbol.initialPrice.toNumber();
  const interval = settings.priceInterval.toNumber();
  const window = settings.buyWindowSize;
  // Level → 1 when a buy rests there, 2 when filled with its sell resting one level up.
  const slots = new Map<number, number>();
  let fills = 0;
  let trades = 0;
  for (let tick = 0; tick < setup.ticks; tick += 1) {
    const price = path.next(tickMs).toNumber();
    const below = Math.ceil((price - anchor) / interval) - 1;
    for (const [level, state] of slots) {
      const levelPrice = anchor + level * interval;
      if (state === 1 && price <= levelPrice) {
        slots.set(level, 2);
        fills += 1;
      } else if (state === 2 && price >= levelPrice + interval) {
        slots.delete(level);
        fills += 1;
        trades += 1;
      } else if (state === 1 && level < below - window) {
        slots.delete(level);
      }
    }
    for (let level = below; level > below - window; level -= 1) if (!slots.has(level)) slots.set(level, 1);
  }
  return { fills, trades };
}
