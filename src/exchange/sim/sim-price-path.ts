/**
 * Price paths that drive a simulated market: geometric Brownian motion from a seed, or a replay of
 * recorded prices (trades or candle closes from CSV). Both are deterministic: the same inputs give
 * the same path. The random walk works in binary floats internally (it models noise, not money);
 * every price it emits is converted to an exact decimal on the tick grid.
 */
import { type Decimal, dec, maxDecimal, roundToStep } from '../../domain/decimal.js';
import { InvalidSimConfigError } from './errors.js';
import { SeededRandom } from './seeded-random.js';

export interface PricePath {
  /** The price after `elapsedMs` more simulated milliseconds. */
  next(elapsedMs: number): Decimal;
}

export interface RandomWalkSettings {
  readonly initialPrice: Decimal;
  readonly tickSize: Decimal;
  /** Annualised volatility, e.g. 0.8 for 80 %. */
  readonly volatility: number;
  /** Annualised drift, e.g. 0 for none. */
  readonly drift: number;
  /**
   * Annualised rate κ at which the log price is pulled back to the initial price (an
   * Ornstein–Uhlenbeck walk: it stays within about σ/√(2κ) of it); 0 or absent for none.
   */
  readonly meanReversion?: number | undefined;
  readonly seed: number;
}

const MS_PER_YEAR = 365 * 24 * 3600 * 1000;

/** Geometric Brownian motion: S' = S · exp((μ − σ²/2)·dt + σ·√dt·Z − κ·ln(S/S₀)·dt). */
export class RandomWalkPath implements PricePath {
  readonly #random: SeededRandom;
  readonly #settings: RandomWalkSettings;
  #value: number;
  readonly #initial: number;
  readonly #tickSizeNumber: number;

  constructor(settings: RandomWalkSettings) {
    this.#settings = settings;
    this.#random = new SeededRandom(settings.seed);
    this.#value = settings.initialPrice.toNumber();
    this.#initial = this.#value;
    this.#tickSizeNumber = settings.tickSize.toNumber();
  }

  next(elapsedMs: number): Decimal {
    const dt = elapsedMs / MS_PER_YEAR;
    const { volatility: sigma, drift: mu, meanReversion: kappa = 0, tickSize } = this.#settings;
    // Without a pull the term is exactly 0 (x + 0 is x): the plain walk is the same step for step.
    const pull = kappa === 0 ? 0 : -kappa * Math.log(this.#value / this.#initial) * dt;
    this.#value *= Math.exp((mu - (sigma * sigma) / 2) * dt + sigma * Math.sqrt(dt) * this.#random.gaussian() + pull);
    // A price never reaches zero or below one tick, whatever the path did.
    return maxDecimal(this.#onTickGrid(), tickSize);
  }

  /**
   * The value at 12 decimals rounded to the tick (half even). The float quotient decides the
   * rounding unless it lies within 1e-6 of a half, where binary error could flip it; only then is
   * the exact decimal route taken, so the path is the same as rounding every step exactly.
   */
  #onTickGrid(): Decimal {
    const ticks = this.#value / this.#tickSizeNumber;
    const rounded = Math.round(ticks);
    if (Math.abs(Math.abs(ticks - rounded) - 0.5) < 1e-6 || !Number.isSafeInteger(rounded)) {
      return roundToStep(dec(this.#value.toFixed(12)), this.#settings.tickSize);
    }
    return this.#settings.tickSize.mul(rounded);
  }
}

/** Replays recorded prices one per step, then holds the last one. */
export class ReplayPath implements PricePath {
  readonly #prices: readonly Decimal[];
  #index = -1;

  constructor(prices: readonly Decimal[]) {
    if (prices.length === 0) throw new InvalidSimConfigError('a replay needs at least one price');
    this.#prices = prices;
  }

  next(): Decimal {
    this.#index = Math.min(this.#index + 1, this.#prices.length - 1);
    return this.#prices[this.#index] as Decimal;
  }
}

/**
 * Reads prices from CSV text with a header row: the `price` column (trades) or else the `close`
 * column (candles). Rows that do not parse are refused with the line number, never skipped silently.
 */
export function parsePriceCsv(text: string): Decimal[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((cell) => cell.trim().toLowerCase());
  const column = header.includes('price') ? header.indexOf('price') : header.indexOf('close');
  if (column < 0) throw new InvalidSimConfigError('replay CSV needs a "price" or "close" column');
  return lines.slice(1).map((line, index) => {
    const cell = line.split(',')[column]?.trim() ?? '';
    try {
      return dec(cell);
    } catch {
      throw new InvalidSimConfigError(`replay CSV line ${index + 2}: not a price: ${JSON.stringify(cell)}`);
    }
  });
}
