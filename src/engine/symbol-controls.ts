/**
 * What an operator (or the configuration centre) does to a running symbol: pause, resume, cancel its
 * orders, change its settings. Each goes through the runner's queue like any other event, so it is
 * decided, stored and acted on in turn (grid-decisions.ts); nothing here talks to the venue directly.
 */
import type { GridSettings } from '../strategy/grid/grid-settings.js';
import { workingOrders } from './symbol-summary.js';
import type { VenueActions } from './execution/venue-actions.js';
import type { GridDecisions } from './grid-decisions.js';
import type { Reconciler } from './reconciliation/reconciler.js';
import type { SerialQueue } from './serial-queue.js';

export interface SymbolControlsOptions {
  readonly queue: SerialQueue;
  readonly decisions: GridDecisions;
  readonly actions: VenueActions;
  readonly reconciler: Reconciler;
  readonly clock: () => number;
  /** Whether the runner is running (operator actions reach only a running grid). */
  readonly running: () => boolean;
}

export class SymbolControls {
  readonly #options: SymbolControlsOptions;

  constructor(options: SymbolControlsOptions) {
    this.#options = options;
  }

  /** New grid settings (configuration centre, R7); refused by the grid when price_interval changed. */
  async changeSettings(settings: GridSettings): Promise<void> {
    await this.#whileRunning(
      () => this.#options.decisions.apply({ type: 'SettingsChanged', time: this.#options.clock(), settings }),
      false,
    );
  }

  /** Pause the symbol (nothing new is placed; the grid cancels its buys) until `resume`. */
  async pause(message: string): Promise<void> {
    await this.#whileRunning(
      () => this.#options.decisions.apply({ type: 'OperatorPaused', time: this.#options.clock(), message }),
      false,
    );
  }

  /**
   * Pauses, then cancels every working order (in-flight ones once answered); resolves how many were
   * working when asked (the pause itself already cancels the buys).
   */
  async cancelOrders(): Promise<number> {
    const { actions, decisions } = this.#options;
    const working = decisions.state === undefined ? 0 : workingOrders(decisions.state).length;
    await this.pause('orders cancelled by an operator');
    await actions.settled();
    await this.#whileRunning(async () => {
      if (decisions.state !== undefined) await actions.cancelConfirmed(decisions.state, 'operator');
    }, undefined);
    return working;
  }

  /** Resume a paused symbol; resuming a position drift accepts the difference last read (an adjustment event). */
  async resume(): Promise<void> {
    const { queue, decisions, reconciler, clock } = this.#options;
    await queue.push(() =>
      decisions.apply(
        { type: 'OperatorResumed', time: clock() },
        { events: reconciler.acceptDrift(decisions.eventBase()) },
      ),
    );
    // A grid paused by the account check needs a fresh check before it places anything.
    await queue.push(() => reconciler.checkAccount());
  }

  /** Runs the action in turn with the runner's other events, if the runner is still running by then. */
  #whileRunning<T>(action: () => Promise<T>, otherwise: T): Promise<T> {
    return this.#options.queue.push(() => (this.#options.running() ? action() : Promise.resolve(otherwise)));
  }
}
