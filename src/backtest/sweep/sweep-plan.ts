/**
 * A sweep ready to run: the base configuration, the axes, every combination, and what each run
 * backtests (symbol, seed, ticks or replayed prices). Plain data, so it crosses to worker threads
 * as it is (structured clone); `setupOf` turns one combination into a BacktestSetup on either side.
 */
import { dec } from '../../domain/decimal.js';
import { type BacktestSetup, backtestSetup } from '../backtest-setup.js';
import { type SweepAxis, type SweepBase, type SweepCombination, sweepCombinations, sweepConfig } from './sweep-spec.js';

export interface SweepPlan {
  readonly base: SweepBase;
  readonly axes: readonly SweepAxis[];
  readonly combinations: readonly SweepCombination[];
  readonly symbol?: string | undefined;
  readonly seed?: number | undefined;
  readonly ticks?: number | undefined;
  /** Replayed prices as decimal text (Decimal objects do not survive a structured clone). */
  readonly replayPrices?: readonly string[] | undefined;
}

export function setupOf(plan: SweepPlan, combination: SweepCombination): BacktestSetup {
  return backtestSetup(sweepConfig(plan.base, plan.axes, combination), {
    symbol: plan.symbol,
    seed: plan.seed,
    ticks: plan.ticks,
    replayPrices: plan.replayPrices?.map((price) => dec(price)),
  });
}

/**
 * The plan, with every combination checked first: a value the configuration refuses fails the
 * sweep before any run starts (SweepSpecError, naming the key and value).
 */
export function sweepPlan(fields: Omit<SweepPlan, 'combinations'>): {
  readonly plan: SweepPlan;
  readonly setups: readonly BacktestSetup[];
} {
  const plan = { ...fields, combinations: sweepCombinations(fields.axes) };
  return { plan, setups: plan.combinations.map((combination) => setupOf(plan, combination)) };
}
