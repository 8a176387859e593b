/**
 * One runner per owned symbol: its lifecycle and event intake. Events go into the grid one at a time
 * (SerialQueue) through grid-decisions.ts (decide, store, act: Invariants 1, 2, 4); reconciliation/
 * checks orders, fills and positions against the venue (Invariant 3). Start-up and takeover share one
 * path: load, reconcile, move the slots past the recorded intents, check the account, trade. `release`
 * on a lost lease stops it at once: nothing placed, cancelled or stored afterwards. docs/engine.md.
 */
import type { PriceTick } from '../domain/market.js';
import type { Exchange, ExecutionEvent } from '../exchange/exchange.js';
import type { WriteFence } from '../storage/database.js';
import type { GridState } from '../strategy/grid/grid-state.js';
import type { OwnershipLease } from '../coordination/ownership/symbol-ownership.js';
import type { IntentGate } from './execution/intent-gate.js';
import type { OrderExecutor } from './execution/order-executor.js';
import { VenueActions } from './execution/venue-actions.js';
import { GridDecisions, type GridDecisionsOptions } from './grid-decisions.js';
import { loadGrid } from './persistence/grid-loader.js';
import { Reconciler } from './reconciliation/reconciler.js';
import { SerialQueue } from './serial-queue.js';
import { SymbolControls } from './symbol-controls.js';
import { RunnerStop, type StopRequest } from './runner-stop.js';
import { summarise, type SymbolSummary } from './symbol-summary.js';

export type RunnerState = 'ready' | 'starting' | 'running' | 'stopping' | 'stopped' | 'faulted';

/** The grid's own parts (grid-decisions.ts) and what the runner adds: the venue and its executor. */
export interface SymbolRunnerOptions extends Omit<GridDecisionsOptions, 'act' | 'ended' | 'fault' | 'fence'> {
  readonly exchange: Exchange;
  readonly executor: OrderExecutor;
  /** Closed while the shared database cannot record intents: this grid places nothing meanwhile. */
  readonly intents?: IntentGate | undefined;
  /** Told once when the runner faults (the engine retries it with a fresh runner: trading-engine.ts). */
  readonly onFaulted?: ((error: unknown) => void) | undefined;
}

export class SymbolRunner {
  readonly symbol: string;
  readonly exchangeName: string;
  /** Operator actions and settings changes (symbol-controls.ts). */
  readonly controls: SymbolControls;
  readonly #options: SymbolRunnerOptions;
  readonly #queue = new SerialQueue();
  readonly #decisions: GridDecisions;
  readonly #actions: VenueActions;
  readonly #reconciler: Reconciler;
  #lifecycle: RunnerState = 'ready';
  #pendingPrice: PriceTick | undefined;
  #faultCause: string | undefined;
  /** The ownership lease of this runner's term: every placement is fenced by it (order-executor.ts). */
  #ownership: OwnershipLease | undefined;
  /** The start under way (load, reconcile, trade), for a stop that arrives meanwhile to wait for. */
  #starting: Promise<void> | undefined;
  /** Wakes the grid when a rate limit's wait ends (`#wakeAt`): one timer, at the latest wait asked for. */
  #wake: { at: number; timer: NodeJS.Timeout } | undefined;

  constructor(options: SymbolRunnerOptions) {
    this.#options = options;
    const { exchange, identity, executor, logger, clock, metrics } = options;
    [this.symbol, this.exchangeName] = [identity.symbol, identity.exchange];
    const decisions = (this.#decisions = new GridDecisions({
      ...options,
      fence: () => this.#writeFence(),
      act: (commands) => this.#actions.act(commands),
      ended: () => this.#ended(),
      fault: (error) => this.#fault(error),
    }));
    this.#actions = new VenueActions({
      exchangeName: identity.exchange,
      symbol: identity.symbol,
      executor,
      logger,
      clock,
      metrics,
      intents: options.intents,
      cancelOrder: (clientOrderId) => exchange.cancelOrder(identity.symbol, { clientOrderId }),
      requestValidityMs: exchange.capabilities.requestValidityMs,
      answers: {
        report: (order) => this.#queue.push(() => decisions.applyReport(order)),
        event: async (event) => {
          await this.#queue.push(() => decisions.apply(event));
        },
        missing: (clientOrderId, stillProof) =>
          this.#queue.push(async () => {
            if (stillProof()) await decisions.resolveMissing(clientOrderId);
          }),
        placing: (close) => this.#lifecycle === 'running' || (close && this.#lifecycle === 'stopping'),
        ownership: () => this.#ownership,
        wakeAt: (time) => this.#wakeAt(time),
      },
    });
    this.#reconciler = new Reconciler({
      exchange,
      database: options.database,
      symbol: identity.symbol,
      clock,
      logger,
      metrics,
      grid: () => decisions.state,
      replaceGrid: (state) => decisions.replace(state),
      apply: (event, stored) => decisions.apply(event, stored),
      applyFill: (fill) => decisions.applyFill(fill),
      ended: () => this.#ended(),
      fence: () => this.#writeFence(),
    });
    this.controls = new SymbolControls({
      queue: this.#queue,
      decisions,
      actions: this.#actions,
      reconciler: this.#reconciler,
      clock,
      running: () => this.#lifecycle === 'running',
    });
  }

  get lifecycle(): RunnerState {
    return this.#lifecycle;
  }
  get state(): GridState | undefined {
    return this.#decisions.state;
  }

  /**
   * Loads the grid and reconciles with the venue before anything is placed; every placement of
   * this term is fenced by `ownership` (absent only where nothing owns symbols: tests, tools).
   */
  start(ownership?: OwnershipLease): Promise<void> {
    if (this.#lifecycle !== 'ready') return Promise.resolve();
    this.#starting = this.#start(ownership);
    return this.#starting;
  }

  async #start(ownership: OwnershipLease | undefined): Promise<void> {
    this.#lifecycle = 'starting';
    this.#ownership = ownership;
    this.#actions.beginTerm();
    const { database, identity, clock, logger } = this.#options;
    try {
      this.#decisions.load(await loadGrid(database, identity, clock()));
      if (this.#options.intents?.held) await this.holdPlacements(true);
      await this.#queue.push(() => this.#reconciler.reconcile('start'));
      await this.#queue.push(() => this.#reconciler.advanceCycles());
      await this.#queue.push(() => this.#reconciler.checkAccount());
      // Released (ownership lost) while starting: stays stopped.
      if (this.#lifecycle !== 'starting') return;
      this.#lifecycle = 'running';
      logger.info({ symbol: this.symbol, anchor: this.state?.lattice?.anchor.toFixed() }, 'symbol running');
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
    this.#cancelWake();
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
        await this.#decisions.apply({ type: 'PriceUpdated', time: latest.time, price: latest.price });
    });
  }

  onExecution(event: ExecutionEvent): void {
    if (!this.#accepting()) return;
    if (event.type === 'fill') void this.#queue.push(() => this.#decisions.applyFill(event.fill));
    else void this.#queue.push(() => this.#decisions.applyReport(event.order));
  }

  /** The engine's intent gate closed (true) or opened (false): placements wait, or resume at once. */
  holdPlacements(held: boolean): Promise<void> {
    return this.#queue.push(async () => {
      if (this.#accepting())
        await this.#decisions.apply({ type: 'PlacementsHeldChanged', time: this.#options.clock(), held });
    });
  }

  onMarketPanic(panic: boolean): void {
    if (this.#accepting())
      void this.#queue.push(() =>
        this.#decisions.apply({ type: 'MarketPanicChanged', time: this.#options.clock(), panic }),
      );
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
    // A runner stopped while it starts (won just before a shutdown, e.g. a symbol handed over as the
    // instances stop) has orders at the venue all the same, adopted or about to be: it stops like a
    // running one once its start has settled (nothing is placed meanwhile: it is `stopping`), so
    // cancel_on_exit cancels them and the last fills are stored. Stopped as if it never ran, its
    // orders stayed at the venue and kept filling with nobody to store the fills (issue 14).
    const starting = this.#lifecycle === 'starting' ? this.#starting : undefined;
    const wasRunning = this.#lifecycle === 'running' || starting !== undefined;
    this.#lifecycle = 'stopping';
    this.#pendingPrice = undefined;
    this.#cancelWake();
    this.#actions.abandon();
    await new RunnerStop({
      symbol: this.symbol,
      logger: this.#options.logger,
      queue: this.#queue,
      actions: this.#actions,
      grid: () => this.#decisions.state,
      clock: this.#options.clock,
      apply: (event) => this.#decisions.apply(event),
      recoverFills: () => this.#reconciler.recoverFills(),
      started: starting,
    }).run(request, wasRunning);
    this.#lifecycle = 'stopped';
  }

  summary(): SymbolSummary {
    return summarise({
      exchange: this.exchangeName,
      symbol: this.symbol,
      lifecycle: this.#lifecycle,
      grid: this.state,
      faultCause: this.#faultCause,
    });
  }

  /**
   * A rate-limited grid places nothing before `time` (grid-state.ts `rateLimitedUntil`, the latest
   * wait any refusal asked for), and is woken then without waiting for a market event: its reaction
   * places the slots held back, nearest to the market first. Each refused slot got a new cycle, so a
   * wake never sends an id twice; a placement already in flight keeps its slot.
   */
  #wakeAt(time: number): void {
    if (this.#lifecycle !== 'running' || (this.#wake !== undefined && this.#wake.at >= time)) return;
    this.#cancelWake();
    const timer = setTimeout(
      () => {
        this.#wake = undefined;
        void this.#queue.push(async () => {
          if (this.#lifecycle === 'running')
            await this.#decisions.apply({ type: 'RateLimitWaitEnded', time: Math.max(time, this.#options.clock()) });
        });
      },
      Math.max(0, time - this.#options.clock()),
    );
    timer.unref();
    this.#wake = { at: time, timer };
  }

  #cancelWake(): void {
    clearTimeout(this.#wake?.timer);
    this.#wake = undefined;
  }

  /** What this term writes is fenced by its ownership, so writes still spooled after a takeover are dropped. */
  #writeFence(): WriteFence | undefined {
    const ownership = this.#ownership;
    if (ownership === undefined) return undefined;
    return { fenceKey: ownership.key, fencingToken: ownership.token, holder: this.#options.instanceId };
  }

  /** Prices only reach a running grid; venue answers also reach a starting or stopping one. */
  #accepting(): boolean {
    return this.#lifecycle === 'running' || this.#lifecycle === 'starting' || this.#lifecycle === 'stopping';
  }

  /** Stopped or released: nothing more is applied, stored or sent. */
  #ended(): boolean {
    return this.#lifecycle === 'stopped';
  }

  #fault(error: unknown): void {
    if (this.#lifecycle === 'faulted') return;
    this.#lifecycle = 'faulted';
    this.#faultCause = error instanceof Error ? error.message : String(error);
    this.#options.logger.error(
      { symbol: this.symbol, err: error },
      'symbol runner faulted: no new orders until it starts again',
    );
    this.#options.onFaulted?.(error);
  }
}
