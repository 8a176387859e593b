/**
 * Whether each venue account's shared rate budget (docs/venues.md "One rate-limit budget") is kept
 * where it should be: a budget kept in the shared database because the lock backend failed, or kept
 * nowhere, is a degradation — `/health` answers 503 naming it, `quantmesh_rate_budget_degraded`
 * reads 1 or 2, and `rate-budget-degraded` is alerted (app/degradation-alerts.ts).
 */
import { Gauge, type Registry } from 'prom-client';
import type { HealthCheck } from './health.js';

/** A budget's state as its owner reports it (observability does not import up: the fields it needs). */
export interface RateBudgetCondition {
  readonly exchange: string;
  /** `store`: the configured backend; `fallback`: the shared database; `none`: neither answered. */
  readonly keptIn: 'store' | 'fallback' | 'none';
  readonly store: string;
  readonly fallback: string | undefined;
  readonly cause?: string | undefined;
}

/** What the degradation means for trading, or undefined while the budget is kept in its store. */
export function describeRateBudget(condition: RateBudgetCondition): string | undefined {
  const { exchange, keptIn, store, fallback, cause } = condition;
  const why = cause === undefined ? '' : ` (${cause})`;
  if (keptIn === 'fallback')
    return `${exchange}: the rate budget's ${store} does not answer${why}; the ${fallback ?? 'fallback'} keeps the account's budget`;
  if (keptIn === 'none')
    return `${exchange}: no rate budget store answers (${[store, fallback].filter(Boolean).join(', ')})${why}; orders are refused, reads use the local limiter`;
  return undefined;
}

/** Fails while any budget is not kept in its store, naming each one. */
export function rateBudgetHealthCheck(conditions: () => readonly RateBudgetCondition[]): HealthCheck {
  return {
    name: 'rate-budgets',
    check: async () => {
      const problems = conditions().flatMap((condition) => describeRateBudget(condition) ?? []);
      if (problems.length > 0) throw new Error(problems.join('; '));
    },
  };
}

const DEGRADATION_LEVEL = { store: 0, fallback: 1, none: 2 } as const;

/** `quantmesh_rate_budget_degraded{exchange}`: 0 kept in its store, 1 in the shared database, 2 nowhere. */
export function registerRateBudgetState(registry: Registry, conditions: () => readonly RateBudgetCondition[]): void {
  new Gauge({
    name: 'quantmesh_rate_budget_degraded',
    help: "Where each venue account's shared rate budget is kept: 0 its lock backend, 1 the shared database (the backend failed), 2 nowhere (orders refused)",
    labelNames: ['exchange'],
    registers: [registry],
    collect() {
      this.reset();
      for (const condition of conditions())
        this.set({ exchange: condition.exchange }, DEGRADATION_LEVEL[condition.keptIn]);
    },
  });
}
