/**
 * Statistics of the trades of a rolling time window (Binance's 24 h ticker) kept as trades arrive
 * and leave, so a ticker costs O(1) amortised per trade instead of a pass over a day of trades:
 * running sums for the volumes and monotonic queues for the high and the low.
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { MarketTrade } from './market-history.js';

export interface WindowStatistics {
  readonly first: MarketTrade;
  readonly last: MarketTrade;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly count: number;
}

export class RollingWindow {
  readonly #lengthMs: number;
  readonly #maxTrades: number;
  readonly #trades: MarketTrade[] = [];
  /** Candidates for the high (prices descending) and the low (ascending), oldest first. */
  readonly #highs: MarketTrade[] = [];
  readonly #lows: MarketTrade[] = [];
  #volume = ZERO;
  #quoteVolume = ZERO;

  /** At most `maxTrades` trades are counted: beyond that the window is the newest `maxTrades`. */
  constructor(lengthMs: number, maxTrades: number) {
    this.#lengthMs = lengthMs;
    this.#maxTrades = maxTrades;
  }

  add(trade: MarketTrade): void {
    this.#trades.push(trade);
    this.#volume = this.#volume.plus(trade.quantity);
    this.#quoteVolume = this.#quoteVolume.plus(trade.quantity.mul(trade.price));
    while (this.#highs.at(-1)?.price.lte(trade.price) === true) this.#highs.pop();
    this.#highs.push(trade);
    while (this.#lows.at(-1)?.price.gte(trade.price) === true) this.#lows.pop();
    this.#lows.push(trade);
    if (this.#trades.length > this.#maxTrades) this.#evictOldest();
  }

  /** The window ending at `now`; undefined when no trade falls in it. */
  statistics(now: number): WindowStatistics | undefined {
    while ((this.#trades[0]?.time ?? Number.POSITIVE_INFINITY) < now - this.#lengthMs) this.#evictOldest();
    const [first, highest, lowest] = [this.#trades[0], this.#highs[0], this.#lows[0]];
    if (first === undefined || highest === undefined || lowest === undefined) return undefined;
    return {
      first,
      last: this.#trades.at(-1) as MarketTrade,
      high: highest.price,
      low: lowest.price,
      volume: this.#volume,
      quoteVolume: this.#quoteVolume,
      count: this.#trades.length,
    };
  }

  #evictOldest(): void {
    const oldest = this.#trades.shift() as MarketTrade;
    this.#volume = this.#volume.minus(oldest.quantity);
    this.#quoteVolume = this.#quoteVolume.minus(oldest.quantity.mul(oldest.price));
    if (this.#highs[0] === oldest) this.#highs.shift();
    if (this.#lows[0] === oldest) this.#lows.shift();
  }
}
