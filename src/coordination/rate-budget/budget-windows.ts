/**
 * The pure decision of the shared rate budget: fixed windows aligned on the wall clock (as Binance
 * counts them), one per limit, and a pause until a venue's Retry-After. A request is granted only
 * when every limit has room for it, and then takes from all of them; otherwise nothing changes.
 */
export interface RateLimitRule {
  /** `weight`, `orders-10s`, `orders-1m`: which amount of a request it counts and its window. */
  readonly name: string;
  readonly counts: 'weight' | 'orders';
  readonly limit: number;
  readonly windowMs: number;
}

export interface BudgetState {
  readonly pausedUntil: number;
  /** Per rule name: the start of its current window and what was taken in it. */
  readonly windows: Readonly<Record<string, { readonly start: number; readonly used: number }>>;
}

export const EMPTY_BUDGET: BudgetState = { pausedUntil: 0, windows: {} };

export type BudgetDecision =
  | { readonly granted: true; readonly state: BudgetState }
  | { readonly granted: false; readonly retryAfterMs: number; readonly rule: string };

export function decide(
  state: BudgetState,
  rules: readonly RateLimitRule[],
  cost: { readonly weight: number; readonly orders: number },
  now: number,
): BudgetDecision {
  if (state.pausedUntil > now) return { granted: false, retryAfterMs: state.pausedUntil - now, rule: 'venue-pause' };
  const windows: Record<string, { start: number; used: number }> = {};
  for (const rule of rules) {
    const amount = rule.counts === 'weight' ? cost.weight : cost.orders;
    const start = now - (now % rule.windowMs);
    const current = state.windows[rule.name];
    const used = current !== undefined && current.start === start ? current.used : 0;
    if (amount > 0 && used + amount > rule.limit)
      return { granted: false, retryAfterMs: start + rule.windowMs - now, rule: rule.name };
    windows[rule.name] = { start, used: used + amount };
  }
  return { granted: true, state: { pausedUntil: state.pausedUntil, windows } };
}

export function paused(state: BudgetState, untilMs: number): BudgetState {
  return { ...state, pausedUntil: Math.max(state.pausedUntil, untilMs) };
}

/** The stored text of a state; `parseBudget` of anything unreadable is the empty budget (it only ever refuses less than it should for one window). */
export function serialiseBudget(state: BudgetState): string {
  return JSON.stringify(state);
}

export function parseBudget(text: string | undefined): BudgetState {
  if (text === undefined) return EMPTY_BUDGET;
  try {
    const value = JSON.parse(text) as BudgetState;
    return typeof value.pausedUntil === 'number' && typeof value.windows === 'object' ? value : EMPTY_BUDGET;
  } catch {
    return EMPTY_BUDGET;
  }
}

/** The longest window: how long a stored state matters after its last change. */
export function stateLifetimeMs(rules: readonly RateLimitRule[], pausedUntil: number, now: number): number {
  return Math.max(60_000, ...rules.map((rule) => 2 * rule.windowMs), pausedUntil - now + 1000);
}
