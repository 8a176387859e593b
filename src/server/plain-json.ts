/** Records as JSON: exact decimals become fixed-point strings (decimal.js would write small ones in exponent form). */
import { Decimal } from 'decimal.js';

export type PlainJson<T> = {
  [K in keyof T]: T[K] extends Decimal ? string : T[K] extends Decimal | undefined ? string | undefined : T[K];
};

export function plainJson<T extends object>(record: T): PlainJson<T> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [
      key,
      Decimal.isDecimal(value) ? (value as Decimal).toFixed() : value,
    ]),
  ) as PlainJson<T>;
}
