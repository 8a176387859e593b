/**
 * How a runner stops: the loop first (no more prices, nothing new placed), then the grid cancels its
 * own orders (cancel_on_exit; never an operator's) and closes its position (close_positions_on_exit),
 * the runner waits until no slot holds an order, and applies the last fills. It ends within
 * `timeoutMs` (default 10 s, `system.stop_timeout`) whatever the venue answers, or whether it answers
 * at all: past it the caller marks the runner stopped and later answers are dropped (the next start
 * reconciles them).
 */
import type { Logger } from 'pino';
import type { GridEvent } from '../strategy/grid/grid-event.js';
import { type GridState, slotsWithOrders } from '../strategy/grid/grid-state.js';
import { hasOrders } from '../strategy/grid/stop-grid.js';
import type { VenueActions } from './execution/venue-actions.js';
import type { SerialQueue } from './serial-queue.js';

/** How long a stop waits for the venue at most, unless told (`system.stop_timeout`). */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
/** While stopping, the grid's remaining orders are looked up at most once per round. */
const STOP_ROUND_MS = 500;

export interface StopRequest {
  readonly cancelOnExit: boolean;
  readonly closePositions: boolean;
  readonly timeoutMs?: number | undefined;
}

export interface RunnerStopOptions {
  readonly symbol: string;
  readonly logger: Logger;
  readonly queue: SerialQueue;
  readonly actions: VenueActions;
  readonly grid: () => GridState | undefined;
  readonly clock: () => number;
  readonly apply: (event: GridEvent) => Promise<unknown>;
  readonly recoverFills: () => Promise<number>;
  /** A start still under way when the stop came: waited for (within the timeout) before the grid is stopped. */
  readonly started?: Promise<void> | undefined;
}

export class RunnerStop {
  readonly #options: RunnerStopOptions;

  constructor(options: RunnerStopOptions) {
    this.#options = options;
  }

  async run(request: StopRequest, wasRunning: boolean): Promise<void> {
    const { logger, symbol, grid } = this.#options;
    const timeoutMs = request.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed-out'>((resolve) => {
      timer = setTimeout(() => resolve('timed-out'), timeoutMs);
    });
    const outcome = await Promise.race([
      this.#windDown(request, wasRunning, performance.now() + timeoutMs).then(() => 'done' as const),
      timedOut,
    ]);
    clearTimeout(timer);
    if (outcome === 'timed-out')
      logger.warn(
        { symbol, timeoutMs },
        'stop timed out waiting for the venue; the next start reconciles what is left',
      );
    const state = grid();
    const left =
      state === undefined
        ? []
        : slotsWithOrders(state).map((slot) => `${slot.order!.clientOrderId} ${slot.order!.status}`);
    if (left.length > 0 && request.cancelOnExit)
      logger.warn(
        { symbol, orders: left },
        'stopped with orders still unaccounted for; the next start reconciles them',
      );
  }

  async #windDown(request: StopRequest, wasRunning: boolean, deadline: number): Promise<void> {
    const { queue, actions, apply, clock, grid, recoverFills, started } = this.#options;
    await started?.catch(() => undefined);
    if (wasRunning && grid() !== undefined) {
      const time = clock();
      await queue.push(() =>
        apply({
          type: 'StopRequested',
          time,
          cancelOrders: request.cancelOnExit,
          closePositions: request.closePositions,
        }),
      );
      if (request.cancelOnExit) await queue.push(async () => this.#cancelUnpriced());
      if (request.cancelOnExit) await this.#ordersGone(deadline);
    }
    await queue.drain();
    await actions.settled();
    if (wasRunning) await queue.push(recoverFills).catch(() => 0);
  }

  /**
   * The grid cancels on stop as part of its reaction to a price; a runner stopped before its first
   * price after a (re)start has none, so it would wait out the timeout and leave every order working.
   * Then the venue is asked to cancel the grid's confirmed orders directly; the answers come back as
   * reports the grid applies as usual.
   */
  #cancelUnpriced(): void {
    const state = this.#options.grid();
    if (state === undefined || state.lastPrice !== undefined) return;
    this.#options.actions.cancelConfirmed(state, 'stop');
  }

  /**
   * Resolves once the grid holds no order, or at `deadline` (performance.now()). Rounds are at least
   * 500 ms apart: while orders remain and nothing is in flight, each is looked up once per round (a
   * lost cancel answer), never in a tight loop, even when the venue refuses the lookups. An order the
   * venue does not know is ended at its first lookup (reconciliation/missing-order.ts).
   */
  async #ordersGone(deadline: number): Promise<void> {
    const { queue, actions, grid, recoverFills } = this.#options;
    for (let state = grid(); state !== undefined && hasOrders(state) && performance.now() < deadline; state = grid()) {
      if (actions.inFlight === 0) {
        // An ended order may still wait for its fills: fetch them, then ask about what is left.
        await queue.push(recoverFills).catch(() => 0);
        for (const slot of slotsWithOrders(grid()!)) actions.lookup(slot.order!.clientOrderId);
      }
      const round = new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, Math.min(STOP_ROUND_MS, deadline - performance.now()))),
      );
      await Promise.all([round, actions.settled().then(() => queue.drain())]);
    }
  }
}
