/**
 * The lattice's level lookups take a float fast path: they must answer exactly what the decimal
 * formulas answer, on the edges above all (prices exactly on a level, half an interval and a tenth
 * of one away, and a hair either side of those), and on seeded random prices on several lattices.
 */
import { describe, expect, it } from 'vitest';
import { type Decimal, dec } from '../../../src/domain/decimal.js';
import { type Lattice, lattice, levelATenthBelow, nearestLevel } from '../../../src/domain/lattice.js';
import { SeededRandom } from '../../../src/exchange/sim/seeded-random.js';

// `+ 0`: the decimal formula says −0 just above the level under 0; as a level (map key, id, JSON) it is 0.
const exactNearest = (l: Lattice, price: Decimal): number =>
  price.sub(l.anchor).div(l.interval).toDecimalPlaces(0, 4 /* ROUND_HALF_CEIL */).toNumber() + 0;
const exactTenthBelow = (l: Lattice, price: Decimal): number =>
  price.sub(l.interval.div(10)).sub(l.anchor).div(l.interval).ceil().toNumber() - 1;

const LATTICES = [
  lattice('60000', '50'),
  lattice('1000', '10'),
  lattice('0.3333', '0.0007'),
  lattice('123.45', '0.3'),
  lattice('25000.5', '0.1'),
];

function edgePrices(l: Lattice): Decimal[] {
  const prices: Decimal[] = [];
  for (const level of [-40, -3, -1, 0, 1, 7, 55])
    for (const offset of ['0', '0.5', '-0.5', '0.1', '-0.1', '0.9', '1.1'])
      for (const hair of ['0', '1e-30', '-1e-30', '1e-12', '-1e-12'])
        prices.push(l.anchor.add(l.interval.mul(dec(offset).add(level))).add(dec(hair)));
  return prices.filter((price) => price.isPositive() && !price.isZero());
}

describe('lattice level lookups', () => {
  it('answer as the exact decimal formulas on the edges and on random prices', () => {
    const random = new SeededRandom(20261202);
    for (const l of LATTICES) {
      const randomPrices = Array.from({ length: 2000 }, () =>
        l.anchor.add(l.interval.mul(dec(Math.floor(random.next() * 2e6) - 1e6).div(1000))).abs(),
      );
      for (const price of [...edgePrices(l), ...randomPrices]) {
        expect(nearestLevel(l, price) + 0, `nearest ${price.toFixed()}`).toBe(exactNearest(l, price));
        expect(levelATenthBelow(l, price), `tenth below ${price.toFixed()}`).toBe(exactTenthBelow(l, price));
      }
    }
  });
});
