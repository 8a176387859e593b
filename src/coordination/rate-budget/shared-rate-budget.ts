/**
 * One venue account's request budget for the whole cluster (docs/venues.md "One rate-limit budget"):
 * every instance trading the account takes each request's weight and orders from the same state in
 * the lock backend, by compare-and-set, before ccxt sends it. A 429/418's Retry-After pauses every
 * instance. Within one process takes run one at a time in call order, so the orders the grid asks
 * for first (the nearest to the market) are the ones granted when the budget runs short.
 *
 * When the backend cannot answer, the `fallback` store (the shared database, as degraded
 * single-instance mode's lock) keeps the budget: still one per cluster, so a degraded survivor
 * trades on it. When neither answers: requests that place orders are refused, others are granted on
 * ccxt's own per-process limiter alone, so reads and cancels (cancel on exit) still work;
 * `onBackendError` reports each failure, and `health` says where the last take was kept (for
 * /health, `quantmesh_rate_budget_degraded` and the `rate-budget-degraded` alert).
 */
import type { BudgetStore } from './budget-store.js';
import {
  type BudgetState,
  type RateLimitRule,
  decide,
  parseBudget,
  paused,
  serialiseBudget,
  stateLifetimeMs,
} from './budget-windows.js';

export interface SharedRateBudgetOptions {
  readonly store: BudgetStore;
  /** Where the budget is kept while `store` cannot answer (the lock backend's outage). */
  readonly fallback?: BudgetStore | undefined;
  /** The stored key (prefix, venue and account included). */
  readonly key: string;
  readonly rules: readonly RateLimitRule[];
  readonly now?: (() => number) | undefined;
  readonly onBackendError?: ((error: unknown) => void) | undefined;
}

/** Compare-and-set races lost in a row before a take gives up (refused for a moment). */
const MAX_ATTEMPTS = 50;
const RETRY_AFTER_CONTENTION_MS = 50;
const RETRY_AFTER_BACKEND_ERROR_MS = 1000;
/**
 * After the store failed, takes go straight to the fallback for this long: a backend that is down
 * can take a second to fail each call (a client waiting for its reconnect), which every request
 * would pay otherwise.
 */
const STORE_RETRY_MS = 5000;

export type BudgetAnswer = { readonly granted: true } | { readonly granted: false; readonly retryAfterMs: number };

/**
 * Where the budget was kept at the last take or pause: `store` (the configured backend), `fallback`
 * (the shared database, the backend having failed) or `none` (neither answered: orders refused).
 * `cause` is the last failure's message while not `store`.
 */
export interface RateBudgetHealth {
  readonly keptIn: 'store' | 'fallback' | 'none';
  readonly store: string;
  readonly fallback: string | undefined;
  readonly cause?: string | undefined;
}

export class SharedRateBudget {
  readonly #options: SharedRateBudgetOptions;
  readonly #now: () => number;
  #queue: Promise<unknown> = Promise.resolve();
  /** When the store last failed (this.#now()), while a fallback exists. */
  #storeFailedAt: number | undefined;
  #health: RateBudgetHealth;
  #lastCause: string | undefined;

  constructor(options: SharedRateBudgetOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#health = { keptIn: 'store', store: options.store.backend, fallback: options.fallback?.backend };
  }

  get health(): RateBudgetHealth {
    return this.#health;
  }

  take(cost: { readonly weight: number; readonly orders: number }): Promise<BudgetAnswer> {
    return this.#serially(async () => {
      const answer = await this.#changeAnywhere<BudgetAnswer>((state, now) => {
        const decision = decide(state, this.#options.rules, cost, now);
        return decision.granted
          ? { next: decision.state, answer: { granted: true } }
          : { answer: { granted: false, retryAfterMs: decision.retryAfterMs } };
      });
      if (answer === 'unavailable')
        return cost.orders > 0 ? { granted: false, retryAfterMs: RETRY_AFTER_BACKEND_ERROR_MS } : { granted: true };
      return answer === 'contended' ? { granted: false, retryAfterMs: RETRY_AFTER_CONTENTION_MS } : answer;
    });
  }

  pauseFor(ms: number): Promise<void> {
    return this.#serially(async () => {
      await this.#changeAnywhere((state, now) => ({ next: paused(state, now + ms), answer: undefined }));
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.#options.store.close(), this.#options.fallback?.close()]);
  }

  /** `#change` on the store, else on the fallback; `unavailable` when neither answered. */
  async #changeAnywhere<T>(
    step: (state: BudgetState, now: number) => { next?: BudgetState; answer: T },
  ): Promise<T | 'contended' | 'unavailable'> {
    const { store, fallback, onBackendError } = this.#options;
    const storeResting = this.#storeFailedAt !== undefined && this.#now() - this.#storeFailedAt < STORE_RETRY_MS;
    const stores = fallback === undefined ? [store] : storeResting ? [fallback] : [store, fallback];
    for (const where of stores) {
      try {
        const answer = await this.#change(where, step);
        if (where === store) this.#storeFailedAt = undefined;
        this.#keptIn(where === store ? 'store' : 'fallback');
        return answer;
      } catch (error) {
        if (where === store && fallback !== undefined) this.#storeFailedAt = this.#now();
        this.#lastCause = error instanceof Error ? error.message : String(error);
        onBackendError?.(error);
      }
    }
    this.#keptIn('none');
    return 'unavailable';
  }

  /** Reads, steps and writes back until a compare-and-set wins; `contended` after MAX_ATTEMPTS lost races. */
  async #change<T>(
    store: BudgetStore,
    step: (state: BudgetState, now: number) => { next?: BudgetState; answer: T },
  ): Promise<T | 'contended'> {
    const { key, rules } = this.#options;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const stored = await store.read(key);
      const now = this.#now();
      const { next, answer } = step(parseBudget(stored.value), now);
      if (next === undefined) return answer;
      const ttlMs = stateLifetimeMs(rules, next.pausedUntil, now);
      if (await store.compareAndSet(key, stored.version, serialiseBudget(next), ttlMs)) return answer;
    }
    return 'contended';
  }

  #keptIn(keptIn: RateBudgetHealth['keptIn']): void {
    const { store, fallback } = this.#options;
    this.#health = {
      keptIn,
      store: store.backend,
      fallback: fallback?.backend,
      cause: keptIn === 'store' ? undefined : this.#lastCause,
    };
  }

  #serially<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
