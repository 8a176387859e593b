/**
 * One runner per owned symbol: the per-symbol loop. It feeds price, order and fill events into the
 * pure grid one at a time (SerialQueue) and hands the grid's commands to execution/ (VenueActions →
 * OrderExecutor), each decision stored first by persistence/ and the venue checked by
 * reconciliation/ (the grid decides; the engine acts). docs/engine.md maps each invariant.
 *
 * - Invariant 2: a fill is saved first in its decision's transaction and the grid takes the decision
 *   only when the store said the fill was new; no set of applied fills is kept in memory.
 * - Invariant 1 and 4: orders go out only through the executor and only while the runner is
 *   `running` (a stopping runner sends only the close of close_positions_on_exit); `release` on a
 *   lost lease stops it at once: nothing placed, cancelled or stored afterwards.
 * - Invariant 3: every reconciliation also compares the venue's position with the grid's.
 * - Start-up and takeover share one path: load, reconcile, move the slots past the recorded
 *   intents, check the account, then trade.
 */
import type { Logger } from 'pino';
import { type Decimal, ZERO } from '../domain/decimal.js';
import type { Fill } from '../domain/fill.js';
import type { PriceTick } from '../domain/market.js';
import type { Exchange, ExecutionEvent, OrderReport } from '../exchange/exchange.js';
import type { AlertNotifier } from '../observability/alert-notifier.js';
import type { EngineMetrics } from '../observability/engine-metrics.js';
import type { Database } from '../storage/database.js';
import type { EventRecord, OrderRecord } from '../storage/records.js';
import { decide } from '../strategy/grid/decide.js';
import { InvalidGridRecordError } from '../strategy/grid/errors.js';
import type { GridEvent } from '../strategy/grid/grid-event.js';
import type { GridSettings } from '../strategy/grid/grid-settings.js';
import type { GridIdentity, GridState } from '../strategy/grid/grid-state.js';
import type { OrderExecutor } from './execution/order-executor.js';
import { SeenReports } from './execution/seen-reports.js';
import { VenueActions } from './execution/venue-actions.js';
import { reportEvent, toVenueOrder } from './execution/venue-events.js';
import { decisionEvents, storeDecision } from './persistence/decision-store.js';
import { advancePastRecordedIntents, loadGrid, persistGrid, storeAnchor } from './persistence/grid-loader.js';
import { endedOrderRecord, reportRecord } from './persistence/order-records.js';
import { recoverFills } from './reconciliation/fill-recovery.js';
import { missingOrderResolution } from './reconciliation/missing-order.js';
import { driftAdjustment, venuePosition } from './reconciliation/venue-position.js';
import { SerialQueue } from './serial-queue.js';
import { RunnerStop, type StopRequest } from './runner-stop.js';
import { summarise, type SymbolSummary } from './symbol-summary.js';

export type RunnerState = 'ready' | 'starting' | 'running' | 'stopping' | 'stopped' | 'faulted';

export interface SymbolRunnerOptions {
  readonly identity: GridIdentity;
  readonly exchange: Exchange;
  readonly database: Database;
  readonly executor: OrderExecutor;
  readonly logger: Logger;
  readonly instanceId: string;
  readonly clock: () => number;
  readonly metrics?: EngineMetrics | undefined;
  /** Where a position drift is alerted (`position-drift`); logged only without it. */
  readonly alerts?: AlertNotifier | undefined;
}

/** What a decision stores beside what the grid's commands name. */
interface DecisionRecords {
  /** The fill that caused it: saved first, and the decision is applied only when the fill was new. */
  readonly fill?: Fill | undefined;
  /** Details added to the decision's `reconciliation` event. */
  readonly reconciliation?: Record<string, unknown> | undefined;
  readonly orders?: readonly OrderRecord[] | undefined;
  readonly events?: readonly EventRecord[] | undefined;
}

export class SymbolRunner {
  readonly #options: SymbolRunnerOptions;
  readonly #queue = new SerialQueue();
  readonly #reports = new SeenReports();
  readonly #actions: VenueActions;
  #grid: GridState | undefined;
  /** The grid record (anchor) is stored; until then the first lattice is written before anything else. */
  #anchorStored = false;
  #lifecycle: RunnerState = 'ready';
  #pendingPrice: PriceTick | undefined;
  #realizedPnl: Decimal = ZERO;
  #tradeCount = 0;
  /** The venue's position at the last conclusive check, for an operator resume to accept. */
  #lastVenuePosition: Decimal | undefined;
  /** A drift an operator accepted by resuming: the venue's position is compared net of it. */
  #acceptedDrift: Decimal = ZERO;

  constructor(options: SymbolRunnerOptions) {
    this.#options = options;
    const { exchange, identity, executor, logger, clock, metrics } = options;
    this.#actions = new VenueActions({
      exchangeName: identity.exchange, symbol: identity.symbol, executor, logger, clock, metrics,
      cancelOrder: (clientOrderId) => exchange.cancelOrder(identity.symbol, { clientOrderId }),
      answers: {
        report: (order) => this.#queue.push(() => this.#applyReport(order)),
        event: async (event) => { await this.#queue.push(() => this.#apply(event)); },
        missing: (clientOrderId) => this.#queue.push(() => this.#resolveMissing(clientOrderId)),
        placing: (close) => this.#lifecycle === 'running' || (close && this.#lifecycle === 'stopping'),
        idFormat: () => this.#grid?.idFormat,
      },
    });
  }

  get symbol(): string { return this.#options.identity.symbol; }
  get exchangeName(): string { return this.#options.identity.exchange; }
  get lifecycle(): RunnerState { return this.#lifecycle; }
  get state(): GridState | undefined { return this.#grid; }

  /** Loads the grid and reconciles with the venue before anything is placed. */
  async start(): Promise<void> {
    if (this.#lifecycle !== 'ready') return;
    this.#lifecycle = 'starting';
    const { database, identity, clock, logger } = this.#options;
    try {
      this.#grid = await loadGrid(database, identity, clock());
      this.#anchorStored = this.#grid.lattice !== undefined;
      await this.#queue.push(() => this.reconcileNow('start'));
      await this.#queue.push(() => this.#advanceCycles());
      await this.#queue.push(() => this.#checkAccount());
      // Released (ownership lost) while starting: stays stopped.
      if (this.#lifecycle !== 'starting') return;
      this.#lifecycle = 'running';
      logger.info({ symbol: this.symbol, anchor: this.#grid.lattice?.anchor.toFixed() }, 'symbol running');
    } catch (error) {
      if (this.#ended()) return;
      this.#fault(error);
      throw error;
    }
  }

  /** Ownership lost (Invariant 4): stops acting at once; answers still in flight are dropped. A released runner does not start again. */
  release(): void {
    this.#lifecycle = 'stopped';
    this.#pendingPrice = undefined;
  }

  /** Price ticks are coalesced: while one is queued, a newer one replaces it. */
  onPrice(tick: PriceTick): void {
    if (this.#lifecycle !== 'running') return;
    const queued = this.#pendingPrice !== undefined;
    this.#pendingPrice = tick;
    if (queued) return;
    void this.#queue.push(async () => {
      const latest = this.#pendingPrice;
      this.#pendingPrice = undefined;
      if (latest !== undefined && this.#lifecycle === 'running') await this.#apply({ type: 'PriceUpdated', time: latest.time, price: latest.price });
    });
  }

  onExecution(event: ExecutionEvent): void {
    if (!this.#accepting()) return;
    if (event.type === 'fill') void this.#queue.push(() => this.#applyFill(event.fill));
    else void this.#queue.push(() => this.#applyReport(event.order));
  }

  onMarketPanic(panic: boolean): void {
    if (this.#accepting()) void this.#queue.push(() => this.#apply({ type: 'MarketPanicChanged', time: this.#options.clock(), panic }));
  }

  /** New grid settings (configuration centre, R7), applied in turn with the other events; refused when price_interval changed. */
  async changeSettings(settings: GridSettings): Promise<void> {
    await this.#queue.push(() => (this.#lifecycle === 'running' ? this.#apply({ type: 'SettingsChanged', time: this.#options.clock(), settings }) : Promise.resolve(false)));
  }

  /** Operator action: resume a paused symbol; resuming a position drift accepts the difference last read (an adjustment event). */
  async resume(): Promise<void> {
    const accepted = driftAdjustment(this.#grid, this.#lastVenuePosition, this.#eventBase());
    if (accepted !== undefined) this.#acceptedDrift = accepted.adjustment;
    await this.#queue.push(() => this.#apply({ type: 'OperatorResumed', time: this.#options.clock() }, { events: accepted === undefined ? [] : [accepted.event] }));
    // A grid paused by the account check needs a fresh check before it places anything.
    await this.#queue.push(() => this.#checkAccount());
  }

  /**
   * Reconciliation (start, takeover, periodic): applies unseen fills from the venue's cursor once,
   * reports the venue's open orders so the grid adopts, repairs or looks up each, and reports the
   * venue's position when it did not move meanwhile (Invariant 3). Must run inside the queue.
   */
  async reconcileNow(reason: 'start' | 'periodic' | 'reconnect'): Promise<void> {
    const { exchange, database, clock, metrics } = this.#options;
    const labels = { exchange: this.exchangeName, symbol: this.symbol };
    try {
      const positionBefore = await venuePosition(exchange, this.symbol);
      const applied = await recoverFills({ exchange, database, symbol: this.symbol, clock, applyFill: (fill) => this.#applyFill(fill), ended: () => this.#ended() });
      const open = await exchange.openOrders(this.symbol);
      if (this.#ended()) return;
      for (const order of open) await database.saveOrder(reportRecord(this.exchangeName, order, this.#grid?.idFormat));
      await this.#apply({ type: 'OpenOrdersReported', time: clock(), orders: open.map(toVenueOrder) }, { reconciliation: { reason, fillsApplied: applied } });
      const positionAfter = await venuePosition(exchange, this.symbol);
      if (positionBefore !== undefined && positionAfter?.eq(positionBefore) === true) {
        this.#lastVenuePosition = positionAfter;
        await this.#apply({ type: 'VenuePositionReported', time: clock(), quantity: positionAfter.sub(this.#acceptedDrift) });
      }
      metrics?.reconciliations.inc({ ...labels, result: applied > 0 ? 'repaired' : 'clean' });
    } catch (error) {
      metrics?.reconciliations.inc({ ...labels, result: 'failed' });
      this.#options.logger.warn({ symbol: this.symbol, reason, err: error }, 'reconciliation failed');
      if (reason === 'start') throw error;
    }
  }

  /** Queues a periodic reconciliation. */
  scheduleReconcile(reason: 'periodic' | 'reconnect'): Promise<void> {
    return this.#queue.push(() => (this.#lifecycle === 'running' ? this.reconcileNow(reason) : Promise.resolve()));
  }

  /** Stops within `timeoutMs` (default 10 s) whatever the venue answers (runner-stop.ts); idempotent. */
  async stop(request: StopRequest): Promise<void> {
    if (this.#lifecycle === 'stopped' || this.#lifecycle === 'stopping') return;
    const wasRunning = this.#lifecycle === 'running';
    this.#lifecycle = 'stopping';
    this.#pendingPrice = undefined;
    await new RunnerStop({
      symbol: this.symbol, logger: this.#options.logger, queue: this.#queue, actions: this.#actions, grid: () => this.#grid, clock: this.#options.clock,
      apply: (event) => this.#apply(event), recoverFills: () => recoverFills({ ...this.#options, symbol: this.symbol, applyFill: (fill) => this.#applyFill(fill), ended: () => this.#ended() }),
    }).run(request, wasRunning);
    this.#lifecycle = 'stopped';
  }

  summary(): SymbolSummary {
    return summarise({ exchange: this.exchangeName, symbol: this.symbol, lifecycle: this.#lifecycle, grid: this.#grid, realizedPnl: this.#realizedPnl, tradeCount: this.#tradeCount });
  }

  /** Prices only reach a running grid; venue answers also reach a starting or stopping one. */
  #accepting(): boolean {
    return this.#lifecycle === 'running' || this.#lifecycle === 'starting' || this.#lifecycle === 'stopping';
  }

  async #applyFill(fill: Fill): Promise<boolean> {
    const applied = await this.#apply({ type: 'OrderFilled', time: fill.time, fill }, { fill });
    if (applied) this.#options.metrics?.fills.inc({ exchange: this.exchangeName, symbol: this.symbol, side: fill.side });
    return applied;
  }

  /** Stores and applies a venue report, unless it is the very report last applied for its order. */
  async #applyReport(order: OrderReport): Promise<void> {
    if (this.#ended() || this.#reports.seen(order)) return;
    await this.#options.database.saveOrder(reportRecord(this.exchangeName, order, this.#grid?.idFormat));
    if (await this.#apply(reportEvent(order, order.updatedAt))) this.#reports.applied(order);
  }

  async #resolveMissing(clientOrderId: string): Promise<void> {
    const resolution = missingOrderResolution(this.#grid, clientOrderId, this.#options.clock(), this.#eventBase());
    if (resolution.orders !== undefined) this.#options.logger.warn({ symbol: this.symbol, clientOrderId }, 'the venue does not know this order: ended as EXPIRED');
    await this.#apply(resolution.event, resolution);
  }

  /**
   * Decides, stores what the decision produced (persistence/decision-store.ts), then acts. The grid
   * takes the new state only once it is stored; with a fill, only when the store said it was new.
   * Resolves whether the decision was applied.
   */
  async #apply(event: GridEvent, stored: DecisionRecords = {}): Promise<boolean> {
    if (this.#grid === undefined || this.#ended()) return false;
    const before = this.#grid;
    const decision = decide(before, event);
    const after = decision.state;
    const ended = endedOrderRecord(before, after, event, this.#options.clock());
    try {
      if (!this.#anchorStored && after.lattice !== undefined) {
        if (!(await storeAnchor(this.#options.database, after))) throw new InvalidGridRecordError(`another instance created ${this.symbol}'s grid with a different anchor; restart to load it`);
        this.#anchorStored = true;
      }
      const written = await storeDecision(this.#options.database, {
        state: after, commands: decision.commands, fill: stored.fill,
        orders: [...(ended === undefined ? [] : [ended]), ...(stored.orders ?? [])],
        events: [...decisionEvents(decision.commands, this.#eventBase(), stored.reconciliation), ...(stored.events ?? [])],
      });
      if (!written) return false;
    } catch (error) {
      // What the venue did may be ahead of what is stored: stop placing until a restart reconciles.
      this.#fault(error);
      throw error;
    }
    if (this.#ended()) return false;
    this.#grid = after;
    for (const id of decision.foreign) this.#options.logger.debug({ symbol: this.symbol, clientOrderId: id }, 'update for an order this grid did not issue');
    for (const command of decision.commands) {
      if (command.type === 'BookTrade') this.#booked(command.trade.realizedPnl);
      else if (command.type === 'PauseSymbol') this.#paused(command.reason, command.message);
      else this.#actions.act(command);
    }
    return true;
  }

  #paused(reason: string, message: string): void {
    this.#options.logger.warn({ symbol: this.symbol, reason }, `symbol paused: ${message}`);
    if (reason !== 'position-drift') return;
    this.#options.alerts?.notify({ kind: 'position-drift', instanceId: this.#options.instanceId, exchange: this.exchangeName, symbol: this.symbol, time: new Date(this.#options.clock()).toISOString(), message });
  }

  #booked(realizedPnl: Decimal): void {
    this.#realizedPnl = this.#realizedPnl.add(realizedPnl);
    this.#tradeCount += 1;
    this.#options.metrics?.trades.inc({ exchange: this.exchangeName, symbol: this.symbol });
  }

  #eventBase(): Omit<EventRecord, 'type' | 'details'> {
    return { time: this.#options.clock(), instanceId: this.#options.instanceId, exchange: this.exchangeName, symbol: this.symbol };
  }

  /** After the start reconciliation (which adopts by the stored cycles): no id of an earlier owner is built again. */
  async #advanceCycles(): Promise<void> {
    if (this.#grid === undefined || this.#ended()) return;
    const advanced = await advancePastRecordedIntents(this.#options.database, this.#grid, this.#options.clock());
    if (advanced.levels.length === 0 || this.#ended()) return;
    this.#grid = advanced.state;
    await persistGrid(this.#options.database, advanced.state, false, advanced.levels);
    this.#options.logger.info({ symbol: this.symbol, levels: advanced.levels }, 'slots moved past the cycles of recorded intents');
  }

  async #checkAccount(): Promise<void> {
    const { exchange, clock } = this.#options;
    const balances = await exchange.balances();
    const positions = exchange.capabilities.positions ? await exchange.positions([this.symbol]) : [];
    const available = balances.find((balance) => balance.asset === this.#grid!.market.quote)?.free ?? ZERO;
    const leverage = positions.find((position) => position.symbol === this.symbol)?.leverage ?? 1;
    await this.#apply({ type: 'AccountChecked', time: clock(), availableBalance: available, leverage });
  }

  /** Stopped or released: nothing more is applied, stored or sent. */
  #ended(): boolean {
    return this.#lifecycle === 'stopped';
  }

  #fault(error: unknown): void {
    this.#lifecycle = 'faulted';
    this.#options.logger.error({ symbol: this.symbol, err: error }, 'symbol runner faulted: no new orders until restart');
  }
}
