/**
 * What a backtest runs: the sim venue's settings for one symbol (seeded random walk or a replay),
 * one account, and the grid identity, built from a loaded configuration so that a backtest trades
 * the same settings `quantmesh run` would.
 */
import type { QuantMeshConfig } from '../config/load-config.js';
import { type Decimal, dec } from '../domain/decimal.js';
import type { SimEngineSettings, SimSymbolSettings } from '../exchange/sim/sim-settings.js';
import { marketOf } from '../exchange/sim/sim-settings.js';
import { gridSettingsOf, simSymbolOf } from '../app/config-mapping.js';
import type { GridIdentity } from '../strategy/grid/grid-state.js';
import { BacktestSetupError } from './errors.js';

/** The sim account the backtest trades on. */
export const BACKTEST_ACCOUNT = 'backtest';

export interface BacktestSetup {
  readonly engine: SimEngineSettings;
  readonly identity: GridIdentity;
  /** Price steps after the opening price (the report covers ticks + 1 prices). */
  readonly ticks: number;
}

export interface BacktestChoice {
  /** Symbol to test (default: the first of `trading.symbols`). */
  readonly symbol?: string | undefined;
  /** Seed of the random walk (default: the sim venue's `seed`). */
  readonly seed?: number | undefined;
  /** Steps of the random walk (ignored with a replay: one step per replayed price). */
  readonly ticks?: number | undefined;
  /** Replayed prices; the first is the opening price. */
  readonly replayPrices?: readonly Decimal[] | undefined;
  /** Starting quote balance (default 100000). */
  readonly balance?: Decimal | undefined;
}

export const DEFAULT_TICKS = 10_000;

export function backtestSetup(config: QuantMeshConfig, choice: BacktestChoice = {}): BacktestSetup {
  const symbols = config.trading.symbols;
  const entry =
    choice.symbol === undefined ? symbols[0] : symbols.find((candidate) => candidate.symbol === choice.symbol);
  if (entry === undefined) {
    throw new BacktestSetupError(
      `symbol ${choice.symbol ?? '(none)'} is not in trading.symbols (configured: ${symbols.map((s) => s.symbol).join(', ')})`,
    );
  }
  const venue = config.exchanges[entry.exchange];
  const base = simSymbolOf(config, entry.exchange, entry.symbol);
  const tickMs = venue?.type === 'sim' ? venue.tickInterval : 1000;
  const replay = choice.replayPrices;
  const symbol: SimSymbolSettings = {
    ...base,
    ...(replay === undefined
      ? {}
      : { initialPrice: replay[0] as Decimal, replayPrices: replay.length > 1 ? replay.slice(1) : replay }),
  };
  const feeRate = dec(venue?.feeRate ?? '0.0002');
  const settings = gridSettingsOf(config, entry);
  const ticks = replay === undefined ? (choice.ticks ?? DEFAULT_TICKS) : replay.length - 1;
  if (!Number.isSafeInteger(ticks) || ticks < 0)
    throw new BacktestSetupError(`ticks must be a non-negative integer, got ${ticks}`);
  return {
    engine: {
      venue: entry.exchange,
      seed: choice.seed ?? (venue?.type === 'sim' ? venue.seed : 1),
      symbols: [symbol],
      tickMs,
      // Both legs pay the configured fee_rate, the rate the grid's profitability check assumes.
      fees: { maker: feeRate, taker: feeRate },
      // A backtest reads orders and fills through the engine's listener: ended ones need not stay (flat memory).
      history: 'forgotten',
      accounts: [{ id: BACKTEST_ACCOUNT, balances: { [symbol.quote]: choice.balance ?? dec(100_000) } }],
    },
    identity: { exchange: entry.exchange, symbol: entry.symbol, market: marketOf(symbol), settings },
    ticks,
  };
}
