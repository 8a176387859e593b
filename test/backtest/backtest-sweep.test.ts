/** Sweep axes, combinations and runs: worker threads give each combination the report a plain backtest of it gives. */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { runSweep } from '../../src/backtest/sweep/run-sweep.js';
import { setupOf, sweepPlan } from '../../src/backtest/sweep/sweep-plan.js';
import { parseSweepAxis, sweepCombinations } from '../../src/backtest/sweep/sweep-spec.js';
import { EMBEDDED_DEFAULT_FILE, EMBEDDED_DEFAULT_YAML } from '../../src/config/embedded-default.js';

const base = { text: EMBEDDED_DEFAULT_YAML, file: EMBEDDED_DEFAULT_FILE, env: {}, symbolIndex: 0 };

describe('sweep axes', () => {
  it('reads exact decimal ranges and lists', () => {
    expect(parseSweepAxis('price_interval=40:60:5')).toEqual({
      key: 'price_interval',
      values: ['40', '45', '50', '55', '60'],
    });
    expect(parseSweepAxis('order_quantity=0.1:0.3:0.1').values).toEqual(['0.1', '0.2', '0.3']);
    expect(parseSweepAxis('buy_window_size=3,5,8').values).toEqual(['3', '5', '8']);
    expect(parseSweepAxis('grid_risk_control.stop_loss_ratio=0.1').key).toBe('grid_risk_control.stop_loss_ratio');
  });

  it('refuses specs it cannot read, naming them', () => {
    expect(() => parseSweepAxis('=4')).toThrow('--sweep =4: expected <key>=');
    expect(() => parseSweepAxis('price_interval=40:60')).toThrow('must be <from>:<to>:<step>');
    expect(() => parseSweepAxis('price_interval=4,4')).toThrow('value 4 is listed twice');
    expect(() => parseSweepAxis('symbol=ETHUSDT')).toThrow('use --symbol');
    expect(() => parseSweepAxis('price_interval=1:100000:1')).toThrow('at most 10000');
  });

  it('combines every value of every axis, the last axis fastest, and refuses an axis given twice', () => {
    const axes = [parseSweepAxis('price_interval=40,50'), parseSweepAxis('buy_window_size=3,5')];
    expect(sweepCombinations(axes)).toEqual([
      ['40', '3'],
      ['40', '5'],
      ['50', '3'],
      ['50', '5'],
    ]);
    expect(() => sweepCombinations([axes[0]!, axes[0]!])).toThrow('--sweep price_interval is given twice');
  });
});

describe('runSweep', () => {
  it('gives each combination the same report as a backtest of it in this thread', async () => {
    const { plan, setups } = sweepPlan({
      base,
      axes: [parseSweepAxis('price_interval=40,55'), parseSweepAxis('order_quantity=30,45')],
      seed: 11,
      ticks: 300,
    });
    expect(setups.map((setup) => setup.identity.settings.priceInterval.toFixed())).toEqual(['40', '40', '55', '55']);
    const runs = await runSweep(
      plan,
      setups.map((setup) => setup.ticks),
      { workers: 2 },
    );
    expect(runs.map((run) => run.combination)).toEqual(plan.combinations);
    for (const run of runs) expect(run.report).toEqual(runBacktest(setupOf(plan, run.combination)));
    // The axes matter: not every combination ends the same.
    expect(new Set(runs.map((run) => run.report.equity)).size).toBeGreaterThan(1);
  });
});
