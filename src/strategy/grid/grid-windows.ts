/**
 * Which levels the grid works around the last price (grid-strategy.md "Reacting to the market").
 *
 * Buy window: the `buy_window_size` highest levels strictly below p by more than a tenth of an
 * interval, i.e. levels k with price(k) < p − interval/10; the level at the market is skipped so a
 * post-only buy is not placed on top of the price. Sell window: FILLED slots whose level is within
 * `sell_window_size` levels of the level nearest to p.
 */
import type { Decimal } from '../../domain/decimal.js';
import { type Lattice, levelATenthBelow, nearestLevel } from '../../domain/lattice.js';
import type { GridSettings } from './grid-settings.js';

export interface GridWindows {
  /** Highest and lowest level of the buy window (inclusive). */
  readonly buyTop: number;
  readonly buyBottom: number;
  /** Level nearest to the price; the sell window is nearest ± sellWindowSize. */
  readonly nearest: number;
  readonly sellWindowSize: number;
}

interface Memo {
  readonly lattice: Lattice;
  readonly settings: GridSettings;
  readonly windows: GridWindows;
}

/**
 * Windows by price object: every decision of a tick reads the windows of the same price, and the
 * divisions are the costly part. A memo, not state: decimals, lattices and settings are immutable.
 */
const byPrice = new WeakMap<Decimal, Memo>();

export function gridWindows(lattice: Lattice, settings: GridSettings, price: Decimal): GridWindows {
  const memo = byPrice.get(price);
  if (memo !== undefined && memo.lattice === lattice && memo.settings === settings) return memo.windows;
  const windows = computeWindows(lattice, settings, price);
  byPrice.set(price, { lattice, settings, windows });
  return windows;
}

function computeWindows(lattice: Lattice, settings: GridSettings, price: Decimal): GridWindows {
  const buyTop = levelATenthBelow(lattice, price);
  return {
    buyTop,
    buyBottom: buyTop - settings.buyWindowSize + 1,
    nearest: nearestLevel(lattice, price),
    sellWindowSize: settings.sellWindowSize,
  };
}

export function inBuyWindow(windows: GridWindows, level: number): boolean {
  return level <= windows.buyTop && level >= windows.buyBottom;
}

export function inSellWindow(windows: GridWindows, level: number): boolean {
  return Math.abs(level - windows.nearest) <= windows.sellWindowSize;
}
