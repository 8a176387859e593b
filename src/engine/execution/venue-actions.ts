/**
 * Carries a grid's venue commands out (place, close, cancel, look up), outside the runner's queue,
 * and hands each venue answer back to the runner once (through `VenueAnswers`, which queues it).
 * Orders go out only through OrderExecutor (lock → fenced intent → send; Invariant 1) and only
 * while `placing` allows (Invariant 4); every lookup uses the executor's one lookup policy.
 *
 * A lookup's "the venue does not hold this id" frees or ends a slot, so it is handed on only when
 * it is proof (Invariant 1, docs/reliability.md finding "next cycle placed while the previous one
 * still rested"):
 * - not while a placement of the same id is in flight or settled after the lookup was asked (the
 *   answer predates the acceptance): dropped, the next reconciliation asks again; checked when the
 *   answer arrives and again when the runner applies it, since a slot freed meanwhile may have
 *   placed the same id again (chaos etcd-dynamic seed 20261204: a second "not held" of `S.15.1`
 *   ended its re-placement, and `S.15.2` was placed beside it);
 * - not while a request for the id may still take effect at the venue (`requestValidityMs` after
 *   this runner last sent it, or after its term began for an id an earlier owner sent): asked
 *   again once that has passed, so a late arrival cannot leave the slot's next cycle beside it.
 */
import type { Logger } from 'pino';
import { sleep } from '../../coordination/lock/backoff.js';
import { monotonicNow } from '../../coordination/lock/lease-clock.js';
import { RateLimitedError } from '../../exchange/errors.js';
import type { OrderReport } from '../../exchange/exchange.js';
import type { EngineMetrics } from '../../observability/engine-metrics.js';
import type { GridCommand } from '../../strategy/grid/grid-command.js';
import type { GridEvent } from '../../strategy/grid/grid-event.js';
import { type GridState, slotsWithOrders } from '../../strategy/grid/grid-state.js';
import type { OwnershipLease } from '../../coordination/ownership/symbol-ownership.js';
import type { IntentGate } from './intent-gate.js';
import type { ClosePlacement, OrderExecutor, PlacementOutcome } from './order-executor.js';
import { rejectReason } from './venue-events.js';

/** What the runner does with the venue's answers (each runs in its queue). */
export interface VenueAnswers {
  report(order: OrderReport): Promise<void>;
  event(event: GridEvent): Promise<void>;
  /**
   * The venue answered that it does not hold the id. The answer waits in the runner's queue, and a
   * placement of the same id may begin meanwhile: it is applied only if `stillProof()` holds when
   * its turn comes.
   */
  missing(clientOrderId: string, stillProof: () => boolean): Promise<void>;
  /** Whether an order may go out now; a close also goes out while stopping (close_positions_on_exit). */
  placing(close: boolean): boolean;
  /** The ownership lease placements are fenced by (undefined: none). */
  ownership(): OwnershipLease | undefined;
  /** A placement was refused as rate-limited until `time` (engine clock): wake the grid then. */
  wakeAt(time: number): void;
}

/** The wait after a rate-limited refusal that said nothing of when (a venue's 429 without a readable wait). */
export const RATE_LIMIT_WAIT_MS = 1000;

export interface VenueActionsOptions {
  readonly exchangeName: string;
  readonly symbol: string;
  readonly executor: OrderExecutor;
  readonly cancelOrder: (clientOrderId: string) => Promise<OrderReport>;
  /** ExchangeCapabilities.requestValidityMs of the venue. */
  readonly requestValidityMs: number;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly metrics?: EngineMetrics | undefined;
  readonly answers: VenueAnswers;
  /** Closed while the database cannot record intents (intent-gate.ts); shared by the engine's grids. */
  readonly intents?: IntentGate | undefined;
}

type Placement = Extract<GridCommand, { type: 'PlaceOrder' | 'ClosePosition' }>;

export class VenueActions {
  readonly #options: VenueActionsOptions;
  readonly #inFlight = new Set<Promise<unknown>>();
  /**
   * Placements sent from here, by id: how many are in flight, the `#changes` count at the last
   * start or end (what a lookup compares), and when (monotonic) the id was last sent. Entries are
   * dropped once no request of theirs can still take effect (`#forgetSettled`).
   */
  readonly #placements = new Map<string, { inFlight: number; changedAt: number; sentAt: number }>();
  /** Starts and ends of placements so far. */
  #changes = 0;
  /** Since when ids not sent from here may have been sent by an earlier owner (`beginTerm`). */
  #termStart = monotonicNow();
  /**
   * Ids with a lookup under way (at the venue, queued behind the client's rate limiter, or waiting
   * out a request's validity): asking again meanwhile adds nothing but requests. Reconciliations
   * every few seconds otherwise stacked lookups of the same ids behind the limiter while the budget
   * refused them, and a stop's cancels queued behind the pile (chaos etcd-dynamic seed 20261204).
   */
  readonly #asking = new Set<string>();
  /** Aborts the waits of lookups once the runner ends (`abandon`). */
  readonly #ended = new AbortController();

  constructor(options: VenueActionsOptions) {
    this.#options = options;
  }

  /** The runner's term begins (won or restarted): any earlier owner sent its last request before now. */
  beginTerm(): void {
    this.#termStart = monotonicNow();
  }

  /** The runner ends: lookups waiting out a request's validity stop waiting (and conclude nothing). */
  abandon(): void {
    this.#ended.abort(new Error('runner ended'));
  }

  /** How many actions are still waiting for the venue. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves once every action started so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  /** A decision's venue commands: its limit orders go out as one window (`OrderExecutor.placeWindow`). */
  act(commands: readonly GridCommand[]): void {
    const window: Extract<GridCommand, { type: 'PlaceOrder' }>[] = [];
    for (const command of commands) {
      if (command.type === 'PlaceOrder') window.push(command);
      else if (command.type === 'ClosePosition') this.#track(this.#place([command]));
      else if (command.type === 'CancelOrder') this.cancel(command.clientOrderId, command.reason);
      else if (command.type === 'LookupOrder') this.lookup(command.clientOrderId);
    }
    if (window.length > 0) this.#track(this.#place(window));
  }

  cancel(clientOrderId: string, reason: string): void {
    this.#track(this.#cancel(clientOrderId, reason));
  }

  /** Sends a cancel for each confirmed (NEW or partially filled) working order of the grid; returns how many. */
  cancelConfirmed(state: GridState, reason: string): number {
    const confirmed = slotsWithOrders(state).filter(
      (slot) => slot.order!.status === 'NEW' || slot.order!.status === 'PARTIALLY_FILLED',
    );
    for (const slot of confirmed) this.cancel(slot.order!.clientOrderId, reason);
    return confirmed.length;
  }

  lookup(clientOrderId: string): void {
    this.#track(this.#lookup(clientOrderId));
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.#options.logger.error({ symbol: this.#options.symbol, err: error }, 'venue action failed'),
    );
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  /** One close, or a window of limit orders. */
  async #place(commands: readonly Placement[]): Promise<void> {
    const { answers, executor, clock, symbol } = this.#options;
    const close = commands[0]!.type === 'ClosePosition';
    if (!answers.placing(close)) {
      // Never sent and no intent recorded: the order ends here, its stored row with it (a new id next time).
      for (const command of commands)
        await answers.event({
          type: 'OrderRejected',
          time: clock(),
          clientOrderId: command.clientOrderId,
          reason: 'not-sent',
        });
      return;
    }
    const intents = this.#options.intents;
    if (intents?.held) {
      // Decided before the hold reached this grid: not attempted (no intent, no warning); the slot is free again.
      for (const command of commands)
        await answers.event({
          type: 'UnknownOutcomeResolved',
          time: clock(),
          clientOrderId: command.clientOrderId,
          order: undefined,
        });
      return;
    }
    for (const command of commands) this.#placementChanged(command.clientOrderId, 1);
    let outcomes: PlacementOutcome[];
    try {
      outcomes = await (commands[0]!.type === 'ClosePosition'
        ? executor.place(this.#closePlacement(commands[0]!), answers.ownership()).then((outcome) => [outcome])
        : executor.placeWindow(
            commands.map((command) => ({ symbol, ...(command as Extract<Placement, { type: 'PlaceOrder' }>) })),
            answers.ownership(),
          ));
    } finally {
      for (const command of commands) this.#placementChanged(command.clientOrderId, -1);
      this.#forgetSettled();
    }
    const unavailable = outcomes.find(
      (outcome) => outcome.status === 'skipped' && outcome.reason === 'database-unavailable',
    );
    if (unavailable?.status === 'skipped') intents?.refused(unavailable.error);
    else if (outcomes.some((outcome) => outcome.status !== 'skipped')) intents?.recorded();
    await Promise.all(commands.map((command, index) => this.#settle(command, outcomes[index]!)));
  }

  /** Hands one placement's outcome to the runner. */
  async #settle(command: Placement, outcome: PlacementOutcome): Promise<void> {
    const { answers, metrics, logger, symbol, clock } = this.#options;
    const id = command.clientOrderId;
    metrics?.ordersPlaced.inc({
      exchange: this.#options.exchangeName,
      symbol,
      side: command.type === 'ClosePosition' ? 'SELL' : command.side,
      outcome: outcome.status,
    });
    const time = clock();
    switch (outcome.status) {
      case 'accepted':
        return answers.report(outcome.order);
      case 'rejected': {
        logger.info({ symbol, clientOrderId: id, code: outcome.error.code }, 'order rejected');
        const retryAt =
          outcome.error instanceof RateLimitedError
            ? time + (outcome.error.retryAfterMs ?? RATE_LIMIT_WAIT_MS)
            : undefined;
        const reason = rejectReason(outcome.error);
        await answers.event({ type: 'OrderRejected', time, clientOrderId: id, reason, retryAt });
        if (retryAt !== undefined) answers.wakeAt(retryAt);
        return;
      }
      case 'skipped':
        // Someone recorded this intent already: only the venue can say whether it was sent.
        if (outcome.reason === 'intent-refused') return this.#lookup(id);
        // Not sent at all: the slot is free again.
        return answers.event({ type: 'UnknownOutcomeResolved', time, clientOrderId: id, order: undefined });
      case 'unknown':
        logger.warn({ symbol, clientOrderId: id }, 'order outcome unknown: looked up again later, never sent blindly');
        return answers.event({ type: 'OrderOutcomeUnknown', time, clientOrderId: id });
    }
  }

  #closePlacement(command: Extract<GridCommand, { type: 'ClosePosition' }>): ClosePlacement {
    const { symbol, logger } = this.#options;
    logger.warn(
      { symbol, quantity: command.quantity.toFixed(), clientOrderId: command.clientOrderId },
      'closing the position with a market sell',
    );
    return {
      symbol,
      quantity: command.quantity,
      reduceOnly: command.reduceOnly,
      clientOrderId: command.clientOrderId,
      decidedAt: command.decidedAt,
      sequence: command.sequence,
    };
  }

  async #cancel(clientOrderId: string, reason: string): Promise<void> {
    this.#options.metrics?.ordersCanceled.inc({
      exchange: this.#options.exchangeName,
      symbol: this.#options.symbol,
      reason,
    });
    let report: OrderReport;
    try {
      report = await this.#options.cancelOrder(clientOrderId);
    } catch {
      // Unknown order, or an unknown outcome: the venue's view decides.
      return this.#lookup(clientOrderId);
    }
    await this.#options.answers.report(report);
  }

  async #lookup(clientOrderId: string): Promise<void> {
    if (this.#asking.has(clientOrderId)) return;
    this.#asking.add(clientOrderId);
    try {
      await this.#askVenue(clientOrderId);
    } finally {
      this.#asking.delete(clientOrderId);
    }
  }

  async #askVenue(clientOrderId: string): Promise<void> {
    const { executor, symbol, answers, logger } = this.#options;
    const asked = this.#changes;
    const order = await executor.lookup(symbol, clientOrderId);
    if (order === 'failed')
      logger.warn(
        { symbol, clientOrderId },
        'the venue did not answer a lookup: asked again at the next reconciliation',
      );
    else if (order !== undefined) await answers.report(order);
    else if (this.#placedSince(clientOrderId, asked)) this.#dropCrossed(clientOrderId);
    else {
      const waitMs = this.#mayStillArriveMs(clientOrderId);
      if (waitMs > 0) {
        logger.info(
          { symbol, clientOrderId, waitMs: Math.ceil(waitMs) },
          'the venue does not hold this order yet; asked again once a late request of it can no longer take effect',
        );
        const waited = await sleep(waitMs, this.#ended.signal).then(
          () => true,
          () => false,
        );
        if (waited) await this.#askVenue(clientOrderId);
        return;
      }
      logger.info({ symbol, clientOrderId }, 'the venue does not hold this order');
      await answers.missing(clientOrderId, () => {
        if (!this.#placedSince(clientOrderId, asked)) return true;
        this.#dropCrossed(clientOrderId);
        return false;
      });
    }
  }

  /** Whether a placement of the id is in flight, or started or ended after `asked` (a `#changes` count). */
  #placedSince(clientOrderId: string, asked: number): boolean {
    return this.#placing(clientOrderId) || (this.#placements.get(clientOrderId)?.changedAt ?? 0) > asked;
  }

  #dropCrossed(clientOrderId: string): void {
    this.#options.logger.info(
      { symbol: this.#options.symbol, clientOrderId },
      'a lookup crossed a placement of the same id: its "not held" is dropped, asked again at the next reconciliation',
    );
  }

  #placing(clientOrderId: string): boolean {
    return (this.#placements.get(clientOrderId)?.inFlight ?? 0) > 0;
  }

  #placementChanged(clientOrderId: string, delta: 1 | -1): void {
    const entry = this.#placements.get(clientOrderId) ?? { inFlight: 0, changedAt: 0, sentAt: 0 };
    entry.inFlight += delta;
    entry.changedAt = this.#changes += 1;
    entry.sentAt = monotonicNow();
    this.#placements.set(clientOrderId, entry);
  }

  /** Drops ids settled for longer than a request's validity and a minute (a lookup asked before then has long been answered). */
  #forgetSettled(): void {
    if (this.#placements.size < 256) return;
    const before = monotonicNow() - this.#options.requestValidityMs - 60_000;
    for (const [id, entry] of this.#placements)
      if (entry.inFlight === 0 && entry.sentAt < before) this.#placements.delete(id);
  }

  /** How long a request for the id sent from here (or by an earlier owner) may still take effect at the venue. */
  #mayStillArriveMs(clientOrderId: string): number {
    const lastSent = this.#placements.get(clientOrderId)?.sentAt ?? this.#termStart;
    return lastSent + this.#options.requestValidityMs - monotonicNow();
  }
}
