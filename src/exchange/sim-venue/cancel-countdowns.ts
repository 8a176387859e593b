/**
 * Binance's dead man's switch (`POST /fapi/v1/countdownCancelAll`): when an account's countdown for
 * a symbol runs out before the client renews it, every open order of the symbol is cancelled. It
 * runs on the wall clock, as at Binance, whatever the simulated clock does.
 */
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';

export class CancelCountdowns {
  readonly #engine: SimMatchingEngine;
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(engine: SimMatchingEngine) {
    this.#engine = engine;
  }

  /** Starts or renews the countdown; 0 stops it. */
  set(accountId: string, symbol: string, countdownMs: number): void {
    const key = `${accountId}\u0000${symbol}`;
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    if (countdownMs === 0) return;
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.#engine.cancelAllOrders(accountId, symbol);
    }, countdownMs);
    timer.unref();
    this.#timers.set(key, timer);
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
