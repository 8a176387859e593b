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

/** Anchor and interval as floats: the fast path of the level lookups below. */
interface FloatLattice {
  readonly anchor: number;
  readonly interval: number;
}

const floats = new WeakMap<Lattice, FloatLattice>();

/**
 * The float's error bound, relative to the magnitudes involved: far above the few ulps the
 * quotient can be off by, so a float whose floor is clear of this margin has the exact floor.
 */
const FLOAT_MARGIN = 1e-9;

/**
 * ⌊(price − anchor)/interval + shift⌋, from floats when the value is clear of an integer by far
 * more than their rounding error (nearly always: otherwise every price of a tick costs 60-digit
 * divisions); undefined at the edge, where the exact decimals must decide.
 */
function floatFloor(l: Lattice, price: Decimal, shift: number): number | undefined {
  let f = floats.get(l);
  if (f === undefined) {
    f = { anchor: l.anchor.toNumber(), interval: l.interval.toNumber() };
    floats.set(l, f);
  }
  const p = price.toNumber();
  const value = (p - f.anchor) / f.interval + shift;
  const margin = FLOAT_MARGIN * (1 + (Math.abs(p) + Math.abs(f.anchor)) / f.interval + Math.abs(shift));
  const floor = Math.floor(value);
  return value - floor > margin && floor + 1 - value > margin && Number.isSafeInteger(floor) ? floor : undefined;
}

/** Nearest level to `price` (ties round half up). */
export function nearestLevel(l: Lattice, price: Decimal): number {
  return (
    floatFloor(l, price, 0.5) ??
    price.sub(l.anchor).div(l.interval).toDecimalPlaces(0, 4 /* ROUND_HALF_CEIL */).toNumber()
  );
}

/** Highest level whose price is < `price` − interval/10 (the grid skips a buy this close under the market). */
export function levelATenthBelow(l: Lattice, price: Decimal): number {
  // The highest k < x − 1/10 is ⌈x − 1/10⌉ − 1, which is ⌊x − 1/10⌋ when that is off an integer.
  return (
    floatFloor(l, price, -0.1) ?? price.sub(l.interval.div(10)).sub(l.anchor).div(l.interval).ceil().toNumber() - 1
  );
}
