/**
 * The public trade history the sim venue serves (aggTrades, trades, klines, 24 h statistics): every
 * price move of the engine is one synthetic trade of one quantity step, with an id increasing per
 * symbol. A bounded window is kept; older trades are forgotten, as a venue's history endpoints
 * reach only so far back.
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Candle } from '../../domain/market.js';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import { RollingWindow } from './rolling-window.js';
import { intervalMs } from '../sim/sim-candles.js';

export interface MarketTrade {
  readonly id: number;
  readonly time: number;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** The price fell into this trade: the seller was the taker. */
  readonly buyerIsMaker: boolean;
}

export interface DayStatistics {
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly last: Decimal;
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly firstId: number;
  readonly lastId: number;
  readonly count: number;
  readonly openTime: number;
}

export interface TradeQuery {
  readonly fromId?: number | undefined;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  readonly limit: number;
}

export interface CandleWithCount extends Candle {
  readonly trades: number;
}

const DAY_MS = 86_400_000;
const DEFAULT_CAPACITY = 100_000;

export class MarketHistory {
  readonly #engine: SimMatchingEngine;
  readonly #capacity: number;
  readonly #trades = new Map<string, MarketTrade[]>();
  readonly #windows = new Map<string, RollingWindow>();
  readonly #unsubscribe: () => void;

  constructor(engine: SimMatchingEngine, capacity = DEFAULT_CAPACITY) {
    this.#engine = engine;
    this.#capacity = capacity;
    // The opening price is the first trade, so that every symbol has a history from the start.
    for (const market of engine.markets()) this.#record(market.symbol, engine.price(market.symbol), engine.now());
    this.#unsubscribe = engine.subscribe({ onPrice: (tick) => this.#record(tick.symbol, tick.price, tick.time) });
  }

  close(): void {
    this.#unsubscribe();
  }

  /** The newest trade of a symbol. */
  last(symbol: string): MarketTrade {
    return this.#of(symbol).at(-1) as MarketTrade;
  }

  /** Trades oldest first: from `fromId`, or within [startTime, endTime], else the newest `limit`. */
  trades(symbol: string, query: TradeQuery): MarketTrade[] {
    const all = this.#of(symbol);
    if (query.fromId !== undefined) {
      const first = (all[0] as MarketTrade).id;
      return all.slice(Math.max(0, query.fromId - first), Math.max(0, query.fromId - first) + query.limit);
    }
    if (query.startTime === undefined && query.endTime === undefined) return all.slice(-query.limit);
    const from = firstAtOrAfter(all, query.startTime ?? 0);
    const to = firstAtOrAfter(all, (query.endTime ?? Number.MAX_SAFE_INTEGER) + 1);
    return all.slice(from, Math.min(to, from + query.limit));
  }

  /** Candles of `interval` oldest first (the last one may still be forming), at most `limit`. */
  candles(symbol: string, interval: string, query: Omit<TradeQuery, 'fromId'>): CandleWithCount[] {
    const length = intervalMs(interval);
    const trades = this.trades(symbol, { ...query, limit: Number.MAX_SAFE_INTEGER });
    const candles: CandleWithCount[] = [];
    for (const trade of trades) {
      const openTime = trade.time - (trade.time % length);
      const current = candles.at(-1);
      if (current?.openTime === openTime) {
        candles[candles.length - 1] = {
          ...current,
          high: trade.price.gt(current.high) ? trade.price : current.high,
          low: trade.price.lt(current.low) ? trade.price : current.low,
          close: trade.price,
          volume: current.volume.plus(trade.quantity),
          trades: current.trades + 1,
        };
      } else {
        if (current !== undefined) candles[candles.length - 1] = { ...current, closed: true };
        candles.push({
          symbol,
          interval,
          openTime,
          open: trade.price,
          high: trade.price,
          low: trade.price,
          close: trade.price,
          volume: trade.quantity,
          closed: false,
          trades: 1,
        });
      }
    }
    // Without a time range Binance answers the newest candles.
    return query.startTime === undefined ? candles.slice(-query.limit) : candles.slice(0, query.limit);
  }

  /** Rolling 24 h statistics ending now (over at most the kept trades); the last trade alone after a quiet day. */
  dayStatistics(symbol: string): DayStatistics {
    const now = this.#engine.now();
    this.#of(symbol);
    const last = this.last(symbol);
    const day = (this.#windows.get(symbol) as RollingWindow).statistics(now) ?? {
      first: last,
      last,
      high: last.price,
      low: last.price,
      volume: ZERO,
      quoteVolume: ZERO,
      count: 0,
    };
    return {
      open: day.first.price,
      high: day.high,
      low: day.low,
      last: day.last.price,
      volume: day.volume,
      quoteVolume: day.quoteVolume,
      firstId: day.first.id,
      lastId: day.last.id,
      count: day.count,
      openTime: now - DAY_MS,
    };
  }

  #of(symbol: string): MarketTrade[] {
    this.#engine.market(symbol);
    return this.#trades.get(symbol) as MarketTrade[];
  }

  #record(symbol: string, price: Decimal, time: number): void {
    const trades = this.#trades.get(symbol) ?? [];
    this.#trades.set(symbol, trades);
    const previous = trades.at(-1);
    const trade = {
      id: (previous?.id ?? 0) + 1,
      time,
      price,
      quantity: this.#engine.market(symbol).stepSize,
      buyerIsMaker: previous !== undefined && price.lt(previous.price),
    };
    trades.push(trade);
    const window = this.#windows.get(symbol) ?? new RollingWindow(DAY_MS, this.#capacity);
    this.#windows.set(symbol, window);
    window.add(trade);
    // Trimmed in batches, so that recording stays amortised O(1).
    if (trades.length > this.#capacity * 1.1) trades.splice(0, trades.length - this.#capacity);
  }
}

/** Index of the first trade at or after `time` (trades are in time order). */
function firstAtOrAfter(trades: readonly MarketTrade[], time: number): number {
  let low = 0;
  let high = trades.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((trades[middle] as MarketTrade).time < time) low = middle + 1;
    else high = middle;
  }
  return low;
}
