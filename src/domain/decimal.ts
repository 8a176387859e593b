/**
 * Exact decimal arithmetic for prices, quantities and money. Binary floats never carry a price:
 * every value is built from a decimal string (or an integer) and stays exact.
 *
 * Decimals are decimal.js values in a private clone configured with enough precision for any
 * venue's tick size times any lattice index, so no operation used here rounds implicitly.
 */
import { Decimal as DecimalJs } from 'decimal.js';
import { InvalidDecimalError } from './errors.js';

const DecimalCtor = DecimalJs.clone({
  precision: 60,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 60,
});

export type Decimal = DecimalJs;

const DECIMAL_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Parses an exact decimal from a string, bigint or safe integer; throws InvalidDecimalError otherwise. */
export function dec(value: string | number | bigint | Decimal): Decimal {
  // Decimals are immutable: one of this clone is kept as it is (no copy per price event).
  if (value instanceof DecimalCtor) return value;
  if (DecimalJs.isDecimal(value)) return new DecimalCtor(value as Decimal);
  if (typeof value === 'bigint') return new DecimalCtor(value.toString());
  if (typeof value === 'number') {
    // Only integers may enter as numbers: a fractional float is already inexact.
    if (!Number.isSafeInteger(value)) throw new InvalidDecimalError(String(value));
    return new DecimalCtor(value);
  }
  const text = value.trim();
  if (!DECIMAL_PATTERN.test(text)) throw new InvalidDecimalError(value);
  return new DecimalCtor(text);
}

/** True when `value` parses as an exact decimal. */
export function isDecimalString(value: string): boolean {
  return DECIMAL_PATTERN.test(value.trim());
}

export const ZERO: Decimal = new DecimalCtor(0);
export const ONE: Decimal = new DecimalCtor(1);

/** Largest multiple of `step` that is ≤ `value` (for quantities: never round a size up). */
export function floorToStep(value: Decimal, step: Decimal): Decimal {
  if (step.isZero()) return value;
  return value.div(step).floor().mul(step);
}

/** Nearest multiple of `step` (ties to even); used to put prices on a venue's tick grid. */
export function roundToStep(value: Decimal, step: Decimal): Decimal {
  if (step.isZero()) return value;
  return value.div(step).toDecimalPlaces(0, DecimalJs.ROUND_HALF_EVEN).mul(step);
}

/** Canonical text of a decimal without exponent or trailing zeros, for storage and ids. */
export function decimalToString(value: Decimal): string {
  return value.toFixed();
}

export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}
