/**
 * `createExchange`: builds the Exchange a configuration names, from a plain options object (the
 * composition root maps YAML `exchanges.<name>` onto it). `sim` is the embedded simulated venue;
 * `ccxt` any ccxt pro venue, optionally pointed at another host (`baseUrl`, e.g. a sim-venue), or
 * paper traded on its public data (`paper`).
 */
import { dec } from '../domain/decimal.js';
import type { MarketType } from '../domain/market.js';
import { CcxtExchange, type CcxtExchangeOptions } from './ccxt/ccxt-exchange.js';
import type { Exchange } from './exchange.js';
import { PaperExchange } from './paper/paper-exchange.js';
import { SimClockDriver } from './sim/sim-clock-driver.js';
import { SimExchange } from './sim/sim-exchange.js';
import { JournaledSimEngine } from './sim/journaled-sim-engine.js';
import { SimMatchingEngine } from './sim/sim-matching-engine.js';
import type { SimOpeningPosition } from './sim/sim-account.js';
import { type SimSymbolSettings, simSymbolsNamed } from './sim/sim-settings.js';

interface CommonOptions {
  /** Venue name as configured (`exchanges.<name>`). */
  readonly name: string;
  readonly marketType?: MarketType | undefined;
}

export interface SimExchangeOptions extends CommonOptions {
  readonly type: 'sim';
  readonly seed?: number | undefined;
  /** Symbols listed by name with built-in settings (default BTCUSDT, ETHUSDT); ignored when `markets` is given. */
  readonly symbols?: readonly string[] | undefined;
  /** Markets listed with their full settings (initial price, tick and step sizes, volatility). */
  readonly markets?: readonly SimSymbolSettings[] | undefined;
  /** Futures positions the account opens with, by symbol. */
  readonly positions?: Readonly<Record<string, SimOpeningPosition>> | undefined;
  /** Starting balances as decimal strings (default 100000 USDT). */
  readonly balances?: Readonly<Record<string, string>> | undefined;
  /** Fee rates as decimal strings (default maker 0.0002, taker 0.0005). */
  readonly feeRate?: { readonly maker: string; readonly taker: string } | undefined;
  readonly liquidityPerTick?: string | undefined;
  /** Wall ms between market steps; 0 for manual stepping (backtests, tests). Default 1000. */
  readonly stepIntervalMs?: number | undefined;
  /** Simulated start time (default: the wall clock at creation); a journaled venue reopens at it. */
  readonly startTime?: number | undefined;
  /**
   * Keeps the venue durable in this file (see JournaledSimEngine): a restart finds the same orders,
   * fills, balances, positions and price path. Without it each run is a new in-memory venue.
   */
  readonly journalPath?: string | undefined;
}

export interface CcxtExchangeFactoryOptions extends Omit<CcxtExchangeOptions, 'marketType'>, CommonOptions {
  readonly type: 'ccxt';
  /** Paper trading: the venue's public data (no keys are sent), orders matched locally (PaperExchange). */
  readonly paper?:
    | {
        readonly symbols: readonly string[];
        /** Starting balances as decimal strings (default 100000 USDT). */
        readonly balances?: Readonly<Record<string, string>> | undefined;
        readonly feeRate: { readonly maker: string; readonly taker: string };
        readonly journalPath?: string | undefined;
      }
    | undefined;
}

export type ExchangeOptions = SimExchangeOptions | CcxtExchangeFactoryOptions;

export function createExchange(options: ExchangeOptions): Exchange {
  if (options.type === 'ccxt') {
    const { paper, ...ccxt } = options;
    if (paper === undefined) return new CcxtExchange({ ...ccxt, marketType: options.marketType ?? 'future' });
    const venue = new CcxtExchange({
      ...ccxt,
      apiKey: undefined,
      apiSecret: undefined,
      password: undefined,
      marketType: options.marketType ?? 'future',
    });
    return new PaperExchange({
      name: options.name,
      venue,
      symbols: paper.symbols,
      balances: paper.balances ?? { USDT: '100000' },
      fees: { maker: dec(paper.feeRate.maker), taker: dec(paper.feeRate.taker) },
      journalPath: paper.journalPath,
    });
  }
  const startTime = options.startTime ?? Date.now();
  // An in-memory venue forgets everything when the process ends, so each run is its own account:
  // its trade ids and fill cursor start afresh and can never be mistaken for an earlier run's.
  // A journaled venue keeps the account it was started with.
  const freshAccount = `sim-${startTime.toString(36)}`;
  const balances = Object.fromEntries(
    Object.entries(options.balances ?? { USDT: '100000' }).map(([asset, amount]) => [asset, dec(amount)]),
  );
  const settings = {
    venue: options.name,
    seed: options.seed ?? 1,
    symbols: options.markets ?? simSymbolsNamed(options.symbols ?? ['BTCUSDT', 'ETHUSDT'], options.marketType),
    fees:
      options.feeRate === undefined
        ? undefined
        : { maker: dec(options.feeRate.maker), taker: dec(options.feeRate.taker) },
    liquidityPerTick: options.liquidityPerTick === undefined ? undefined : dec(options.liquidityPerTick),
  };
  const journaled =
    options.journalPath === undefined
      ? undefined
      : JournaledSimEngine.open({
          settings,
          balances,
          openingPositions: options.positions,
          freshAccount,
          now: startTime,
          journalPath: options.journalPath,
        });
  const engine =
    journaled ??
    new SimMatchingEngine({
      ...settings,
      startTime,
      accounts: [{ id: freshAccount, balances, positions: options.positions }],
    });
  const account = journaled?.account ?? freshAccount;
  const stepIntervalMs = options.stepIntervalMs ?? 1000;
  const driver = stepIntervalMs > 0 ? new SimClockDriver(engine, { intervalMs: stepIntervalMs }) : undefined;
  driver?.start();
  return new SimExchange(engine, { account, name: options.name, driver });
}
