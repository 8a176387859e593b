/**
 * Carries a grid's venue commands out (place, close, cancel, look up), outside the runner's queue,
 * and hands each venue answer back to the runner once (through `VenueAnswers`, which queues it).
 * Orders go out only through OrderExecutor (lock → fenced intent → send; Invariant 1) and only
 * while `placing` allows (Invariant 4); every lookup uses the executor's one lookup policy.
 */
import type { Logger } from 'pino';
import type { OrderReport } from '../../exchange/exchange.js';
import type { EngineMetrics } from '../../observability/engine-metrics.js';
import { type ClientOrderIdFormat, parseClientOrderId } from '../../strategy/grid/client-order-id.js';
import type { GridCommand } from '../../strategy/grid/grid-command.js';
import type { GridEvent } from '../../strategy/grid/grid-event.js';
import { type GridState, slotsWithOrders } from '../../strategy/grid/grid-state.js';
import type { OwnershipLease } from '../../coordination/ownership/symbol-ownership.js';
import type { ClosePlacement, OrderExecutor } from './order-executor.js';
import { rejectReason } from './venue-events.js';

/** What the runner does with the venue's answers (each runs in its queue). */
export interface VenueAnswers {
  report(order: OrderReport): Promise<void>;
  event(event: GridEvent): Promise<void>;
  /** The venue answered that it does not hold the id. */
  missing(clientOrderId: string): Promise<void>;
  /** Whether an order may go out now; a close also goes out while stopping (close_positions_on_exit). */
  placing(close: boolean): boolean;
  idFormat(): ClientOrderIdFormat | undefined;
  /** The ownership lease placements are fenced by (undefined: none). */
  ownership(): OwnershipLease | undefined;
}

export interface VenueActionsOptions {
  readonly exchangeName: string;
  readonly symbol: string;
  readonly executor: OrderExecutor;
  readonly cancelOrder: (clientOrderId: string) => Promise<OrderReport>;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly metrics?: EngineMetrics | undefined;
  readonly answers: VenueAnswers;
}

type Placement = Extract<GridCommand, { type: 'PlaceOrder' | 'ClosePosition' }>;

export class VenueActions {
  readonly #options: VenueActionsOptions;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: VenueActionsOptions) {
    this.#options = options;
  }

  /** How many actions are still waiting for the venue. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves once every action started so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  act(command: GridCommand): void {
    if (command.type === 'PlaceOrder' || command.type === 'ClosePosition') this.#track(this.#place(command));
    else if (command.type === 'CancelOrder') this.cancel(command.clientOrderId, command.reason);
    else if (command.type === 'LookupOrder') this.lookup(command.clientOrderId);
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

  async #place(command: Placement): Promise<void> {
    const { answers, executor, metrics, logger, symbol, clock } = this.#options;
    const close = command.type === 'ClosePosition';
    const id = command.clientOrderId;
    if (!answers.placing(close)) {
      // Never sent and no intent recorded: the order ends here, its stored row with it (a new id next time).
      await answers.event({ type: 'OrderRejected', time: clock(), clientOrderId: id, reason: 'not-sent' });
      return;
    }
    const outcome = await executor.place(
      close ? this.#closePlacement(command) : { symbol, ...command },
      answers.ownership(),
    );
    metrics?.ordersPlaced.inc({
      exchange: this.#options.exchangeName,
      symbol,
      side: close ? 'SELL' : command.side,
      outcome: outcome.status,
    });
    const time = clock();
    switch (outcome.status) {
      case 'accepted':
        return answers.report(outcome.order);
      case 'rejected':
        logger.info({ symbol, clientOrderId: id, code: outcome.error.code }, 'order rejected');
        return answers.event({ type: 'OrderRejected', time, clientOrderId: id, reason: rejectReason(outcome.error) });
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
    const { symbol, logger, answers } = this.#options;
    const decision = parseClientOrderId(command.clientOrderId, answers.idFormat())!;
    logger.warn(
      { symbol, quantity: command.quantity.toFixed(), clientOrderId: command.clientOrderId },
      'closing the position with a market sell',
    );
    return {
      symbol,
      quantity: command.quantity,
      reduceOnly: command.reduceOnly,
      clientOrderId: command.clientOrderId,
      decidedAt: decision.level,
      sequence: decision.cycle,
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
    const { executor, symbol, answers, logger } = this.#options;
    const order = await executor.lookup(symbol, clientOrderId);
    if (order === 'failed')
      logger.warn(
        { symbol, clientOrderId },
        'the venue did not answer a lookup: asked again at the next reconciliation',
      );
    else if (order === undefined) {
      logger.info({ symbol, clientOrderId }, 'the venue does not hold this order');
      await answers.missing(clientOrderId);
    } else await answers.report(order);
  }
}
