/**
 * The grid lattice: prices `anchor + level * interval` for integer `level` (grid-strategy.md).
 * Levels are integers and prices are exact decimals, so the same anchor and interval rebuild the
 * same lattice on every instance and after every restart.
 */
import { type Decimal, dec } from './decimal.js';

export interface Lattice {
  readonly anchor: Decimal;
  readonly interval: Decimal;
}

export function lattice(anchor: Decimal | string, interval: Decimal | string): Lattice {
  const a = dec(anchor);
  const i = dec(interval);
  if (!i.isPositive() || i.isZero()) throw new RangeError(`lattice interval must be positive, got ${i.toFixed()}`);
  return Object.freeze({ anchor: a, interval: i });
}

/** Price of `level`. */
export function priceAt(l: Lattice, level: number): Decimal {
  if (!Number.isSafeInteger(level)) throw new RangeError(`lattice level must be an integer, got ${level}`);
  return l.anchor.add(l.interval.mul(level));
}

/** Nearest level to `price` (ties round half up). */
export function nearestLevel(l: Lattice, price: Decimal): number {
  return price.sub(l.anchor).div(l.interval).toDecimalPlaces(0, 4 /* ROUND_HALF_CEIL */).toNumber();
}

/** Highest level whose price is ≤ `price`. */
export function levelAtOrBelow(l: Lattice, price: Decimal): number {
  return price.sub(l.anchor).div(l.interval).floor().toNumber();
}
