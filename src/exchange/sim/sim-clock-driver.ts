/**
 * Drives a SimMatchingEngine in real time for live use: one engine step every `intervalMs` of wall
 * time. Backtests and tests do not use it; they call `step`/`advance` themselves.
 */
import type { SimMatchingEngine } from './sim-matching-engine.js';

export class SimClockDriver {
  readonly #engine: SimMatchingEngine;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(engine: SimMatchingEngine, options: { intervalMs?: number | undefined } = {}) {
    this.#engine = engine;
    this.#intervalMs = options.intervalMs ?? engine.tickMs;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts stepping; idempotent. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#engine.step(), this.#intervalMs);
    // The driver alone must not keep a process alive.
    this.#timer.unref();
  }

  /** Stops stepping; idempotent. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
