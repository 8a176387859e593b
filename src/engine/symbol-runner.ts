/**
 * One runner per owned symbol: feeds price, order and fill events into the pure grid and carries
 * its commands out through the ports (the grid decides; the engine acts).
 *
 * Invariants kept here:
 * - events are applied one at a time (SerialQueue); the state advances synchronously on each
 *   decision, so a slot marked PENDING_NEW is never given a second order while the first is in flight;
 * - every venue fill is applied to the grid exactly once: a fill whose trade id was already applied
 *   is dropped, and a fill is stored in the same transaction as the grid state it produced
 *   (Invariant 2), so after a crash the stored state and the stored fills agree;
 * - orders (grid orders and closes) go out only through OrderExecutor (lock → fenced intent → send;
 *   Invariant 1) and only while the runner is `running` (Invariant 4: a stopping or faulted runner
 *   places nothing but the close of close_positions_on_exit);
 * - a runner runs only while its instance owns the symbol (the engine starts it on winning the
 *   ownership lease); `release` on a lost lease stops it at once: nothing placed, cancelled or
 *   stored afterwards, since the new owner manages the grid's orders and records;
 * - start-up and takeover share one path: load, reconcile with the venue, move the slots past the
 *   recorded intents (advance-cycles.ts), then trade.
 */
import type { Logger } from 'pino';
import { type Decimal, ZERO } from '../domain/decimal.js';
import type { Fill } from '../domain/fill.js';
import { isWorking } from '../domain/order.js';
import type { PriceTick } from '../domain/market.js';
import type { Exchange, ExecutionEvent, OrderReport } from '../exchange/exchange.js';
import type { EngineMetrics } from '../observability/engine-metrics.js';
import type { Database, DatabaseOperations } from '../storage/database.js';
import type { EventRecord } from '../storage/records.js';
import type { GridCommand } from '../strategy/grid/grid-command.js';
import type { GridEvent } from '../strategy/grid/grid-event.js';
import type { GridSettings } from '../strategy/grid/grid-settings.js';
import { type GridIdentity, type GridState, slotsWithOrders } from '../strategy/grid/grid-state.js';
import { hasOrders } from '../strategy/grid/stop-grid.js';
import { decide } from '../strategy/grid/decide.js';
import { parseClientOrderId } from '../strategy/grid/client-order-id.js';
import { advancePastRecordedIntents, endedOrderRecord, loadGrid, persistGrid, storeAnchor } from './grid-loader.js';
import { InvalidGridRecordError } from '../strategy/grid/errors.js';
import type { ClosePlacement, OrderExecutor } from './order-executor.js';
import { SerialQueue } from './serial-queue.js';
import { summarise, type SymbolSummary } from './symbol-summary.js';
import { rejectReason, reportEvent, toVenueOrder } from './venue-events.js';

/** How many order ids the duplicate-report filter remembers. */
const LAST_REPORTS_KEPT = 1_000;

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
}

export class SymbolRunner {
  readonly #options: SymbolRunnerOptions;
  readonly #queue = new SerialQueue();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #appliedFills = new Set<string>();
  /** Last report applied per client order id (status, filled quantity, venue id), to drop repeats. */
  readonly #lastReports = new Map<string, string>();
  #grid: GridState | undefined;
  /** The grid record (anchor) is stored; until then the first lattice is written before anything else. */
  #anchorStored = false;
  #lifecycle: RunnerState = 'ready';
  #pendingPrice: PriceTick | undefined;
  #realizedPnl: Decimal = ZERO;
  #tradeCount = 0;
  #fees: Decimal = ZERO;

  constructor(options: SymbolRunnerOptions) {
    this.#options = options;
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

  /** Loads the grid and reconciles with the venue before anything is placed. */
  async start(): Promise<void> {
    if (this.#lifecycle !== 'ready') return;
    this.#lifecycle = 'starting';
    const { database, identity, clock, logger } = this.#options;
    try {
      this.#grid = await loadGrid(database, identity, clock());
      this.#anchorStored = this.#grid.lattice !== undefined;
      await this.#seedAppliedFills();
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

  /**
   * Ownership lost (Invariant 4): stops acting at once. Nothing is placed, cancelled or stored from
   * now on and answers still in flight are dropped: the new owner reconciles the grid's orders and
   * fills from the venue. A placement already past its lock check may still reach the venue; its
   * fenced intent and client order id are the layers below. A released runner does not start again.
   */
  release(): void {
    if (this.#lifecycle === 'stopped') return;
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
    if (!this.#accepting()) return;
    void this.#queue.push(() => this.#apply({ type: 'MarketPanicChanged', time: this.#options.clock(), panic }));
  }

  /** New grid settings (configuration centre, R7), applied in turn with the other events; refused when price_interval changed. */
  changeSettings(settings: GridSettings): Promise<void> {
    return this.#queue.push(() => (this.#lifecycle === 'running' ? this.#apply({ type: 'SettingsChanged', time: this.#options.clock(), settings }) : Promise.resolve()));
  }

  /** Operator action: pause the symbol (nothing new is placed; the grid cancels its buys) until `resume`. */
  pause(message: string): Promise<void> {
    return this.#queue.push(() => (this.#lifecycle === 'running' ? this.#apply({ type: 'OperatorPaused', time: this.#options.clock(), message }) : Promise.resolve()));
  }

  /**
   * Operator action: pauses the symbol, then asks the venue to cancel every working order of the
   * grid (buys and sells) that the pause itself did not, those in flight once answered; the answers
   * come back as reports the grid applies as usual. Resolves with how many orders were working.
   */
  async cancelOrders(): Promise<number> {
    const working = this.#grid === undefined ? 0 : slotsWithOrders(this.#grid).filter((slot) => isWorking(slot.order!.status)).length;
    await this.pause('orders cancelled by an operator');
    // Placements already on their way are answered first, so they are cancelled too (paused: no new ones follow).
    await Promise.allSettled([...this.#inFlight]);
    await this.#queue.drain();
    await this.#queue.push(async () => (this.#lifecycle === 'running' ? this.#cancelWorking('operator') : 0));
    return working;
  }

  /** Operator action: resume a paused symbol. */
  async resume(): Promise<void> {
    await this.#queue.push(() => this.#apply({ type: 'OperatorResumed', time: this.#options.clock() }));
    // A grid paused by the account check needs a fresh check before it places anything.
    await this.#queue.push(() => this.#checkAccount());
  }

  /**
   * Reconciliation (start, takeover, periodic): applies unseen fills from the venue's cursor exactly
   * once, then reports the venue's open orders so the grid adopts, repairs or looks up each.
   * Must run inside the queue.
   */
  async reconcileNow(reason: 'start' | 'periodic' | 'reconnect'): Promise<void> {
    const { exchange, database, clock, metrics } = this.#options;
    try {
      const applied = await this.#recoverFills();
      const open = await exchange.openOrders(this.symbol);
      if (this.#ended()) return;
      for (const order of open) await this.#saveReport(database, order);
      await this.#apply({ type: 'OpenOrdersReported', time: clock(), orders: open.map(toVenueOrder) }, { reason, fillsApplied: applied });
      metrics?.reconciliations.inc({ exchange: this.exchangeName, symbol: this.symbol, result: applied > 0 ? 'repaired' : 'clean' });
    } catch (error) {
      metrics?.reconciliations.inc({ exchange: this.exchangeName, symbol: this.symbol, result: 'failed' });
      this.#options.logger.warn({ symbol: this.symbol, reason, err: error }, 'reconciliation failed');
      if (reason === 'start') throw error;
    }
  }

  /** Queues a periodic reconciliation. */
  scheduleReconcile(reason: 'periodic' | 'reconnect'): Promise<void> {
    return this.#queue.push(() => (this.#lifecycle === 'running' ? this.reconcileNow(reason) : Promise.resolve()));
  }

  /**
   * Stops the loop first (no more prices, nothing new placed), then lets the grid cancel its own
   * orders (cancel_on_exit) and close its position (close_positions_on_exit), waits until no slot
   * holds an order or `timeoutMs` passes, and applies the last fills. Only the grid's own orders are
   * cancelled, never an operator's. Idempotent.
   */
  async stop(options: { cancelOnExit: boolean; closePositions: boolean; timeoutMs?: number }): Promise<void> {
    if (this.#lifecycle === 'stopped' || this.#lifecycle === 'stopping') return;
    const wasRunning = this.#lifecycle === 'running';
    this.#lifecycle = 'stopping';
    this.#pendingPrice = undefined;
    if (wasRunning && this.#grid !== undefined) {
      const time = this.#options.clock();
      await this.#queue.push(() => this.#apply({ type: 'StopRequested', time, cancelOrders: options.cancelOnExit, closePositions: options.closePositions }));
      if (options.cancelOnExit) await this.#queue.push(async () => this.#cancelUnpriced());
      if (options.cancelOnExit) await this.#ordersGone(options.timeoutMs ?? 15_000);
    }
    await this.#queue.drain();
    await Promise.allSettled([...this.#inFlight]);
    if (wasRunning) await this.#queue.push(() => this.#recoverFills()).catch(() => 0);
    const left = this.#grid === undefined ? [] : slotsWithOrders(this.#grid).map((slot) => `${slot.order!.clientOrderId} ${slot.order!.status}`);
    if (left.length > 0 && options.cancelOnExit) this.#options.logger.warn({ symbol: this.symbol, orders: left }, 'stopped with orders still unaccounted for; the next start reconciles them');
    this.#lifecycle = 'stopped';
  }

  /**
   * The grid cancels on stop as part of its reaction to a price; a runner stopped before its first
   * price after a (re)start has none, so it would wait out the timeout and leave every order working.
   * Then the venue is asked to cancel the grid's confirmed orders directly; the answers come back as
   * reports the grid applies as usual.
   */
  #cancelUnpriced(): void {
    if (this.#grid?.lastPrice === undefined) this.#cancelWorking('stop');
  }

  /** Sends a cancel for each confirmed working order of the grid; returns how many. */
  #cancelWorking(reason: string): number {
    const working = this.#grid === undefined ? [] : slotsWithOrders(this.#grid).filter((slot) => slot.order!.status === 'NEW' || slot.order!.status === 'PARTIALLY_FILLED');
    for (const slot of working) this.#track(this.#cancel(slot.order!.clientOrderId, reason));
    return working.length;
  }

  /**
   * Resolves once the grid holds no order, or after `timeoutMs`. Rounds are at least 500 ms apart:
   * while orders remain and nothing is in flight, each is looked up once per round (a lost cancel
   * answer), never in a tight loop, even when the venue refuses the lookups.
   */
  async #ordersGone(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.#grid !== undefined && hasOrders(this.#grid) && performance.now() < deadline) {
      if (this.#inFlight.size === 0) {
        // An ended order may still wait for its fills: fetch them, then ask about what is left.
        await this.#queue.push(() => this.#recoverFills()).catch(() => 0);
        for (const slot of slotsWithOrders(this.#grid)) this.#track(this.#lookup(slot.order!.clientOrderId));
      }
      const round = new Promise((resolve) => setTimeout(resolve, 500));
      await Promise.all([round, Promise.allSettled([...this.#inFlight]).then(() => this.#queue.drain())]);
    }
  }

  summary(): SymbolSummary {
    return summarise({ exchange: this.exchangeName, symbol: this.symbol, lifecycle: this.#lifecycle, grid: this.#grid, realizedPnl: this.#realizedPnl, fees: this.#fees, tradeCount: this.#tradeCount });
  }

  // --- applying events -----------------------------------------------------------------------

  /** Prices only reach a running grid; venue answers also reach a starting or stopping one. */
  #accepting(): boolean {
    return this.#lifecycle === 'running' || this.#lifecycle === 'starting' || this.#lifecycle === 'stopping';
  }

  /** Applies a fill once (by trade id); must run inside the queue. Resolves whether it was new. */
  async #applyFill(fill: Fill): Promise<boolean> {
    if (this.#appliedFills.has(fill.tradeId) || this.#ended()) return false;
    await this.#apply({ type: 'OrderFilled', time: fill.time, fill }, undefined, fill);
    this.#appliedFills.add(fill.tradeId);
    this.#options.metrics?.fills.inc({ exchange: this.exchangeName, symbol: this.symbol, side: fill.side });
    return true;
  }

  /**
   * Stores and applies a venue report. The same report usually arrives twice (the call's answer and
   * the execution stream): a report identical to the last one applied for its id is dropped.
   */
  async #applyReport(order: OrderReport): Promise<void> {
    if (this.#ended()) return;
    const seen = `${order.status}|${order.filledQuantity.toFixed()}|${order.exchangeOrderId}`;
    if (this.#lastReports.get(order.clientOrderId) === seen) return;
    await this.#saveReport(this.#options.database, order);
    await this.#apply(reportEvent(order, order.updatedAt));
    if (this.#grid === undefined) return;
    this.#lastReports.delete(order.clientOrderId);
    this.#lastReports.set(order.clientOrderId, seen);
    // Insertion order is age order: the oldest ids go first.
    for (const id of this.#lastReports.keys()) {
      if (this.#lastReports.size <= LAST_REPORTS_KEPT) break;
      this.#lastReports.delete(id);
    }
  }

  /** Decides, persists what the decision produced (with the fill that caused it), then acts. */
  async #apply(event: GridEvent, reconciliation?: Record<string, unknown>, fill?: Fill): Promise<void> {
    if (this.#grid === undefined || this.#ended()) return;
    const before = this.#grid;
    const decision = decide(this.#grid, event);
    this.#grid = decision.state;
    const records = this.#eventRecords(decision.commands, reconciliation);
    const writes = decision.commands.filter((command) => command.type === 'PersistState' || command.type === 'BookTrade');
    const ended = endedOrderRecord(before, decision.state, event, this.#options.clock());
    for (const id of decision.foreign) this.#options.logger.debug({ symbol: this.symbol, clientOrderId: id }, 'update for an order this grid did not issue');
    try {
      if (!this.#anchorStored && this.#grid.lattice !== undefined) {
        if (!(await storeAnchor(this.#options.database, this.#grid))) {
          throw new InvalidGridRecordError(`another instance created ${this.symbol}'s grid with a different anchor; restart to load it`);
        }
        this.#anchorStored = true;
      }
      // Most price ticks change nothing stored: no transaction for them.
      if (fill !== undefined || writes.length > 0 || records.length > 0) {
        await this.#options.database.transaction(async (tx) => {
          if (fill !== undefined) await tx.saveFill(fill);
          if (ended !== undefined) await tx.saveOrder(ended);
          for (const command of writes) {
            if (command.type === 'PersistState') await persistGrid(tx, this.#grid!, command.grid, command.levels);
            else if (command.type === 'BookTrade') await tx.saveTrade(command.trade);
          }
          for (const record of records) await tx.saveEvent(record);
        });
      }
    } catch (error) {
      // The in-memory grid is ahead of what is stored: stop placing until a restart reconciles.
      this.#fault(error);
      throw error;
    }
    for (const command of decision.commands) {
      if (command.type === 'BookTrade') this.#booked(command.trade.realizedPnl, command.trade.fees);
      else if (command.type === 'PauseSymbol') this.#options.logger.warn({ symbol: this.symbol, reason: command.reason }, `symbol paused: ${command.message}`);
      else this.#act(command);
    }
  }

  #booked(realizedPnl: Decimal, fees: Decimal): void {
    this.#realizedPnl = this.#realizedPnl.add(realizedPnl);
    this.#fees = this.#fees.add(fees);
    this.#tradeCount += 1;
    this.#options.metrics?.trades.inc({ exchange: this.exchangeName, symbol: this.symbol });
  }

  #eventRecords(commands: readonly GridCommand[], reconciliation: Record<string, unknown> | undefined): EventRecord[] {
    const base = { time: this.#options.clock(), instanceId: this.#options.instanceId, exchange: this.exchangeName, symbol: this.symbol };
    return commands.flatMap((command): EventRecord[] => {
      if (command.type === 'RecordEvent') return [{ ...base, type: command.eventType, details: { ...command.details, ...(command.eventType === 'reconciliation' ? reconciliation : {}) } }];
      if (command.type === 'PauseSymbol') return [{ ...base, type: 'grid.paused', details: { reason: command.reason, message: command.message } }];
      return [];
    });
  }

  // --- acting on the venue ---------------------------------------------------------------------

  /** Venue actions run outside the queue; their outcomes come back as queued events. */
  #act(command: GridCommand): void {
    if (command.type === 'PlaceOrder') this.#track(this.#place(command));
    else if (command.type === 'CancelOrder') this.#track(this.#cancel(command.clientOrderId, command.reason));
    else if (command.type === 'LookupOrder') this.#track(this.#lookup(command.clientOrderId));
    else if (command.type === 'ClosePosition') this.#track(this.#place(command));
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.#options.logger.error({ symbol: this.symbol, err: error }, 'venue action failed'));
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  /** A grid order or a close, through the executor; a close also goes out while stopping (close_positions_on_exit). */
  async #place(command: Extract<GridCommand, { type: 'PlaceOrder' | 'ClosePosition' }>): Promise<void> {
    const close = command.type === 'ClosePosition';
    const placing = this.#lifecycle === 'running' || (close && this.#lifecycle === 'stopping');
    if (!placing) {
      // Never sent and no intent recorded: the order ends here, its stored row with it (a new id next time).
      await this.#queue.push(() => this.#apply({ type: 'OrderRejected', time: this.#options.clock(), clientOrderId: command.clientOrderId, reason: 'not-sent' }));
      return;
    }
    const outcome = await this.#options.executor.place(close ? this.#closePlacement(command) : { symbol: this.symbol, ...command });
    this.#options.metrics?.ordersPlaced.inc({ exchange: this.exchangeName, symbol: this.symbol, side: close ? 'SELL' : command.side, outcome: outcome.status });
    const time = this.#options.clock();
    const id = command.clientOrderId;
    switch (outcome.status) {
      case 'accepted':
        await this.#queue.push(() => this.#applyReport(outcome.order));
        return;
      case 'rejected':
        this.#options.logger.info({ symbol: this.symbol, clientOrderId: id, code: outcome.error.code }, 'order rejected');
        await this.#queue.push(() => this.#apply({ type: 'OrderRejected', time, clientOrderId: id, reason: rejectReason(outcome.error) }));
        return;
      case 'skipped':
        if (outcome.reason === 'intent-refused') {
          // Someone recorded this intent already: only the venue can say whether it was sent.
          await this.#lookup(id);
          return;
        }
        // Not sent at all: the slot is free again.
        await this.#queue.push(() => this.#apply({ type: 'UnknownOutcomeResolved', time, clientOrderId: id, order: undefined }));
        return;
      case 'unknown':
        this.#options.logger.warn({ symbol: this.symbol, clientOrderId: id }, 'order outcome unknown: looked up again later, never sent blindly');
        await this.#queue.push(() => this.#apply({ type: 'OrderOutcomeUnknown', time, clientOrderId: id }));
        return;
    }
  }

  #closePlacement(command: Extract<GridCommand, { type: 'ClosePosition' }>): ClosePlacement {
    const decision = parseClientOrderId(command.clientOrderId, this.#grid?.idFormat)!;
    this.#options.logger.warn({ symbol: this.symbol, quantity: command.quantity.toFixed(), clientOrderId: command.clientOrderId }, 'closing the position with a market sell');
    return { symbol: this.symbol, quantity: command.quantity, reduceOnly: command.reduceOnly, clientOrderId: command.clientOrderId, decidedAt: decision.level, sequence: decision.cycle };
  }

  async #cancel(clientOrderId: string, reason: string): Promise<void> {
    this.#options.metrics?.ordersCanceled.inc({ exchange: this.exchangeName, symbol: this.symbol, reason });
    try {
      const report = await this.#options.exchange.cancelOrder(this.symbol, { clientOrderId });
      await this.#queue.push(() => this.#applyReport(report));
    } catch {
      // Unknown order, or an unknown outcome: the venue's view decides.
      await this.#lookup(clientOrderId);
    }
  }

  async #lookup(clientOrderId: string): Promise<void> {
    const order = await this.#options.exchange.getOrder(this.symbol, clientOrderId);
    const time = this.#options.clock();
    if (order !== undefined) await this.#queue.push(() => this.#applyReport(order));
    else await this.#queue.push(() => this.#apply({ type: 'UnknownOutcomeResolved', time, clientOrderId, order: undefined }));
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
    const quote = this.#grid!.market.quote;
    const balances = await exchange.balances();
    const positions = exchange.capabilities.positions ? await exchange.positions([this.symbol]) : [];
    const available = balances.find((balance) => balance.asset === quote)?.free ?? ZERO;
    const leverage = positions.find((position) => position.symbol === this.symbol)?.leverage ?? 1;
    await this.#apply({ type: 'AccountChecked', time: clock(), availableBalance: available, leverage });
  }

  /** Pages through the venue's fills after the stored cursor, applying each unseen fill once. */
  async #recoverFills(): Promise<number> {
    const { exchange, database, clock } = this.#options;
    let cursor = (await database.getFillCursor(exchange.name, exchange.account, this.symbol))?.cursor;
    let applied = 0;
    for (;;) {
      const page = await exchange.fillsSince(this.symbol, cursor, 500);
      for (const fill of page.fills) {
        if (await this.#applyFill(fill)) applied += 1;
      }
      // A released runner skipped fills: moving the shared cursor past them would hide them from the new owner.
      if (this.#ended()) return applied;
      if (page.cursor !== undefined && page.cursor !== cursor) {
        cursor = page.cursor;
        await database.saveFillCursor({ exchange: exchange.name, account: exchange.account, symbol: this.symbol, cursor, updatedAt: clock() });
      }
      if (!page.hasMore) return applied;
    }
  }

  async #seedAppliedFills(): Promise<void> {
    const { database, exchange } = this.#options;
    const fills = await database.getFills({ exchange: exchange.name, account: exchange.account, symbol: this.symbol, limit: 100_000 });
    for (const fill of fills) this.#appliedFills.add(fill.tradeId);
  }

  async #saveReport(database: DatabaseOperations, order: OrderReport): Promise<void> {
    const parsed = parseClientOrderId(order.clientOrderId, this.#grid?.idFormat);
    await database.saveOrder({
      exchange: this.exchangeName, symbol: order.symbol, clientOrderId: order.clientOrderId, exchangeOrderId: order.exchangeOrderId,
      side: order.side, type: order.type, price: order.price, quantity: order.quantity, filledQuantity: order.filledQuantity,
      averagePrice: order.averagePrice, status: order.status, postOnly: order.postOnly, reduceOnly: order.reduceOnly,
      createdAt: order.updatedAt, updatedAt: order.updatedAt,
      level: parsed?.purpose === 'grid' ? parsed.level : undefined, cycle: parsed?.purpose === 'grid' ? parsed.cycle : undefined,
    });
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
