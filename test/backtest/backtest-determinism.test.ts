/** A backtest is a function of its setup: the same seed gives the same report and the same curve. */
import { describe, expect, it } from 'vitest';
import type { EquityPoint } from '../../src/backtest/backtest-ledger.js';
import { dec } from '../../src/domain/decimal.js';
import { backtestSetup } from '../../src/backtest/backtest-setup.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { embeddedDefaultConfig } from '../../src/config/embedded-default.js';

function run(seed: number) {
  const curve: string[] = [];
  const record = (point: EquityPoint) =>
    curve.push(`${point.time},${point.price.toFixed()},${point.position.toFixed()},${point.equity.toFixed()}`);
  const report = runBacktest(backtestSetup(embeddedDefaultConfig(), { seed, ticks: 1500 }), { onTick: record });
  return { report, curve };
}

describe('backtest determinism', () => {
  it('the same seed twice gives an identical report and equity curve', () => {
    const first = run(11);
    const second = run(11);
    expect(second.report).toEqual(first.report);
    expect(second.curve).toEqual(first.curve);
    // The run traded: an idle grid would make the comparison vacuous.
    expect(first.report.fills).toBeGreaterThan(10);
    expect(first.curve).toHaveLength(1501);
  });

  it('another seed gives another market', () => {
    expect(run(12).report.lastPrice).not.toBe(run(11).report.lastPrice);
  });

  it('books agree with themselves: equity = realized gross + unrealized − fees, net = gross − realized fees, and the last curve row is the report', () => {
    const { report, curve } = run(11);
    expect(dec(report.equity).toFixed()).toBe(
      dec(report.realizedPnlGross).add(report.unrealizedPnl).sub(report.fees).toFixed(),
    );
    expect(dec(report.realizedPnl).toFixed()).toBe(dec(report.realizedPnlGross).sub(report.realizedFees).toFixed());
    expect(report.trades).toBeGreaterThan(0);
    expect(curve.at(-1)?.split(',').slice(1)).toEqual([report.lastPrice, report.finalPosition, report.equity]);
  });
});
