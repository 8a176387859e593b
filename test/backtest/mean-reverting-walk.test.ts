/**
 * The sim walk's mean reversion (what bench:backtest's length runs use): with it the price stays
 * within a few spreads σ/√(2κ) of where it started over a long run, while the plain walk of the
 * same seed wanders much farther; without it the walk is the plain one step for step.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/decimal.js';
import { RandomWalkPath } from '../../src/exchange/sim/sim-price-path.js';

const STEPS = 200_000;
// The embedded default's per-step volatility 0.001 at one-second ticks, annualised.
const SIGMA = 0.001 * Math.sqrt(365 * 24 * 3600);
const SPREAD = 0.01;

function walk(meanReversion: number | undefined): number[] {
  const path = new RandomWalkPath({
    initialPrice: dec(60000),
    tickSize: dec('0.1'),
    volatility: SIGMA,
    drift: 0,
    meanReversion,
    seed: 42 * 7919,
  });
  return Array.from({ length: STEPS }, () => path.next(1000).toNumber());
}

const farthest = (prices: readonly number[]): number =>
  prices.reduce((far, price) => Math.max(far, Math.abs(price / 60000 - 1)), 0);

describe('mean-reverting sim walk', () => {
  it('stays within a few spreads of its start where the plain walk wanders off', () => {
    const reverting = walk((SIGMA * SIGMA) / (2 * SPREAD * SPREAD));
    const plain = walk(undefined);
    expect(farthest(reverting)).toBeLessThan(6 * SPREAD);
    expect(farthest(plain)).toBeGreaterThan(3 * farthest(reverting));
    // Its second half spreads like its first: the run is alike along its length.
    const half = STEPS / 2;
    const spreadOf = (prices: readonly number[]) =>
      Math.sqrt(prices.reduce((sum, price) => sum + Math.log(price / 60000) ** 2, 0) / prices.length);
    const ratio = spreadOf(reverting.slice(half)) / spreadOf(reverting.slice(0, half));
    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.4);
  });

  it('is the plain walk step for step without a pull', () => {
    expect(walk(0).slice(0, 5000)).toEqual(walk(undefined).slice(0, 5000));
  });
});
