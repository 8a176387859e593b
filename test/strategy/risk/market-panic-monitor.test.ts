/** grid-strategy.md "Risk controls": the market panic monitor and its recovery. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { Candle } from '../../../src/domain/market.js';
import { RiskConfigurationError } from '../../../src/strategy/risk/errors.js';
import {
  type MarketPanicState,
  candleReceived,
  createMarketPanicMonitor,
  symbolVerdict,
} from '../../../src/strategy/risk/market-panic-monitor.js';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];

function candle(
  symbol: string,
  minute: number,
  close: string,
  volume: string,
  overrides: Partial<Candle> = {},
): Candle {
  const c = dec(close);
  return {
    symbol,
    interval: '1m',
    openTime: minute * 60_000,
    open: c,
    high: c,
    low: c,
    close: c,
    volume: dec(volume),
    closed: true,
    ...overrides,
  };
}

function feed(state: MarketPanicState, candles: readonly Candle[]): { state: MarketPanicState; changes: boolean[] } {
  let current = state;
  const changes: boolean[] = [];
  for (const c of candles) {
    const update = candleReceived(current, c);
    current = update.state;
    if (update.changed) changes.push(current.panic);
  }
  return { state: current, changes };
}

/** Three calm candles per symbol: mean close 100, mean volume 10. */
function warmed(recoveryThreshold = 1): MarketPanicState {
  const monitor = createMarketPanicMonitor({
    monitorSymbols: SYMBOLS,
    averageWindow: 3,
    volumeMultiplier: '3',
    recoveryThreshold,
  });
  return feed(
    monitor,
    SYMBOLS.flatMap((s) => [candle(s, 1, '99', '10'), candle(s, 2, '100', '10'), candle(s, 3, '101', '10')]),
  ).state;
}

describe('market panic monitor', () => {
  it('a symbol panics on a close under the mean with volume over the multiplier; the market only when all do', () => {
    const state = warmed();
    const one = feed(state, [candle('BTC/USDT', 4, '95', '31')]);
    expect(symbolVerdict(one.state, 'BTC/USDT')).toBe('panic');
    expect(one.state.panic).toBe(false);
    const both = feed(one.state, [candle('ETH/USDT', 4, '90', '40')]);
    expect(both.state.panic).toBe(true);
    expect(both.changes).toEqual([true]);
  });

  it('volume exactly at the multiplier or a close at the mean is not panic', () => {
    const state = warmed();
    expect(symbolVerdict(feed(state, [candle('BTC/USDT', 4, '95', '30')]).state, 'BTC/USDT')).toBe('neutral');
    expect(symbolVerdict(feed(state, [candle('BTC/USDT', 4, '100', '50')]).state, 'BTC/USDT')).toBe('neutral');
  });

  it('recovers once recovery_threshold symbols closed above their mean on normal volume', () => {
    const panicked = feed(warmed(2), [candle('BTC/USDT', 4, '95', '31'), candle('ETH/USDT', 4, '95', '31')]).state;
    expect(panicked.panic).toBe(true);
    // Baselines are now candles 2..4: mean close (100 + 101 + 95) / 3 ≈ 98.67, mean volume 17 → limit 51.
    const oneBack = feed(panicked, [candle('BTC/USDT', 5, '99', '20')]);
    expect(symbolVerdict(oneBack.state, 'BTC/USDT')).toBe('recovered');
    expect(oneBack.state.panic).toBe(true);
    const highVolume = feed(oneBack.state, [candle('ETH/USDT', 5, '99', '60')]);
    expect(highVolume.state.panic).toBe(true);
    const recovered = feed(highVolume.state, [candle('ETH/USDT', 5, '99', '20')]);
    expect(recovered.state.panic).toBe(false);
    expect(recovered.changes).toEqual([false]);
  });

  it('ignores forming candles, other intervals, unmonitored symbols and older candles; a same-minute candle replaces the last', () => {
    const state = warmed();
    for (const c of [
      candle('BTC/USDT', 4, '50', '500', { closed: false }),
      candle('BTC/USDT', 4, '50', '500', { interval: '5m' }),
      candle('DOGE/USDT', 4, '50', '500'),
      candle('BTC/USDT', 2, '50', '500'),
    ]) {
      expect(candleReceived(state, c).state).toBe(state);
    }
    const corrected = feed(state, [candle('BTC/USDT', 3, '50', '500')]).state;
    expect(corrected.candles.get('BTC/USDT')).toHaveLength(3);
    expect(symbolVerdict(corrected, 'BTC/USDT')).toBe('warming-up');
  });

  it('a symbol without a full baseline neither panics nor recovers', () => {
    const monitor = createMarketPanicMonitor({ monitorSymbols: ['BTC/USDT'], averageWindow: 3, recoveryThreshold: 1 });
    const early = feed(monitor, [candle('BTC/USDT', 1, '100', '10'), candle('BTC/USDT', 2, '10', '1000')]);
    expect(symbolVerdict(early.state, 'BTC/USDT')).toBe('warming-up');
    expect(early.state.panic).toBe(false);
  });

  it('refuses settings it cannot work with', () => {
    expect(() => createMarketPanicMonitor({ monitorSymbols: [], averageWindow: 3, recoveryThreshold: 1 })).toThrow(
      RiskConfigurationError,
    );
    expect(() => createMarketPanicMonitor({ monitorSymbols: SYMBOLS, averageWindow: 0, recoveryThreshold: 1 })).toThrow(
      /average_window/,
    );
    expect(() => createMarketPanicMonitor({ monitorSymbols: SYMBOLS, averageWindow: 3, recoveryThreshold: 3 })).toThrow(
      /recovery_threshold/,
    );
    expect(() =>
      createMarketPanicMonitor({
        monitorSymbols: SYMBOLS,
        averageWindow: 3,
        recoveryThreshold: 1,
        volumeMultiplier: '0',
      }),
    ).toThrow(/volume_multiplier/);
  });
});
