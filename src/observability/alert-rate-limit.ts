/**
 * At most one alert per kind and symbol (or per kind, for instance-wide alerts) per interval, so a
 * flapping dependency cannot flood a chat channel. What is held back is counted, and the count
 * rides on the next alert of the same key that goes out (`suppressed`), so nothing is silently lost.
 */
export const ALERT_INTERVAL_MS = 60_000;

export class AlertRateLimit {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #lastSent = new Map<string, number>();
  readonly #held = new Map<string, number>();

  constructor(intervalMs = ALERT_INTERVAL_MS, now: () => number = () => performance.now()) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Whether an alert of `key` may go out now; if so, how many of its key were held back since the last one. */
  admit(key: string): { admitted: false } | { admitted: true; suppressed: number } {
    const now = this.#now();
    const last = this.#lastSent.get(key);
    if (last !== undefined && now - last < this.#intervalMs) {
      this.#held.set(key, (this.#held.get(key) ?? 0) + 1);
      return { admitted: false };
    }
    this.#lastSent.set(key, now);
    const suppressed = this.#held.get(key) ?? 0;
    this.#held.delete(key);
    return { admitted: true, suppressed };
  }
}
