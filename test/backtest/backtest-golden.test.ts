/**
 * The backtest reproduces the golden runs recorded before the throughput work exactly: every fill
 * (time, side, price, quantity, fee, client order id), every trade, the equity curve (hashed) and
 * the report's figures, over seeded walks, a candle CSV replay and a spot grid with risk closes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES, type GoldenResult, goldenFile, runGolden } from './golden/golden-cases.js';

describe('golden backtests', () => {
  it.each(GOLDEN_CASES.map((golden) => [golden.name, golden] as const))(
    '%s reproduces its recorded fills, trades, fees and PnL',
    (_name, golden) => {
      const recorded = JSON.parse(readFileSync(goldenFile(golden), 'utf8')) as GoldenResult;
      const result = runGolden(golden);
      expect(result.report).toEqual(recorded.report);
      expect(result.fills).toEqual(recorded.fills);
      expect(result.trades).toEqual(recorded.trades);
      expect(result.curveSha256).toBe(recorded.curveSha256);
      // A case that does not trade would compare nothing.
      expect(recorded.fills.length).toBeGreaterThan(0);
    },
  );

  it('the cases cover round trips, a stop loss, a trailing take-profit and a replay', () => {
    const recorded = GOLDEN_CASES.map((golden) => JSON.parse(readFileSync(goldenFile(golden), 'utf8')) as GoldenResult);
    const paused = recorded.map((result) => String(result.report.pausedBecause ?? ''));
    expect(paused.some((reason) => reason.startsWith('stop-loss'))).toBe(true);
    expect(paused.some((reason) => reason.startsWith('take-profit'))).toBe(true);
    expect(GOLDEN_CASES.some((golden) => golden.choice().replayPrices !== undefined)).toBe(true);
  });
});
