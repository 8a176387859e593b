/**
 * One runner per owned symbol, the per-symbol loop: price, order and fill events go into the pure
 * grid one at a time (SerialQueue); each decision is stored first (persistence/: Invariant 2, a fill
 * applied only when the store said it was new), then its commands go out through execution/ (only
 * through the executor and only while `running`: Invariants 1 and 4); reconciliation/ checks orders,
 * fills and positions against the venue (Invariant 3). Start-up and takeover share one path: load,
 * reconcile, move the slots past the recorded intents, check the account, trade. `release` on a lost
 * lease stops it at once: nothing placed, cancelled or stored afterwards. docs/engine.md has the map.
 */
import type { Logger } from 'pino';
import { type Decimal, ZERO } from '../domain/decimal.js';
import type { Fill } from '../domain/fill.js';
import type { PriceTick } from '../domain/market.js';
import type { Exchange, ExecutionEvent, OrderReport } from '../exchange/exchange.js';
import type { AlertNotifier } from '../observability/alert-notifier.js';
import type { EngineMetrics } from '../observability/engine-metrics.js';
import type { Database } from '../storage/database.js';
import type { EventRecord } from '../storage/records.js';
import { decide } from '../strategy/grid/decide.js';
import type { GridEvent } from '../strategy/grid/grid-event.js';
import type { GridSettings } from '../strategy/grid/grid-settings.js';
import type { GridIdentity, GridState } from '../strategy/grid/grid-state.js';
import type { OwnershipLease } from '../coordination/ownership/symbol-ownership.js';
import type { OrderExecutor } from './execution/order-executor.js';
import { SeenReports } from './execution/seen-reports.js';
import { VenueActions } from './execution/venue-actions.js';
import { reportEvent } from './execution/venue-events.js';
import { type DecisionRecords, DecisionStore } from './persistence/decision-store.js';
import { loadGrid } from './persistence/grid-loader.js';
import { reportRecord } from './persistence/order-records.js';
import { missingOrderResolution } from './reconciliation/missing-order.js';
import { Reconciler } from './reconciliation/reconciler.js';
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

export class SymbolRunner {
  readonly #options: SymbolRunnerOptions;
  readonly #queue = new SerialQueue();
  readonly #reports = new SeenReports();
  readonly #actions: VenueActions;
  readonly #reconciler: Reconciler;
  #grid: GridState | undefined;
  #store: DecisionStore | undefined;
  #lifecycle: RunnerState = 'ready';
  #pendingPrice: PriceTick | undefined;
  /** The ownership lease of this runner's term: every placement is fenced by it (order-executor.ts). */
  #ownership: OwnershipLease | undefined;
  #realizedPnl: Decimal = ZERO;
  #tradeCount = 0;
  #fees: Decimal = ZERO;

  constructor(options: SymbolRunnerOptions) {
    this.#options = options;
    const { exchange, identity, executor, logger, clock, metrics } = options;
    this.#actions = new VenueActions({
      exchangeName: identity.exchange,
      symbol: identity.symbol,
      executor,
      logger,
      clock,
      metrics,
      cancelOrder: (clientOrderId) => exchange.cancelOrder(identity.symbol, { clientOrderId }),
      requestValidityMs: exchange.capabilities.requestValidityMs,
      answers: {
        report: (order) => this.#queue.push(() => this.#applyReport(order)),
        event: async (event) => {
          await this.#queue.push(() => this.#apply(event));
        },
        missing: (clientOrderId) => this.#queue.push(() => this.#resolveMissing(clientOrderId)),
        placing: (close) => this.#lifecycle === 'running' || (close && this.#lifecycle === 'stopping'),
        idFormat: () => this.#grid?.idFormat,
        ownership: () => this.#ownership,
      },
    });
    this.#reconciler = new Reconciler({
      exchange,
      database: options.database,
      symbol: identity.symbol,
      clock,
      logger,
      metrics,
      grid: () => this.#grid,
      replaceGrid: (state) => {
        this.#grid = state;
      },
      apply: (event, stored) => this.#apply(event, stored),
      applyFill: (fill) => this.#applyFill(fill),
      ended: () => this.#ended(),
    });
  }

  get symbol(): string {
    return this.#options.identity.symbol;
  }
  get exchangeName(): string {
    return this.#options.identity.exchange;
  }
  get lifecycle(): RunnerState {
    return this.#lifecycle;
  }
  get state(): GridState | undefined {
    return this.#grid;
  }

  /**
   * Loads the grid and reconciles with the venue before anything is placed; every placement of
   * this term is fenced by `ownership` (absent only where nothing owns symbols: tests, tools).
   */
  async start(ownership?: OwnershipLease): Promise<void> {
    if (this.#lifecycle !== 'ready') return;
    this.#lifecycle = 'starting';
    this.#ownership = ownership;
    this.#actions.beginTerm();
    const { database, identity, clock, logger } = this.#options;
    try {
      this.#grid = await loadGrid(database, identity, clock());
      this.#store = new DecisionStore(database, this.#grid);
      await this.#queue.push(() => this.#reconciler.reconcile('start'));
      await this.#queue.push(() => this.#reconciler.advanceCycles());
      await this.#queue.push(() => this.#reconciler.checkAccount());
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
    this.#actions.abandon();
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
      if (latest !== undefined && this.#lifecycle === 'running')
        await this.#apply({ type: 'PriceUpdated', time: latest.time, price: latest.price });
    });
  }

  onExecution(event: ExecutionEvent): void {
    if (!this.#accepting()) return;
    if (event.type === 'fill') void this.#queue.push(() => this.#applyFill(event.fill));
    else void this.#queue.push(() => this.#applyReport(event.order));
  }

  onMarketPanic(panic: boolean): void {
    if (this.#accepting())
      void this.#queue.push(() => this.#apply({ type: 'MarketPanicChanged', time: this.#options.clock(), panic }));
  }

  /** New grid settings (configuration centre, R7), applied in turn with the other events; refused when price_interval changed. */
  async changeSettings(settings: GridSettings): Promise<void> {
    await this.#queue.push(() =>
      this.#lifecycle === 'running'
        ? this.#apply({ type: 'SettingsChanged', time: this.#options.clock(), settings })
        : Promise.resolve(false),
    );
  }

  /** Operator action: pause the symbol (nothing new is placed; the grid cancels its buys) until `resume`. */
  async pause(message: string): Promise<void> {
    await this.#queue.push(() =>
      this.#lifecycle === 'running'
        ? this.#apply({ type: 'OperatorPaused', time: this.#options.clock(), message })
        : Promise.resolve(false),
    );
  }

  /**
   * Operator action: pauses, then cancels every confirmed working order of the grid (buys and sells),
   * placements in flight once answered; the answers come back as reports the grid applies as usual.
   * Resolves with how many orders were working.
   */
  async cancelOrders(): Promise<number> {
    await this.pause('orders cancelled by an operator');
    await this.#actions.settled();
    return this.#queue.push(async () =>
      this.#lifecycle === 'running' && this.#grid !== undefined
        ? this.#actions.cancelConfirmed(this.#grid, 'operator')
        : 0,
    );
  }

  /** Operator action: resume a paused symbol; resuming a position drift accepts the difference last read (an adjustment event). */
  async resume(): Promise<void> {
    await this.#queue.push(() =>
      this.#apply(
        { type: 'OperatorResumed', time: this.#options.clock() },
        { events: this.#reconciler.acceptDrift(this.#eventBase()) },
      ),
    );
    // A grid paused by the account check needs a fresh check before it places anything.
    await this.#queue.push(() => this.#reconciler.checkAccount());
  }

  /** Queues a reconciliation (reconciliation/reconciler.ts). */
  scheduleReconcile(reason: 'periodic' | 'reconnect'): Promise<void> {
    return this.#queue.push(() =>
      this.#lifecycle === 'running' ? this.#reconciler.reconcile(reason) : Promise.resolve(),
    );
  }

  /** Stops within `timeoutMs` (default 10 s) whatever the venue answers (runner-stop.ts); idempotent. */
  async stop(request: StopRequest): Promise<void> {
    if (this.#lifecycle === 'stopped' || this.#lifecycle === 'stopping') return;
    const wasRunning = this.#lifecycle === 'running';
    this.#lifecycle = 'stopping';
    this.#pendingPrice = undefined;
    this.#actions.abandon();
    await new RunnerStop({
      symbol: this.symbol,
      logger: this.#options.logger,
      queue: this.#queue,
      actions: this.#actions,
      grid: () => this.#grid,
      clock: this.#options.clock,
      apply: (event) => this.#apply(event),
      recoverFills: () => this.#reconciler.recoverFills(),
    }).run(request, wasRunning);
    this.#lifecycle = 'stopped';
  }

  summary(): SymbolSummary {
    return summarise({
      exchange: this.exchangeName,
      symbol: this.symbol,
      lifecycle: this.#lifecycle,
      grid: this.#grid,
      realizedPnl: this.#realizedPnl,
      fees: this.#fees,
      tradeCount: this.#tradeCount,
    });
  }

  /** Prices only reach a running grid; venue answers also reach a starting or stopping one. */
  #accepting(): boolean {
    return this.#lifecycle === 'running' || this.#lifecycle === 'starting' || this.#lifecycle === 'stopping';
  }

  async #applyFill(fill: Fill): Promise<boolean> {
    const applied = await this.#apply({ type: 'OrderFilled', time: fill.time, fill }, { fill });
    if (applied)
      this.#options.metrics?.fills.inc({ exchange: this.exchangeName, symbol: this.symbol, side: fill.side });
    return applied;
  }

  /** Stores and applies a venue report, unless it is the very report last applied for its order. */
  async #applyReport(order: OrderReport): Promise<void> {
    if (this.#ended() || this.#reports.seen(order)) return;
    await this.#options.database.saveOrder(reportRecord(this.exchangeName, order, this.#grid?.idFormat));
    if (await this.#apply(reportEvent(order, order.updatedAt))) this.#reports.applied(order);
  }

  /** The venue does not hold the id (reconciliation/missing-order.ts). */
  async #resolveMissing(clientOrderId: string): Promise<void> {
    const resolution = missingOrderResolution(this.#grid, clientOrderId, this.#options.clock(), this.#eventBase());
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
    try {
      if (!(await this.#store!.store(before, event, decision, this.#eventBase(), stored))) return false;
    } catch (error) {
      // What the venue did may be ahead of what is stored: stop placing until a restart reconciles.
      this.#fault(error);
      throw error;
    }
    if (this.#ended()) return false;
    this.#grid = decision.state;
    for (const id of decision.foreign)
      this.#options.logger.debug(
        { symbol: this.symbol, clientOrderId: id },
        'update for an order this grid did not issue',
      );
    for (const command of decision.commands) {
      if (command.type === 'BookTrade') this.#booked(command.trade.realizedPnl, command.trade.fees);
      else if (command.type === 'PauseSymbol') this.#paused(command.reason, command.message);
      else this.#actions.act(command);
    }
    return true;
  }

  #booked(realizedPnl: Decimal, fees: Decimal): void {
    this.#realizedPnl = this.#realizedPnl.add(realizedPnl);
    this.#fees = this.#fees.add(fees);
    this.#tradeCount += 1;
    this.#options.metrics?.trades.inc({ exchange: this.exchangeName, symbol: this.symbol });
  }

  #paused(reason: string, message: string): void {
    this.#options.logger.warn({ symbol: this.symbol, reason }, `symbol paused: ${message}`);
    if (reason !== 'position-drift') return;
    this.#options.alerts?.notify({
      kind: 'position-drift',
      instanceId: this.#options.instanceId,
      exchange: this.exchangeName,
      symbol: this.symbol,
      time: new Date(this.#options.clock()).toISOString(),
      message,
    });
  }

  #eventBase(): Omit<EventRecord, 'type' | 'details'> {
    return {
      time: this.#options.clock(),
      instanceId: this.#options.instanceId,
      exchange: this.exchangeName,
      symbol: this.symbol,
    };
  }

  /** Stopped or released: nothing more is applied, stored or sent. */
  #ended(): boolean {
    return this.#lifecycle === 'stopped';
  }

  #fault(error: unknown): void {
    this.#lifecycle = 'faulted';
    this.#options.logger.error(
      { symbol: this.symbol, err: error },
      'symbol runner faulted: no new orders until restart',
    );
  }
}
