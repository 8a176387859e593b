/**
 * Market panic monitor (grid-strategy.md "Risk controls"), pure: fed closed candles of the
 * monitored symbols, it says when the whole market panics and when it has recovered. The engine
 * forwards each change to every grid as MarketPanicChanged.
 *
 * A symbol panics when its latest close is under the mean close of the `averageWindow` candles
 * before it and its volume is over `volumeMultiplier` × their mean volume (the latest candle is
 * compared with the baseline it broke from, so it is not part of its own mean). The market panics
 * when every monitored symbol panics; it recovers when at least `recoveryThreshold` symbols closed
 * above their mean on normal volume (≤ multiplier × mean). A symbol without a full baseline yet
 * neither panics nor counts as recovered.
 */
import { type Decimal, ZERO, dec } from '../../domain/decimal.js';
import type { Candle } from '../../domain/market.js';
import { RiskConfigurationError } from './errors.js';

export interface MarketPanicSettings {
  readonly monitorSymbols: readonly string[];
  /** Candle interval watched (`risk_control.interval`, default 1m). */
  readonly interval: string;
  readonly averageWindow: number;
  readonly volumeMultiplier: Decimal;
  readonly recoveryThreshold: number;
}

export type SymbolVerdict = 'panic' | 'recovered' | 'neutral' | 'warming-up';

export interface MarketPanicState {
  readonly settings: MarketPanicSettings;
  /** Closed candles per monitored symbol, oldest first, at most averageWindow + 1. */
  readonly candles: ReadonlyMap<string, readonly Candle[]>;
  readonly panic: boolean;
}

export interface MarketPanicSettingsInput {
  readonly monitorSymbols: readonly string[];
  readonly interval?: string | undefined;
  readonly averageWindow: number;
  readonly volumeMultiplier?: string | Decimal | undefined;
  readonly recoveryThreshold: number;
}

export function createMarketPanicMonitor(input: MarketPanicSettingsInput): MarketPanicState {
  const symbols = [...new Set(input.monitorSymbols)];
  if (symbols.length === 0) throw new RiskConfigurationError('monitor_symbols', 'must name at least one symbol');
  if (!Number.isSafeInteger(input.averageWindow) || input.averageWindow < 1)
    throw new RiskConfigurationError('average_window', `must be a positive integer, got ${input.averageWindow}`);
  if (
    !Number.isSafeInteger(input.recoveryThreshold) ||
    input.recoveryThreshold < 1 ||
    input.recoveryThreshold > symbols.length
  ) {
    throw new RiskConfigurationError(
      'recovery_threshold',
      `must be between 1 and the ${symbols.length} monitored symbols, got ${input.recoveryThreshold}`,
    );
  }
  const volumeMultiplier = dec(input.volumeMultiplier ?? '3');
  if (!volumeMultiplier.isPositive() || volumeMultiplier.isZero())
    throw new RiskConfigurationError('volume_multiplier', 'must be positive');
  const settings = Object.freeze({
    monitorSymbols: symbols,
    interval: input.interval ?? '1m',
    averageWindow: input.averageWindow,
    volumeMultiplier,
    recoveryThreshold: input.recoveryThreshold,
  });
  return Object.freeze({ settings, candles: new Map(), panic: false });
}

function mean(values: readonly Decimal[]): Decimal {
  return values.reduce((sum, value) => sum.add(value), ZERO).div(values.length);
}

/** Verdict on a symbol's latest closed candle against the baseline before it. */
export function symbolVerdict(state: MarketPanicState, symbol: string): SymbolVerdict {
  const candles = state.candles.get(symbol) ?? [];
  const { averageWindow, volumeMultiplier } = state.settings;
  if (candles.length < averageWindow + 1) return 'warming-up';
  const latest = candles[candles.length - 1]!;
  const baseline = candles.slice(-averageWindow - 1, -1);
  const meanClose = mean(baseline.map((c) => c.close));
  const volumeLimit = mean(baseline.map((c) => c.volume)).mul(volumeMultiplier);
  if (latest.close.lt(meanClose) && latest.volume.gt(volumeLimit)) return 'panic';
  if (latest.close.gt(meanClose) && latest.volume.lte(volumeLimit)) return 'recovered';
  return 'neutral';
}

export interface MarketPanicUpdate {
  readonly state: MarketPanicState;
  /** True when this candle switched the market into or out of panic. */
  readonly changed: boolean;
}

/**
 * Adds a candle and re-evaluates the market. Candles that are still forming, of another interval
 * or of an unmonitored symbol are ignored; a candle with the same open time replaces the last one
 * (a venue correction), an older one is ignored.
 */
export function candleReceived(state: MarketPanicState, candle: Candle): MarketPanicUpdate {
  const unchanged = { state, changed: false };
  if (
    !candle.closed ||
    candle.interval !== state.settings.interval ||
    !state.settings.monitorSymbols.includes(candle.symbol)
  )
    return unchanged;
  const history = state.candles.get(candle.symbol) ?? [];
  const last = history[history.length - 1];
  if (last !== undefined && candle.openTime < last.openTime) return unchanged;
  const kept = last !== undefined && candle.openTime === last.openTime ? history.slice(0, -1) : history;
  const candles = new Map(state.candles).set(
    candle.symbol,
    [...kept, candle].slice(-(state.settings.averageWindow + 1)),
  );
  const next: MarketPanicState = { ...state, candles };
  const verdicts = state.settings.monitorSymbols.map((symbol) => symbolVerdict(next, symbol));
  let panic = state.panic;
  if (!panic && verdicts.every((v) => v === 'panic')) panic = true;
  else if (panic && verdicts.filter((v) => v === 'recovered').length >= state.settings.recoveryThreshold) panic = false;
  return { state: Object.freeze({ ...next, panic }), changed: panic !== state.panic };
}
