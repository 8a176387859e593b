/**
 * Binance USDⓈ-M public market data over the sim's state: tickers, book, trades and klines (see
 * docs/venues.md). Weights are Binance's published ones.
 */
import { ZERO, decimalToString as text } from '../../domain/decimal.js';
import { intervalMs } from '../sim/sim-candles.js';
import { SimVenueRequestError } from './errors.js';
import type { CandleWithCount, MarketTrade } from './market-history.js';
import { type Route, type RouteContext, perSymbol } from './route.js';
import { limitParam, oneOf, optionalInteger, required } from './route-params.js';
import type { BookLevel } from './sim-venue-book.js';

const DEPTH_LIMITS = ['5', '10', '20', '50', '100', '500', '1000'] as const;
/** Binance's kline intervals the sim can build (`1w`/`1M` are calendar-based and not simulated). */
const KLINE_INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
] as const;

/** One symbol's answer, or every symbol's when `symbol` is absent (Binance's list endpoints). */
function perSymbolAnswer(context: RouteContext, answer: (symbol: string) => object): object {
  const symbol = context.params.get('symbol');
  if (symbol !== null) return answer(symbol);
  return context.engine
    .markets()
    .filter((market) => market.type === 'future')
    .map((market) => answer(market.symbol));
}

function levels(side: readonly BookLevel[]): string[][] {
  return side.map(([price, quantity]) => [text(price), text(quantity)]);
}

function ticker24h({ history }: RouteContext, symbol: string): object {
  const day = history.dayStatistics(symbol);
  const change = day.last.minus(day.open);
  return {
    symbol,
    priceChange: text(change),
    priceChangePercent: text(change.div(day.open).mul(100).toDecimalPlaces(3)),
    weightedAvgPrice: text(day.volume.isZero() ? day.last : day.quoteVolume.div(day.volume).toDecimalPlaces(8)),
    lastPrice: text(day.last),
    lastQty: text(history.last(symbol).quantity),
    openPrice: text(day.open),
    highPrice: text(day.high),
    lowPrice: text(day.low),
    volume: text(day.volume),
    quoteVolume: text(day.quoteVolume),
    openTime: day.openTime,
    closeTime: history.last(symbol).time,
    firstId: day.firstId,
    lastId: day.lastId,
    count: day.count,
  };
}

function priceTicker({ engine }: RouteContext, symbol: string): object {
  return { symbol, price: text(engine.price(symbol)), time: engine.now() };
}

function bookTicker({ book, engine }: RouteContext, symbol: string): object {
  const top = book.snapshot(symbol, 1);
  const [bid, ask] = [top.bids[0], top.asks[0]];
  return {
    symbol,
    bidPrice: text(bid?.[0] ?? ZERO),
    bidQty: text(bid?.[1] ?? ZERO),
    askPrice: text(ask?.[0] ?? ZERO),
    askQty: text(ask?.[1] ?? ZERO),
    time: engine.now(),
    lastUpdateId: top.updateId,
  };
}

function premiumIndex({ engine }: RouteContext, symbol: string): object {
  const price = text(engine.price(symbol));
  // The sim has no funding: the rate is 0 and the next funding time the next 8-hour boundary.
  const now = engine.now();
  return {
    symbol,
    markPrice: price,
    indexPrice: price,
    estimatedSettlePrice: price,
    lastFundingRate: '0',
    interestRate: '0',
    nextFundingTime: now - (now % 28_800_000) + 28_800_000,
    time: now,
  };
}

function timeRange(params: URLSearchParams): { startTime?: number | undefined; endTime?: number | undefined } {
  const startTime = optionalInteger(params, 'startTime');
  const endTime = optionalInteger(params, 'endTime');
  if (startTime !== undefined && endTime !== undefined && startTime > endTime)
    throw new SimVenueRequestError(400, -1023, 'Start time is greater than end time.');
  return { startTime, endTime };
}

/** Klines (`candles` of last, mark or index price: one path in the sim). Mark and index klines carry no volume. */
function klines(withVolume: boolean) {
  return ({ history, params }: RouteContext): unknown[] => {
    const interval = oneOf(params, 'interval', KLINE_INTERVALS);
    const candles = history.candles(required(params, 'symbol'), interval, {
      ...timeRange(params),
      limit: limitParam(params, 500, 1500),
    });
    return candles.map((candle: CandleWithCount) => {
      const volume = withVolume ? text(candle.volume) : '0';
      const quote = withVolume ? text(candle.volume.mul(candle.close)) : '0';
      return [
        candle.openTime,
        text(candle.open),
        text(candle.high),
        text(candle.low),
        text(candle.close),
        volume,
        candle.openTime + intervalMs(interval) - 1,
        quote,
        withVolume ? candle.trades : 0,
        '0',
        '0',
        '0',
      ];
    });
  };
}

function klineWeight(params: URLSearchParams): number {
  const limit = Number(params.get('limit') ?? 500);
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

function tradeWindow({ history, params }: RouteContext, max: number): MarketTrade[] {
  return history.trades(required(params, 'symbol'), {
    fromId: optionalInteger(params, 'fromId'),
    ...timeRange(params),
    limit: limitParam(params, 500, max),
  });
}

function trades(context: RouteContext): object[] {
  return tradeWindow(context, 1000).map((trade) => ({
    id: trade.id,
    price: text(trade.price),
    qty: text(trade.quantity),
    quoteQty: text(trade.price.mul(trade.quantity)),
    time: trade.time,
    isBuyerMaker: trade.buyerIsMaker,
  }));
}

export const BINANCE_MARKET_ROUTES: Readonly<Record<string, Route>> = {
  'GET /fapi/v1/ticker/24hr': {
    security: 'public',
    weight: perSymbol(1, 40),
    handle: (context) => perSymbolAnswer(context, (symbol) => ticker24h(context, symbol)),
  },
  'GET /fapi/v1/ticker/price': {
    security: 'public',
    weight: perSymbol(1, 2),
    handle: (context) => perSymbolAnswer(context, (symbol) => priceTicker(context, symbol)),
  },
  'GET /fapi/v2/ticker/price': {
    security: 'public',
    weight: perSymbol(1, 2),
    handle: (context) => perSymbolAnswer(context, (symbol) => priceTicker(context, symbol)),
  },
  'GET /fapi/v1/ticker/bookTicker': {
    security: 'public',
    weight: perSymbol(2, 5),
    handle: (context) => perSymbolAnswer(context, (symbol) => bookTicker(context, symbol)),
  },
  'GET /fapi/v1/premiumIndex': {
    security: 'public',
    weight: perSymbol(1, 10),
    handle: (context) => perSymbolAnswer(context, (symbol) => premiumIndex(context, symbol)),
  },
  'GET /fapi/v1/depth': {
    security: 'public',
    weight: (params) => (({ 100: 5, 500: 10, 1000: 20 }) as Record<string, number>)[params.get('limit') ?? '500'] ?? 2,
    handle: ({ book, engine, params }) => {
      const limit = Number(params.get('limit') === null ? '500' : oneOf(params, 'limit', DEPTH_LIMITS));
      const snapshot = book.snapshot(required(params, 'symbol'), limit);
      return {
        lastUpdateId: snapshot.updateId,
        E: engine.now(),
        T: engine.now(),
        bids: levels(snapshot.bids),
        asks: levels(snapshot.asks),
      };
    },
  },
  'GET /fapi/v1/klines': { security: 'public', weight: klineWeight, handle: klines(true) },
  'GET /fapi/v1/markPriceKlines': { security: 'public', weight: klineWeight, handle: klines(false) },
  'GET /fapi/v1/indexPriceKlines': { security: 'public', weight: klineWeight, handle: klines(false) },
  'GET /fapi/v1/aggTrades': {
    security: 'public',
    weight: 20,
    handle: (context) =>
      tradeWindow(context, 1000).map((trade) => ({
        a: trade.id,
        p: text(trade.price),
        q: text(trade.quantity),
        f: trade.id,
        l: trade.id,
        T: trade.time,
        m: trade.buyerIsMaker,
      })),
  },
  'GET /fapi/v1/trades': { security: 'public', weight: 5, handle: trades },
  'GET /fapi/v1/historicalTrades': { security: 'key', weight: 20, handle: trades },
  // ccxt's fetchStatus asks the spot API's system status, for every Binance market type.
  'GET /sapi/v1/system/status': {
    security: 'public',
    handle: ({ faults }) =>
      faults.inMaintenance() ? { status: 1, msg: 'system_maintenance' } : { status: 0, msg: 'normal' },
  },
};
