/**
 * One warning per cause per interval (issue 14 item 4): a dependency that stays down must not turn
 * every retry into a log line. The warnings held back are counted and the count rides on the next
 * one of the same cause (`suppressed`), so the log still says how often it happened.
 */
import { AlertRateLimit } from './alert-rate-limit.js';

export const WARNING_INTERVAL_MS = 30_000;

export interface WarningLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export class WarningRateLimit {
  readonly #limit: AlertRateLimit;
  readonly #logger: WarningLogger | undefined;

  constructor(logger: WarningLogger | undefined, intervalMs = WARNING_INTERVAL_MS) {
    this.#logger = logger;
    this.#limit = new AlertRateLimit(intervalMs);
  }

  /** Logs `message` unless a warning of `cause` went out less than an interval ago. */
  warn(cause: string, details: Record<string, unknown>, message: string): void {
    const admitted = this.#limit.admit(cause);
    if (admitted.admitted) this.#logger?.warn({ ...details, suppressed: admitted.suppressed }, message);
  }
}
