/** Fixed-window request budget per account, measured on the simulated clock. */
import { RateLimitedError } from '../errors.js';
import type { SimRateLimit } from './sim-settings.js';

export class SimRateLimiter {
  readonly #limit: SimRateLimit;
  readonly #venue: string;
  readonly #windows = new Map<string, { start: number; used: number }>();

  constructor(limit: SimRateLimit, venue: string) {
    this.#limit = limit;
    this.#venue = venue;
  }

  /** Counts one request of `accountId` at `now`; RateLimitedError once the window's budget is spent. */
  consume(accountId: string, now: number): void {
    const start = now - (now % this.#limit.windowMs);
    const window = this.#windows.get(accountId);
    if (window === undefined || window.start !== start) {
      this.#windows.set(accountId, { start, used: 1 });
      return;
    }
    if (window.used >= this.#limit.limit) throw new RateLimitedError(this.#venue, start + this.#limit.windowMs - now);
    window.used += 1;
  }
}
