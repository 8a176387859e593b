import type { Trade } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { FillCursor } from '../../../src/exchange/ccxt/ccxt-fill-cursor.js';
import { InvalidOrderError } from '../../../src/exchange/errors.js';

const trade = (id: string, timestamp: number) => ({ id, timestamp }) as unknown as Trade;

/** Pages through `all` as a venue answers fetchMyTrades(since, limit, {fromId}), following the cursor. */
async function drain(all: readonly Trade[], paging: 'fromId' | 'since', limit: number): Promise<string[]> {
  const venue = async (since: number | undefined, count: number, params: Record<string, unknown>) =>
    all
      .filter(
        (candidate) =>
          (since === undefined || (candidate.timestamp as number) >= since) &&
          (params['fromId'] === undefined || BigInt(candidate.id as string) >= BigInt(params['fromId'] as string)),
      )
      .slice(0, count);
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page += 1) {
    const { trades, hasMore } = await FillCursor.parse(cursor, paging, 'venue').page(venue, limit);
    seen.push(...trades.map((entry) => entry.id as string));
    cursor = FillCursor.of(trades.at(-1), paging) ?? cursor;
    if (!hasMore) break;
  }
  return seen;
}

describe('FillCursor', () => {
  // Several fills in the same millisecond are the hard case for time-based paging.
  const trades = [
    trade('10', 1000),
    trade('11', 1000),
    trade('12', 1000),
    trade('13', 1001),
    trade('20', 1005),
    trade('21', 1005),
  ];

  it('yields every fill exactly once by time, across fills sharing a millisecond', async () => {
    expect(await drain(trades, 'since', 2)).toEqual(['10', '11', '12', '13', '20', '21']);
  });

  it('yields every fill exactly once by increasing trade id', async () => {
    expect(await drain(trades, 'fromId', 2)).toEqual(['10', '11', '12', '13', '20', '21']);
    expect(FillCursor.parse('12', 'fromId', 'venue').params()).toEqual({ fromId: '13' });
  });

  it('refuses a cursor of the other kind', () => {
    expect(() => FillCursor.parse('1000:abc', 'fromId', 'venue')).toThrow(InvalidOrderError);
    expect(() => FillCursor.parse('abc', 'since', 'venue')).toThrow(InvalidOrderError);
  });
});
