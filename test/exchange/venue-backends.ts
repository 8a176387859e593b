/**
 * `QM_TEST_VENUES=sim,ccxt` narrows which Exchange adapters the conformance suite runs against
 * (default: all). A file whose adapter is narrowed away runs one check instead: that the variable
 * names only known adapters (a typo must not silently run nothing).
 */
import { expect, it } from 'vitest';

const KNOWN = ['sim', 'ccxt'] as const;
type VenueBackend = (typeof KNOWN)[number];

function wanted(): string[] | undefined {
  return process.env['QM_TEST_VENUES']
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** Runs `declare` (the suite) when `name` is enabled, otherwise declares the narrowing check. */
export function forVenueBackend(name: VenueBackend, declare: () => void): void {
  const names = wanted();
  if (names === undefined || names.includes(name)) {
    declare();
    return;
  }
  it(`${name} is narrowed away by QM_TEST_VENUES=${names.join(',')}, which names only known venues`, () => {
    expect(names.filter((entry) => !(KNOWN as readonly string[]).includes(entry))).toEqual([]);
  });
}
