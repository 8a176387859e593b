/** The books of a backtest against figures computed by hand on tiny replayed paths. */
import { describe, expect, it } from 'vitest';
import type { EquityPoint } from '../../src/backtest/backtest-ledger.js';
import { backtestSetup } from '../../src/backtest/backtest-setup.js';
import { parseReplayCsv } from '../../src/backtest/replay-csv.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { priceCsv, tinyConfig } from './backtest-fixture.js';

function replay(prices: readonly string[], symbolExtra = '') {
  const curve: EquityPoint[] = [];
  const report = runBacktest(
    backtestSetup(tinyConfig(symbolExtra), { replayPrices: parseReplayCsv(priceCsv(prices)) }),
    { onTick: (point) => curve.push(point) },
  );
  return {
    report,
    curve: curve.map((point) =>
      [point.price, point.position, point.realized, point.unrealized, point.equity].map((value) => value.toFixed()),
    ),
  };
}

describe('backtest accounting', () => {
  it('down two levels and back up: two round trips, their fees and realized PnL exactly', () => {
    // 100: buys rest at 99 and 98. 99: buy 99 fills, sell at 100 rests. 98: buy 98 fills, sell at 99 rests.
    // 99: sell 99 fills (98→99). 100: sell 100 fills (99→100). Each leg 0.1 TEST, fee 0.1 % of its notional.
    const { report, curve } = replay(['100', '99', '98', '99', '100']);
    expect(report).toMatchObject({
      ticks: 5,
      firstPrice: '100',
      lastPrice: '100',
      trades: 2,
      fills: 4,
      ordersRejected: 0,
      realizedPnlGross: '0.2', // (99 − 98) · 0.1 + (100 − 99) · 0.1
      realizedFees: '0.0396', // both legs of both round trips: 0.001 · (9.8 + 9.9) + 0.001 · (9.9 + 10)
      realizedPnl: '0.1604', // net: 0.2 − 0.0396
      fees: '0.0396', // 0.001 · (9.9 + 9.8 + 9.9 + 10)
      unrealizedPnl: '0',
      equity: '0.1604',
      finalPosition: '0',
      maxDrawdown: '0.1197', // peak 0 → trough after the second buy: −0.1 unrealized − 0.0197 fees
      timeInMarket: '0.6', // 3 of the 5 ticks end holding TEST
    });
    expect(report.pausedBecause).toBeUndefined();
    expect(curve).toEqual([
      ['100', '0', '0', '0', '0'],
      ['99', '0.1', '0', '0', '-0.0099'],
      ['98', '0.2', '0', '-0.1', '-0.1197'],
      ['99', '0.1', '0.0803', '0', '0.0704'], // net of the first round trip: 0.1 − 0.0197
      ['100', '0', '0.1604', '0', '0.1604'],
    ]);
  });

  it('a path that falls and stays down: drawdown is the open loss plus fees, always in market after the first fill', () => {
    const { report, curve } = replay(['100', '99', '98', '97']);
    expect(report).toMatchObject({
      trades: 0,
      fills: 3,
      realizedPnl: '0',
      realizedFees: '0',
      unrealizedPnl: '-0.3',
      fees: '0.0294',
      equity: '-0.3294',
      maxDrawdown: '0.3294',
      timeInMarket: '0.75',
      finalPosition: '0.3',
    });
    expect(curve.map((row) => row[4])).toEqual(['0', '-0.0099', '-0.1197', '-0.3294']);
  });

  it('drawdown is measured from the running peak, not from the start', () => {
    // Up-and-down after a profit: the peak is the equity after the round trip, the trough the later dip.
    const { report, curve } = replay(['100', '99', '100', '99', '98']);
    const equities = curve.map((row) => Number(row[4]));
    let peak = 0;
    let worst = 0;
    for (const equity of equities) {
      peak = Math.max(peak, equity);
      worst = Math.max(worst, peak - equity);
    }
    expect(Number(report.maxDrawdown)).toBeCloseTo(worst, 12);
    expect(Math.max(...equities)).toBeGreaterThan(0);
    expect(report.trades).toBe(1);
  });

  it('a candle CSV is walked open → high → low → close when it fell, open → low → high → close when it rose, and trades like those prices', () => {
    const candles = 'open_time,open,high,low,close\n0,100,100,98,99\n60000,99,100,99,100\n';
    expect(parseReplayCsv(candles).map((price) => price.toFixed())).toEqual([
      '100',
      '100',
      '98',
      '99',
      '99',
      '99',
      '100',
      '100',
    ]);
    const fromCandles = runBacktest(backtestSetup(tinyConfig(), { replayPrices: parseReplayCsv(candles) }));
    const fromPrices = runBacktest(
      backtestSetup(tinyConfig(), {
        replayPrices: parseReplayCsv(priceCsv(['100', '100', '98', '99', '99', '99', '100', '100'])),
      }),
    );
    expect(fromCandles).toEqual(fromPrices);
    expect(fromCandles.trades).toBe(2);
  });

  it('a stop loss closes the whole position, including fills of the same tick, at market and pauses the grid', () => {
    // 95 trades through the resting buys at 97 and 96 (maker, at their limits) before the grid sees
    // the price; the loss of 2.5 on the 97.5 average entry (2.56 %) passes stop_loss_ratio 2 %.
    const risk =
      '      grid_risk_control: { enabled: true, stop_loss_ratio: "0.02", take_profit_trigger_ratio: "0.5", trailing_take_profit_ratio: "0.1" }';
    const { report, curve } = replay(['100', '99', '98', '95', '95', '96'], risk);
    expect(report).toMatchObject({
      trades: 4,
      fills: 5,
      finalPosition: '0',
      unrealizedPnl: '0',
      realizedPnlGross: '-1', // (95 − 99 + 95 − 98 + 95 − 97 + 95 − 96) · 0.1, one trade per slot closed
      realizedFees: '0.077',
      realizedPnl: '-1.077', // every fill belongs to a closed round trip
      fees: '0.077', // 0.001 · (9.9 + 9.8 + 9.7 + 9.6 + 0.4 · 95): the close pays the taker leg
      equity: '-1.077',
      maxDrawdown: '1.077',
      timeInMarket: '0.333333',
    });
    expect(report.pausedBecause).toMatch(/^stop-loss: /);
    // Paused: the price coming back places nothing more.
    expect(curve.slice(3).map((row) => row[1])).toEqual(['0', '0', '0']);
  });

  it('an order size that rounds to zero pauses the grid for its configuration and trades nothing', () => {
    // 1 USDT at 99 is 0.0101 TEST: under the 0.1 step.
    const report = runBacktest(
      backtestSetup(tinyConfig('', '1'), { replayPrices: parseReplayCsv(priceCsv(['100', '99', '98'])) }),
    );
    expect(report).toMatchObject({ fills: 0, ordersPlaced: 0, equity: '0', timeInMarket: '0' });
    expect(report.pausedBecause).toMatch(/^configuration: .*order_quantity/);
  });
});
