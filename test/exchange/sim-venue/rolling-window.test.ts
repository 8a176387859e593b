/** The 24 h ticker's rolling statistics agree with a direct pass over the trades of the window. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { SeededRandom } from '../../../src/exchange/sim/seeded-random.js';
import type { MarketTrade } from '../../../src/exchange/sim-venue/market-history.js';
import { RollingWindow } from '../../../src/exchange/sim-venue/rolling-window.js';

function direct(trades: readonly MarketTrade[]) {
  const prices = trades.map((trade) => trade.price);
  return {
    first: trades[0]?.id,
    last: trades.at(-1)?.id,
    count: trades.length,
    high: prices.reduce((a, b) => (b.gt(a) ? b : a)).toFixed(),
    low: prices.reduce((a, b) => (b.lt(a) ? b : a)).toFixed(),
    volume: trades.reduce((sum, trade) => sum.plus(trade.quantity), dec(0)).toFixed(),
  };
}

describe('RollingWindow', () => {
  it('matches a direct computation as trades enter and leave the window, and honours the trade cap', () => {
    const random = new SeededRandom(11);
    for (const maxTrades of [1_000_000, 50]) {
      const window = new RollingWindow(10_000, maxTrades);
      const trades: MarketTrade[] = [];
      let time = 0;
      for (let id = 1; id <= 600; id += 1) {
        time += Math.floor(random.next() * 400);
        const trade = {
          id,
          time,
          price: dec(100 + Math.floor(random.next() * 40)),
          quantity: dec(1 + Math.floor(random.next() * 3)),
          buyerIsMaker: false,
        };
        trades.push(trade);
        window.add(trade);
        const inWindow = trades.filter((each) => each.time >= time - 10_000).slice(-maxTrades);
        const stats = window.statistics(time);
        expect({
          first: stats?.first.id,
          last: stats?.last.id,
          count: stats?.count,
          high: stats?.high.toFixed(),
          low: stats?.low.toFixed(),
          volume: stats?.volume.toFixed(),
        }).toEqual(direct(inWindow));
      }
      expect(window.statistics(time + 10_001)).toBeUndefined();
    }
  });
});
