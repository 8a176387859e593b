/**
 * The request budget a venue adapter takes from before each REST request: the venue account's
 * request weight and order count, shared by every instance trading that account (implemented in
 * `coordination/rate-budget/`, handed over by the composition root; this layer defines only what it needs).
 */
export interface RequestCost {
  /** Request weight (ccxt's per-endpoint cost: for Binance the venue's weight or more). */
  readonly weight: number;
  /** New orders the request places (an amendment counts as one). */
  readonly orders: number;
}

export type BudgetAnswer = { readonly granted: true } | { readonly granted: false; readonly retryAfterMs: number };

export interface RequestBudget {
  /** Takes `cost` from every limit at once, or nothing; a refusal says when to try again. */
  take(cost: RequestCost): Promise<BudgetAnswer>;
  /** The venue refused with 429/418 and Retry-After: nothing is granted to any instance for `ms`. */
  pauseFor(ms: number): Promise<void>;
  close(): Promise<void>;
}
