/**
 * Rendezvous hashing (R6): the same inputs give the same allocation, 30 symbols spread over 3 to 5
 * members stay within a bound of an even split, and removing a member moves only its symbols.
 */
import { describe, expect, it } from 'vitest';
import { assign, ownerOf } from '../../../src/coordination/allocation/rendezvous.js';

const SYMBOLS = Array.from({ length: 30 }, (_, index) => `binance:SYM${index}USDT`);
const membersOf = (count: number) => Array.from({ length: count }, (_, index) => `instance-${index}`);

describe('rendezvous allocation', () => {
  it('is deterministic and independent of the order of the members', () => {
    const members = membersOf(4);
    const first = assign(SYMBOLS, members);
    expect(assign(SYMBOLS, [...members].reverse())).toEqual(first);
    for (const symbol of SYMBOLS) expect(ownerOf(symbol, [...members].reverse())).toBe(ownerOf(symbol, members));
  });

  it('gives every symbol to exactly one member', () => {
    const allocation = assign(SYMBOLS, membersOf(3));
    expect([...allocation.values()].flat().sort()).toEqual([...SYMBOLS].sort());
  });

  it.each([3, 4, 5])('spreads 30 symbols over %i members within a bound of an even split', (count) => {
    const sizes = [...assign(SYMBOLS, membersOf(count)).values()].map((keys) => keys.length);
    const even = SYMBOLS.length / count;
    // A uniform hash puts Binomial(30, 1/n) keys on each member; the inputs are fixed, so this is
    // deterministic, and a third to twice an even share catches a broken spread (all on one member).
    for (const size of sizes) {
      expect(size).toBeGreaterThanOrEqual(Math.floor(even / 3));
      expect(size).toBeLessThanOrEqual(Math.ceil(even * 2));
    }
  });

  it.each([3, 4, 5])('removing one of %i members moves only its symbols', (count) => {
    const members = membersOf(count);
    for (const removed of members) {
      const before = assign(SYMBOLS, members);
      const after = assign(
        SYMBOLS,
        members.filter((member) => member !== removed),
      );
      for (const [member, keys] of after) {
        const kept = before.get(member)!;
        expect(keys.filter((key) => !kept.includes(key)).every((key) => before.get(removed)!.includes(key))).toBe(true);
        expect(kept.every((key) => keys.includes(key))).toBe(true);
      }
      expect(after.has(removed)).toBe(false);
    }
  });

  it('gives nothing when there is no member', () => {
    expect(assign(SYMBOLS, [])).toEqual(new Map());
    expect(() => ownerOf(SYMBOLS[0]!, [])).toThrow(RangeError);
  });
});
