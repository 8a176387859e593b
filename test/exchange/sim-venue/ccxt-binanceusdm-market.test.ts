/**
 * ccxt conformance, public market data: every unified market-data method ccxt's `binanceusdm`
 * implements over REST and WebSocket, against the sim venue, with the shape of each answer checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CcxtVenue, startCcxtVenue } from './ccxt-binanceusdm-fixture.js';

const SYMBOL = 'BTC/USDT:USDT';
let venue: CcxtVenue;

beforeAll(async () => {
  venue = await startCcxtVenue();
  // Some history: 400 one-second ticks (several 1m candles) and a move the 24 h statistics must show.
  await venue.admin('/_sim/step?ticks=400');
  await venue.admin('/_sim/price?symbol=BTCUSDT&price=61000');
});

afterAll(async () => {
  await venue?.close();
});

type Book = { bids: [number, number][]; asks: [number, number][]; nonce?: number | undefined };

function expectSortedBook(book: Book, levels: number): void {
  expect(book.bids.length).toBeGreaterThan(0);
  expect(book.asks.length).toBeGreaterThan(0);
  expect(book.bids.length).toBeLessThanOrEqual(levels);
  const bidPrices = book.bids.map(([price]) => price);
  const askPrices = book.asks.map(([price]) => price);
  expect(bidPrices).toEqual([...bidPrices].sort((a, b) => b - a));
  expect(askPrices).toEqual([...askPrices].sort((a, b) => a - b));
  expect(bidPrices[0]).toBeLessThan(askPrices[0] as number);
  for (const [, amount] of [...book.bids, ...book.asks]) expect(amount).toBeGreaterThan(0);
}

describe('ccxt binanceusdm → sim venue: REST market data', () => {
  it('fetchStatus and fetchTime', async () => {
    expect((await venue.client.fetchStatus()).status).toBe('ok');
    expect(Math.abs(((await venue.client.fetchTime()) as number) - Date.now())).toBeLessThan(60_000);
  });

  it('fetchTicker and fetchTickers give the last price and consistent 24 h statistics', async () => {
    const ticker = await venue.client.fetchTicker(SYMBOL);
    expect(ticker).toMatchObject({ symbol: SYMBOL, last: 61000, close: 61000 });
    expect(ticker.high as number).toBeGreaterThanOrEqual(61000);
    expect(ticker.low as number).toBeLessThanOrEqual(ticker.open as number);
    expect(ticker.high as number).toBeGreaterThanOrEqual(ticker.open as number);
    expect(ticker.baseVolume as number).toBeGreaterThan(0);
    expect(ticker.change).toBeCloseTo(61000 - (ticker.open as number), 6);
    const tickers = await venue.client.fetchTickers();
    expect(Object.keys(tickers).sort()).toEqual(['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT']);
    expect(tickers[SYMBOL]?.last).toBe(61000);
  });

  it('fetchLastPrices (v2 ticker/price), fetchBidsAsks (bookTicker) and fetchMarkPrice', async () => {
    const last = await venue.client.fetchLastPrices([SYMBOL]);
    expect(last[SYMBOL]).toMatchObject({ symbol: SYMBOL, price: 61000 });
    const bidsAsks = await venue.client.fetchBidsAsks([SYMBOL]);
    expect(bidsAsks[SYMBOL]).toMatchObject({ bid: 60999.9, ask: 61000.1 });
    expect((await venue.client.fetchMarkPrice(SYMBOL)).markPrice).toBe(61000);
  });

  it('fetchOrderBook: a sorted non-empty book of the limit asked, around the price', async () => {
    const book = (await venue.client.fetchOrderBook(SYMBOL, 20)) as unknown as Book;
    expectSortedBook(book, 20);
    expect(book.bids.length).toBe(20);
    expect(book.bids[0]?.[0]).toBe(60999.9);
    expect(book.asks[0]?.[0]).toBe(61000.1);
    expect(typeof book.nonce).toBe('number');
    await expect(venue.client.fetchOrderBook(SYMBOL, 7)).rejects.toThrow(/limit/i);
  });

  it('fetchOHLCV: consistent candles (high ≥ open, close ≥ low) in time order, for last and mark price', async () => {
    for (const params of [{}, { price: 'mark' }]) {
      const candles = await venue.client.fetchOHLCV(SYMBOL, '1m', undefined, 100, params);
      expect(candles.length).toBeGreaterThanOrEqual(6);
      for (const [time, open, high, low, close, volume] of candles as number[][]) {
        expect((time as number) % 60_000).toBe(0);
        expect(high).toBeGreaterThanOrEqual(Math.max(open as number, close as number));
        expect(low).toBeLessThanOrEqual(Math.min(open as number, close as number));
        expect(volume).toBeGreaterThanOrEqual(0);
      }
      const times = candles.map((candle) => candle[0] as number);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(candles.at(-1)?.[4]).toBe(61000);
    }
    const since = (await venue.client.fetchOHLCV(SYMBOL, '1m', undefined, 3))[0]?.[0] as number;
    const page = await venue.client.fetchOHLCV(SYMBOL, '1m', since, 2);
    expect(page.map((candle) => candle[0])).toEqual([since, since + 60_000]);
  });

  it('fetchTrades: the newest trades in time order, and paging by time', async () => {
    const trades = await venue.client.fetchTrades(SYMBOL, undefined, 50);
    expect(trades).toHaveLength(50);
    expect(trades.at(-1)).toMatchObject({ symbol: SYMBOL, price: 61000 });
    const times = trades.map((trade) => trade.timestamp as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const trade of trades) expect(trade.amount).toBe(0.001);
    const since = trades[10]?.timestamp as number;
    const later = await venue.client.fetchTrades(SYMBOL, since, 5);
    expect(later[0]?.timestamp).toBeGreaterThanOrEqual(since);
  });

  it('fetchFundingRate: no funding in the sim (rate 0) and the next 8-hour boundary', async () => {
    const funding = await venue.client.fetchFundingRate(SYMBOL);
    expect(funding.fundingRate).toBe(0);
    expect((funding.fundingTimestamp as number) % 28_800_000).toBe(0);
  });
});

describe('ccxt binanceusdm → sim venue: WebSocket market data', () => {
  it('watchOrderBook syncs diffs on the REST snapshot and follows the price', async () => {
    const first = (await venue.client.watchOrderBook(SYMBOL)) as unknown as Book;
    expectSortedBook(first, 1000);
    const stepper = setInterval(() => {
      void venue.admin('/_sim/price?symbol=BTCUSDT&price=61050').catch(() => undefined);
    }, 100);
    try {
      let book = first;
      while (book.bids[0]?.[0] !== 61049.9) book = (await venue.client.watchOrderBook(SYMBOL)) as unknown as Book;
      expectSortedBook(book, 1000);
      expect(book.asks[0]?.[0]).toBe(61050.1);
      // The levels the price passed moved from one side to the other: none is left on the wrong side.
      expect(book.asks.some(([price]) => price < 61050)).toBe(false);
      expect(book.bids.some(([price]) => price > 61050)).toBe(false);
    } finally {
      clearInterval(stepper);
    }
  });

  it('watchTicker, watchTrades, watchBidsAsks and watchOHLCV follow price moves', async () => {
    const ticker = venue.client.watchTicker(SYMBOL);
    const trades = venue.client.watchTrades(SYMBOL);
    const bidsAsks = venue.client.watchBidsAsks([SYMBOL]);
    const candles = venue.client.watchOHLCV(SYMBOL, '1m');
    const stepper = setInterval(() => {
      void venue.admin('/_sim/price?symbol=BTCUSDT&price=61100').catch(() => undefined);
    }, 100);
    try {
      expect((await ticker).last).toBe(61100);
      const [trade] = (await trades).slice(-1);
      expect(trade).toMatchObject({ symbol: SYMBOL, price: 61100 });
      expect((await bidsAsks)[SYMBOL]).toMatchObject({ bid: 61099.9, ask: 61100.1 });
      const [candle] = (await candles).slice(-1) as number[][];
      expect(candle?.[4]).toBe(61100);
      expect(candle?.[2]).toBeGreaterThanOrEqual(candle?.[4] as number);
    } finally {
      clearInterval(stepper);
    }
  });
});
