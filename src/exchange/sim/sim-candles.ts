/**
 * Builds OHLCV candles of fixed intervals from the simulated price path and fill volume. A candle
 * closes when the clock passes its end; the forming candle is reported after every change.
 */
import type { Decimal } from '../../domain/decimal.js';
import type { Candle } from '../../domain/market.js';
import { InvalidSimConfigError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of an interval such as `1s`, `1m`, `15m`, `1h`, `1d`. */
export function intervalMs(interval: string): number {
  const match = /^(\d+)([smhd])$/.exec(interval);
  if (match === null) throw new InvalidSimConfigError(`unsupported candle interval ${JSON.stringify(interval)}`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

export class CandleBuilder {
  readonly #symbol: string;
  readonly #interval: string;
  readonly #lengthMs: number;
  #current: Candle | undefined;

  constructor(symbol: string, interval: string) {
    this.#symbol = symbol;
    this.#interval = interval;
    this.#lengthMs = intervalMs(interval);
  }

  /** Records a price (and traded volume) at `time`; returns the candles that changed, closed ones first. */
  update(price: Decimal, volume: Decimal, time: number): Candle[] {
    const openTime = time - (time % this.#lengthMs);
    const changed: Candle[] = [];
    const current = this.#current;
    if (current !== undefined && current.openTime !== openTime) {
      changed.push({ ...current, closed: true });
      this.#current = undefined;
    }
    const base = this.#current;
    this.#current =
      base === undefined
        ? {
            symbol: this.#symbol,
            interval: this.#interval,
            openTime,
            open: price,
            high: price,
            low: price,
            close: price,
            volume,
            closed: false,
          }
        : {
            ...base,
            high: price.gt(base.high) ? price : base.high,
            low: price.lt(base.low) ? price : base.low,
            close: price,
            volume: base.volume.plus(volume),
          };
    changed.push(this.#current);
    return changed;
  }

  /** The forming candle, if any. */
  current(): Candle | undefined {
    return this.#current;
  }
}
