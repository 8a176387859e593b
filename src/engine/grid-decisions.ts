/**
 * Decide, store, then act: every event reaches the pure grid here, one at a time (the runner's
 * SerialQueue). The decision is stored first (persistence/decision-store.ts: Invariant 2, a fill
 * applied only when the store said it was new); the grid takes the new state only once it is stored;
 * then its commands go to the venue (execution/venue-actions.ts), its booked trades to the metrics,
 * and a pause to the log (and a `position-drift` alert).
 */
import type { Logger } from 'pino';
import type { Fill } from '../domain/fill.js';
import type { OrderReport } from '../exchange/exchange.js';
import type { AlertNotifier } from '../observability/alert-notifier.js';
import type { EngineMetrics } from '../observability/engine-metrics.js';
import type { Database, WriteFence } from '../storage/database.js';
import { DatabaseUnavailableError } from '../storage/errors.js';
import type { EventRecord } from '../storage/records.js';
import { decide } from '../strategy/grid/decide.js';
import type { GridCommand } from '../strategy/grid/grid-command.js';
import type { GridEvent } from '../strategy/grid/grid-event.js';
import type { GridIdentity, GridState } from '../strategy/grid/grid-state.js';
import { SeenReports } from './execution/seen-reports.js';
import { reportEvent } from './execution/venue-events.js';
import { type DecisionRecords, DecisionStore } from './persistence/decision-store.js';
import { reportRecord } from './persistence/order-records.js';
import { missingOrderResolution } from './reconciliation/missing-order.js';

/** What became of a fill: applied (new), known (stored before), or undecided (the database was down). */
export type FillOutcome = 'applied' | 'known' | 'undecided';

export interface GridDecisionsOptions {
  readonly identity: GridIdentity;
  readonly database: Database;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly clock: () => number;
  readonly metrics?: EngineMetrics | undefined;
  /** Where a position drift is alerted (`position-drift`); logged only without it. */
  readonly alerts?: AlertNotifier | undefined;
  /** The owner's fence every decision is stored under (undefined where nothing owns symbols). */
  readonly fence: () => WriteFence | undefined;
  /** Sends the venue commands of a stored decision (its placements together: a window goes out at once). */
  readonly act: (commands: readonly GridCommand[]) => void;
  /** Stopped or released: nothing more is applied, stored or sent. */
  readonly ended: () => boolean;
  /** The store failed: what the venue did may be ahead of what is stored. */
  readonly fault: (error: unknown) => void;
}

export class GridDecisions {
  readonly #options: GridDecisionsOptions;
  readonly #reports = new SeenReports();
  #grid: GridState | undefined;
  #store: DecisionStore | undefined;
  /** Set by `apply` when a fill's save could not tell whether it was new (events run one at a time). */
  #undecidedFill = false;

  constructor(options: GridDecisionsOptions) {
    this.#options = options;
  }

  get state(): GridState | undefined {
    return this.#grid;
  }

  /** The grid as loaded from the store: decisions start from it. */
  load(grid: GridState): void {
    this.#store = new DecisionStore(this.#options.database, grid, this.#options.fence);
    this.#grid = grid;
  }

  /** A grid changed outside a decision, already stored (cycles advanced at start). */
  replace(grid: GridState): void {
    this.#grid = grid;
  }

  /** Resolves whether the decision was applied (false: ended, or its fill was stored before). */
  async apply(event: GridEvent, stored: DecisionRecords = {}): Promise<boolean> {
    const { ended, fault, logger, identity } = this.#options;
    if (this.#grid === undefined || ended()) return false;
    const before = this.#grid;
    const decision = decide(before, event);
    try {
      if (!(await this.#store!.store(before, event, decision, this.eventBase(), stored))) return false;
    } catch (error) {
      if (error instanceof DatabaseUnavailableError && stored.fill !== undefined) {
        // Nobody can tell whether this fill is new while the database is down (docs/storage.md): not
        // applied and not stored; the venue keeps it and fill recovery offers it again.
        logger.warn(
          { symbol: identity.symbol, tradeId: stored.fill.tradeId },
          'fill not applied yet: the database must say whether it is new',
        );
        this.#undecidedFill = true;
        return false;
      }
      // What the venue did may be ahead of what is stored: stop placing until the runner starts again.
      fault(error);
      throw error;
    }
    if (ended()) return false;
    this.#grid = decision.state;
    for (const id of decision.foreign)
      logger.debug({ symbol: identity.symbol, clientOrderId: id }, 'update for an order this grid did not issue');
    const venue: GridCommand[] = [];
    for (const command of decision.commands) {
      if (command.type === 'BookTrade') this.#options.metrics?.trades.inc(this.#labels());
      else if (command.type === 'PauseSymbol') this.#paused(command.reason, command.message);
      else venue.push(command);
    }
    if (venue.length > 0) this.#options.act(venue);
    return true;
  }

  /** `undecided`: the database could not say whether the fill is new; fill recovery must offer it again. */
  async applyFill(fill: Fill): Promise<FillOutcome> {
    this.#undecidedFill = false;
    const applied = await this.apply({ type: 'OrderFilled', time: fill.time, fill }, { fill });
    if (applied) this.#options.metrics?.fills.inc({ ...this.#labels(), side: fill.side });
    return applied ? 'applied' : this.#undecidedFill ? 'undecided' : 'known';
  }

  /** Stores and applies a venue report, unless it is the very report last applied for its order. */
  async applyReport(order: OrderReport): Promise<void> {
    if (this.#options.ended() || this.#reports.seen(order)) return;
    await this.#options.database.saveOrder(reportRecord(this.#options.identity.exchange, order, this.#grid?.idFormat));
    if (await this.apply(reportEvent(order, order.updatedAt))) this.#reports.applied(order);
  }

  /** The venue does not hold the id (reconciliation/missing-order.ts). */
  async resolveMissing(clientOrderId: string): Promise<void> {
    const resolution = missingOrderResolution(this.#grid, clientOrderId, this.#options.clock(), this.eventBase());
    await this.apply(resolution.event, resolution);
  }

  eventBase(): Omit<EventRecord, 'type' | 'details'> {
    const { clock, instanceId, identity } = this.#options;
    return { time: clock(), instanceId, exchange: identity.exchange, symbol: identity.symbol };
  }

  #labels(): { exchange: string; symbol: string } {
    return { exchange: this.#options.identity.exchange, symbol: this.#options.identity.symbol };
  }

  #paused(reason: string, message: string): void {
    const { logger, alerts, instanceId, identity, clock } = this.#options;
    logger.warn({ symbol: identity.symbol, reason }, `symbol paused: ${message}`);
    if (reason !== 'position-drift') return;
    alerts?.notify({
      kind: 'position-drift',
      instanceId,
      exchange: identity.exchange,
      symbol: identity.symbol,
      time: new Date(clock()).toISOString(),
      message,
    });
  }
}
