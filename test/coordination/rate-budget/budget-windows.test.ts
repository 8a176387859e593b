import { describe, expect, it } from 'vitest';
import {
  EMPTY_BUDGET,
  type RateLimitRule,
  decide,
  parseBudget,
  paused,
  serialiseBudget,
} from '../../../src/coordination/rate-budget/budget-windows.js';

const RULES: RateLimitRule[] = [
  { name: 'weight-1m', counts: 'weight', limit: 10, windowMs: 60_000 },
  { name: 'orders-10s', counts: 'orders', limit: 2, windowMs: 10_000 },
];
const T = 1_700_000_020_000; // on a 10 s boundary, 40 s into a minute
const MINUTE = T - (T % 60_000);

describe('budget windows', () => {
  it('takes from every limit at once, or from none', () => {
    const first = decide(EMPTY_BUDGET, RULES, { weight: 4, orders: 2 }, T);
    expect(first.granted).toBe(true);
    if (!first.granted) return;
    // Orders are exhausted: the request is refused and the weight is not taken either.
    const refused = decide(first.state, RULES, { weight: 1, orders: 1 }, T + 3_000);
    expect(refused).toEqual({ granted: false, retryAfterMs: 7_000, rule: 'orders-10s' });
    const read = decide(first.state, RULES, { weight: 6, orders: 0 }, T + 3_000);
    expect(read.granted && read.state.windows['weight-1m']).toEqual({ start: MINUTE, used: 10 });
  });

  it('starts each window afresh on its clock boundary', () => {
    const full = decide(EMPTY_BUDGET, RULES, { weight: 2, orders: 2 }, T);
    if (!full.granted) throw new Error('granted expected');
    const next = decide(full.state, RULES, { weight: 2, orders: 2 }, T + 10_000);
    expect(next.granted && next.state.windows).toEqual({
      'weight-1m': { start: MINUTE, used: 4 },
      'orders-10s': { start: T + 10_000, used: 2 },
    });
  });

  it("refuses everything until a venue's pause ends, then counts again", () => {
    const state = paused(EMPTY_BUDGET, T + 5_000);
    expect(decide(state, RULES, { weight: 1, orders: 0 }, T)).toEqual({
      granted: false,
      retryAfterMs: 5_000,
      rule: 'venue-pause',
    });
    expect(paused(state, T + 1_000).pausedUntil).toBe(T + 5_000);
    expect(decide(state, RULES, { weight: 1, orders: 0 }, T + 5_000).granted).toBe(true);
  });

  it('reads back what it stores, and an unreadable state as empty', () => {
    const state = paused(EMPTY_BUDGET, T);
    expect(parseBudget(serialiseBudget(state))).toEqual(state);
    expect(parseBudget('not json')).toEqual(EMPTY_BUDGET);
    expect(parseBudget(undefined)).toEqual(EMPTY_BUDGET);
  });
});
