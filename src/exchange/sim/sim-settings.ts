/** Settings of a simulated venue, with the defaults the embedded sim and the sim-venue server use. */
import { type Decimal, dec } from '../../domain/decimal.js';
import type { Market, MarketType } from '../../domain/market.js';
import type { FeeRates, SimOpeningPosition } from './sim-account.js';

/** A listed symbol: its market filters, and how its price moves. */
export interface SimSymbolSettings extends Market {
  readonly initialPrice: Decimal;
  /** Annualised volatility of the random walk (default 0.8). */
  readonly volatility?: number | undefined;
  /** Annualised drift of the random walk (default 0). */
  readonly drift?: number | undefined;
  /** Annualised pull of the random walk back to the initial price (default 0: none; price-path.ts). */
  readonly meanReversion?: number | undefined;
  /** Replays these prices one per tick instead of the random walk. */
  readonly replayPrices?: readonly Decimal[] | undefined;
}

export interface SimAccountSettings {
  readonly id: string;
  readonly balances: Readonly<Record<string, Decimal>>;
  readonly defaultLeverage?: number | undefined;
  /** Futures positions the account opens with (the embedded venue restores them from QuantMesh's database). */
  readonly positions?: Readonly<Record<string, SimOpeningPosition>> | undefined;
}

export interface SimRateLimit {
  /** Requests allowed per account within `windowMs` of simulated time. */
  readonly limit: number;
  readonly windowMs: number;
}

export interface SimEngineSettings {
  /** Venue name used in errors and fills (default `sim`). */
  readonly venue?: string | undefined;
  readonly seed: number;
  readonly symbols: readonly SimSymbolSettings[];
  readonly accounts: readonly SimAccountSettings[];
  /** Simulated epoch ms at start (default 2024-01-01T00:00:00Z). */
  readonly startTime?: number | undefined;
  /** Simulated ms per price step (default 1000). */
  readonly tickMs?: number | undefined;
  readonly fees?: FeeRates | undefined;
  /** Most quantity one resting order can fill per tick: partial fills (default: unlimited). */
  readonly liquidityPerTick?: Decimal | undefined;
  /** Request budget per account (default 2400 per simulated minute). */
  readonly rateLimit?: SimRateLimit | undefined;
  /**
   * `open` (default, as Binance): a client order id is refused while an open order uses it and may
   * be reused once that order is closed; `all`: refused for the account's whole retained history.
   */
  readonly clientOrderIdScope?: 'open' | 'all' | undefined;
  /**
   * `kept` (default: what a venue's order and trade history answers): every order and fill stays
   * queryable. `forgotten` (backtests, whose memory must not grow with their length): an order that
   * ended is forgotten at the next step, once its ending was reported, and fills reach listeners only
   * (`fillsAfter` answers none).
   */
  readonly history?: 'kept' | 'forgotten' | undefined;
}

/** Client order ids the sim accepts: Binance's `newClientOrderId` rule. */
export const SIM_CLIENT_ORDER_ID_PATTERN = /^[.A-Za-z0-9_:/-]{1,36}$/;

export const DEFAULT_START_TIME = Date.UTC(2024, 0, 1);
export const DEFAULT_FEES: FeeRates = { maker: dec('0.0002'), taker: dec('0.0005') };
export const DEFAULT_RATE_LIMIT: SimRateLimit = { limit: 2400, windowMs: 60_000 };

/** USDⓈ-M perpetuals the sim lists when none are configured. */
export function defaultSimSymbols(): SimSymbolSettings[] {
  const future = { quote: 'USDT', type: 'future' as const, minNotional: dec(5) };
  return [
    {
      ...future,
      symbol: 'BTCUSDT',
      base: 'BTC',
      tickSize: dec('0.1'),
      stepSize: dec('0.001'),
      minQuantity: dec('0.001'),
      initialPrice: dec(60000),
    },
    {
      ...future,
      symbol: 'ETHUSDT',
      base: 'ETH',
      tickSize: dec('0.01'),
      stepSize: dec('0.001'),
      minQuantity: dec('0.001'),
      initialPrice: dec(3000),
    },
    {
      ...future,
      symbol: 'SOLUSDT',
      base: 'SOL',
      tickSize: dec('0.01'),
      stepSize: dec('0.01'),
      minQuantity: dec('0.01'),
      initialPrice: dec(150),
    },
  ];
}

/**
 * Default settings for the symbols named, as USDⓈ-M perpetuals or as spot pairs (base = the name
 * without its USDT suffix). Unknown names get generic filters and a start price of 100.
 */
export function simSymbolsNamed(names: readonly string[], type: MarketType = 'future'): SimSymbolSettings[] {
  const known = new Map(defaultSimSymbols().map((settings) => [settings.symbol, settings]));
  return names.map((name) => ({
    ...(known.get(name) ?? {
      symbol: name,
      base: name.replace(/USDT$/, ''),
      quote: 'USDT',
      tickSize: dec('0.01'),
      stepSize: dec('0.01'),
      minQuantity: dec('0.01'),
      minNotional: dec(5),
      initialPrice: dec(100),
    }),
    type,
  }));
}

export function marketOf(settings: SimSymbolSettings): Market {
  const { symbol, base, quote, type, tickSize, stepSize, minQuantity, minNotional } = settings;
  return { symbol, base, quote, type, tickSize, stepSize, minQuantity, minNotional };
}
