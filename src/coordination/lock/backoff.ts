/**
 * Waiting between attempts: exponential backoff with "equal jitter" (half fixed, half random), so
 * contenders spread out instead of polling in lockstep. Used by the locks on backends without a
 * change feed (Redis, SQL), the engine's database probe (intent-gate.ts) and its fault healing.
 */
export interface BackoffOptions {
  /** First delay, in ms (default 4). */
  readonly initialMs?: number;
  /** Ceiling of the delay, in ms (default 50: a freed lock should not sit idle long). */
  readonly maxMs?: number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 4;
    this.#maxMs = options.maxMs ?? 50;
  }

  /** The next delay; `hintMs` (e.g. the holder's remaining lease) caps it when known. */
  next(hintMs?: number): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** this.#attempt);
    this.#attempt += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    return hintMs !== undefined && hintMs >= 0 ? Math.min(delay, hintMs + 1) : delay;
  }

  /** The next delay starts from `initialMs` again (the thing waited for worked). */
  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
