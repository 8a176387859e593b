/**
 * The engine of one venue account: one SymbolRunner per configured symbol, the venue's streams
 * routed to them, periodic reconciliation, and the market panic monitor forwarded to every grid.
 *
 * Ownership gating (Invariant 4): `start` only opens the streams; a runner starts (load, reconcile,
 * trade) when the instance wins the symbol's ownership lease (`ownershipWon`) and is released the
 * moment the lease is lost (`ownershipLost`). A runner that waits ignores every event. A re-won
 * symbol gets a fresh runner, so nothing of the released one's memory survives into the new term.
 *
 * Streams are opened before the runners reconcile, so nothing that happens during start-up is
 * missed: an event that arrives before a runner is ready is picked up by its reconciliation.
 * A stream reconnect triggers a reconciliation of every symbol (events may have been missed).
 *
 * Faults heal (issue 14 item 5): a runner that faulted (a refused API key, a full spool, a store
 * that failed) is replaced by a fresh one that starts like a takeover (load, reconcile, trade), after
 * a backoff from 1 s doubling to 60 s (jittered; reset once a runner kept running for a minute) and
 * only once the database holds everything written so far (`drain`), so the fresh runner loads what
 * the faulted one stored. Its resting orders stay at the venue and are adopted.
 */
import type { Logger } from 'pino';
import { Backoff } from '../coordination/lock/backoff.js';
import type { Market } from '../domain/market.js';
import type { Exchange, StreamHandle } from '../exchange/exchange.js';
import type { AlertNotifier } from '../observability/alert-notifier.js';
import type { EngineMetrics } from '../observability/engine-metrics.js';
import type { Database } from '../storage/database.js';
import { type ClientOrderIdFormat, parseClientOrderId } from '../strategy/grid/client-order-id.js';
import type { GridSettings } from '../strategy/grid/grid-settings.js';
import { type MarketPanicState, candleReceived } from '../strategy/risk/market-panic-monitor.js';
import type { OwnershipLease } from '../coordination/ownership/symbol-ownership.js';
import { IntentGate } from './execution/intent-gate.js';
import type { OrderExecutor } from './execution/order-executor.js';
import { SymbolRunner } from './symbol-runner.js';
import type { SymbolSummary } from './symbol-summary.js';

export const HEAL_MIN_DELAY_MS = 1_000;
export const HEAL_MAX_DELAY_MS = 60_000;

export interface GridSpec {
  readonly symbol: string;
  readonly settings: GridSettings;
  readonly reconcileIntervalMs: number;
}

export interface TradingEngineOptions {
  readonly exchange: Exchange;
  readonly database: Database;
  readonly executor: OrderExecutor;
  readonly grids: readonly GridSpec[];
  readonly logger: Logger;
  readonly instanceId: string;
  readonly clock: () => number;
  readonly metrics?: EngineMetrics | undefined;
  readonly idFormat?: ClientOrderIdFormat | undefined;
  /** Where the runners alert a position drift. */
  readonly alerts?: AlertNotifier | undefined;
  /** Market panic monitor (risk_control); undefined when disabled. */
  readonly panicMonitor?: MarketPanicState | undefined;
}

export interface StopOptions {
  readonly cancelOnExit: boolean;
  readonly closePositions: boolean;
  /** Each runner's stop ends within this (`system.stop_timeout`; SymbolRunner's default otherwise). */
  readonly timeoutMs?: number | undefined;
}

export class TradingEngine {
  readonly #options: TradingEngineOptions;
  readonly #runners = new Map<string, SymbolRunner>();
  /** Settings changed while running (configuration centre), used by runners started after the change. */
  readonly #settings = new Map<string, GridSettings>();
  readonly #markets = new Map<string, Market>();
  readonly #streams: StreamHandle[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #intents: IntentGate;
  /** Per symbol: the next retry's delay, its timer, and when the current runner started running. */
  readonly #healing = new Map<string, { backoff: Backoff; timer?: NodeJS.Timeout; runningSince?: number }>();
  /** The ownership lease of each symbol's current term: a runner started again after a fault is fenced by it too. */
  readonly #leases = new Map<string, OwnershipLease>();
  #panic: MarketPanicState | undefined;
  /** Set by `stop`: a symbol won after it is wound down the same way (`#windDown`). */
  #stopOptions: StopOptions | undefined;

  constructor(options: TradingEngineOptions) {
    this.#options = options;
    this.#panic = options.panicMonitor;
    this.#intents = new IntentGate({
      ping: (signal) => options.database.ping(signal),
      logger: options.logger,
      onChange: (held) => {
        // A runner whose apply fails faults itself and logs it.
        for (const runner of this.#runners.values()) runner.holdPlacements(held).catch(() => undefined);
      },
    });
  }

  get runners(): readonly SymbolRunner[] {
    return [...this.#runners.values()];
  }

  runner(symbol: string): SymbolRunner | undefined {
    return this.#runners.get(symbol);
  }

  /** Opens the streams with a waiting runner per symbol; nothing trades before `ownershipWon`. */
  async start(): Promise<void> {
    const { exchange, grids } = this.#options;
    for (const spec of grids) {
      this.#markets.set(spec.symbol, await exchange.market(spec.symbol));
      this.#runners.set(spec.symbol, this.#newRunner(spec));
    }
    await this.#openStreams();
    for (const spec of grids) {
      const timer = setInterval(
        () => void this.#runners.get(spec.symbol)?.scheduleReconcile('periodic'),
        spec.reconcileIntervalMs,
      );
      timer.unref();
      this.#timers.push(timer);
    }
  }

  /**
   * The instance owns `symbol` now: its runner loads, reconciles and trades (a released runner is
   * replaced by a fresh one first), every placement fenced by `ownership`, the lease won. Rejects
   * when the start fails (the runner is then faulted). Won after `stop`, the symbol is wound down
   * instead (`#windDown`); resolves once that is done.
   */
  async ownershipWon(symbol: string, ownership?: OwnershipLease): Promise<void> {
    const spec = this.#options.grids.find((grid) => grid.symbol === symbol);
    if (spec === undefined) return;
    if (this.#stopOptions !== undefined) return this.#windDown(spec, this.#stopOptions, ownership);
    if (ownership === undefined) this.#leases.delete(symbol);
    else this.#leases.set(symbol, ownership);
    if (this.#runners.get(symbol)?.lifecycle !== 'ready') this.#runners.set(symbol, this.#newRunner(spec));
    await this.#runners.get(symbol)!.start(ownership);
  }

  /**
   * A symbol won while the instance stops (handed over by another instance as the cluster stops, its
   * orders left at the venue for the next owner): loaded and reconciled, then stopped like a running
   * one under the same stop options, so cancel_on_exit cancels what the previous owner left and the
   * last fills are stored. Left alone, those orders kept filling with no owner to store the fills
   * (issue 14, the chaos suite's etcd-dynamic run). Nothing is placed: the runner is stopping.
   */
  async #windDown(spec: GridSpec, options: StopOptions, ownership: OwnershipLease | undefined): Promise<void> {
    const runner = this.#newRunner(spec);
    this.#runners.set(spec.symbol, runner);
    this.#options.logger.info({ symbol: spec.symbol }, 'won while stopping: the symbol is wound down, not traded');
    const started = runner.start(ownership);
    await runner.stop(options);
    await started;
  }

  /** The shared database answered the instance's check: placements held for an outage resume now. */
  databaseAnswered(): void {
    this.#intents.databaseAnswered();
  }

  /** The instance lost `symbol`: its runner stops acting at once (SymbolRunner.release). */
  ownershipLost(symbol: string): void {
    this.#leases.delete(symbol);
    this.#runners.get(symbol)?.release();
    clearTimeout(this.#healing.get(symbol)?.timer);
    this.#healing.delete(symbol);
  }

  /**
   * Never unmanaged (issue 15): `symbol` has had no owner able to act on it for
   * `coordination.orphan_timeout`, so the venue's resting buys QuantMesh placed are cancelled (a
   * cancel never adds exposure); sells stay, and the next owner reconciles what is left. Does nothing
   * while the symbol trades here. Resolves with how many were cancelled; rejects when the venue
   * cannot list the orders.
   */
  async cancelOrphanedBuys(symbol: string): Promise<number> {
    if (this.#runners.get(symbol)?.lifecycle === 'running') return 0;
    const { exchange, metrics, logger, idFormat } = this.#options;
    const buys = (await exchange.openOrders(symbol)).filter(
      (order) => order.side === 'BUY' && parseClientOrderId(order.clientOrderId, idFormat) !== undefined,
    );
    let cancelled = 0;
    for (const order of buys) {
      try {
        await exchange.cancelOrder(symbol, { clientOrderId: order.clientOrderId });
        cancelled += 1;
        metrics?.ordersCanceled.inc({ exchange: exchange.name, symbol, reason: 'orphan' });
      } catch (error) {
        logger.warn({ symbol, clientOrderId: order.clientOrderId, err: error }, 'orphaned buy not cancelled');
      }
    }
    return cancelled;
  }

  /** New grid settings (configuration centre): the running grid takes them, and so does a runner started later. */
  async changeSettings(symbol: string, settings: GridSettings): Promise<void> {
    if (!this.#options.grids.some((grid) => grid.symbol === symbol)) return;
    this.#settings.set(symbol, settings);
    await this.#runners.get(symbol)?.controls.changeSettings(settings);
  }

  /**
   * The venue's API credentials changed (configuration centre): a symbol faulted by a refused key
   * need not wait out its backoff, so every faulted one tries again now, its backoff started afresh.
   */
  credentialsChanged(): void {
    for (const [symbol, entry] of this.#healing) {
      const runner = this.#runners.get(symbol);
      const spec = this.#options.grids.find((grid) => grid.symbol === symbol);
      if (runner?.lifecycle !== 'faulted' || spec === undefined) continue;
      clearTimeout(entry.timer);
      entry.backoff.reset();
      void this.#heal(spec, runner);
    }
  }

  /** A runner faulted: a fresh one is tried after the symbol's backoff. */
  #faulted(spec: GridSpec, runner: SymbolRunner): void {
    if (this.#stopOptions !== undefined || this.#runners.get(spec.symbol) !== runner) return;
    const entry = this.#healing.get(spec.symbol) ?? {
      backoff: new Backoff({ initialMs: HEAL_MIN_DELAY_MS, maxMs: HEAL_MAX_DELAY_MS }),
    };
    // A runner that traded for a while before it faulted starts the backoff afresh.
    if (entry.runningSince !== undefined && performance.now() - entry.runningSince > HEAL_MAX_DELAY_MS)
      entry.backoff.reset();
    const waitMs = Math.round(entry.backoff.next());
    clearTimeout(entry.timer);
    const timer = setTimeout(() => void this.#heal(spec, runner), waitMs);
    timer.unref();
    this.#healing.set(spec.symbol, { backoff: entry.backoff, timer });
    this.#options.logger.warn(
      { symbol: spec.symbol, retryInMs: waitMs },
      'symbol faulted: it starts again after a pause',
    );
  }

  async #heal(spec: GridSpec, runner: SymbolRunner): Promise<void> {
    if (this.#stopOptions !== undefined || this.#runners.get(spec.symbol) !== runner || runner.lifecycle !== 'faulted')
      return;
    // The fresh runner loads from the database: what the faulted one spooled must be there first.
    if (!(await this.#options.database.drain(5_000))) return this.#faulted(spec, runner);
    if (this.#stopOptions !== undefined || this.#runners.get(spec.symbol) !== runner) return;
    runner.release();
    const fresh = this.#newRunner(spec);
    this.#runners.set(spec.symbol, fresh);
    this.#options.logger.info({ symbol: spec.symbol }, 'symbol starting again after a fault');
    try {
      await fresh.start(this.#leases.get(spec.symbol));
    } catch {
      return; // faulted again: its onFaulted scheduled the next try
    }
    const entry = this.#healing.get(spec.symbol);
    if (entry !== undefined && fresh.lifecycle === 'running') entry.runningSince = performance.now();
  }

  #newRunner(spec: GridSpec): SymbolRunner {
    const { exchange } = this.#options;
    const runner: SymbolRunner = new SymbolRunner({
      identity: {
        exchange: exchange.name,
        symbol: spec.symbol,
        market: this.#markets.get(spec.symbol)!,
        settings: this.#settings.get(spec.symbol) ?? spec.settings,
        idFormat: this.#options.idFormat,
      },
      exchange,
      database: this.#options.database,
      executor: this.#options.executor,
      logger: this.#options.logger,
      instanceId: this.#options.instanceId,
      clock: this.#options.clock,
      metrics: this.#options.metrics,
      alerts: this.#options.alerts,
      intents: this.#intents,
      onFaulted: () => this.#faulted(spec, runner),
    });
    return runner;
  }

  async #openStreams(): Promise<void> {
    const { exchange, logger } = this.#options;
    const symbols = [...this.#runners.keys()];
    const onError = (error: Error) =>
      logger.warn({ venue: exchange.name, err: error }, 'stream problem (the stream continues)');
    const reconcileAll = () => {
      logger.info({ venue: exchange.name }, 'stream reconnected: reconciling every symbol');
      for (const runner of this.#runners.values()) void runner.scheduleReconcile('reconnect');
    };
    this.#streams.push(
      await exchange.streamExecutions({
        onData: (event) =>
          this.#runners.get(event.type === 'fill' ? event.fill.symbol : event.order.symbol)?.onExecution(event),
        onReconnect: reconcileAll,
        onError,
      }),
    );
    this.#streams.push(
      await exchange.streamPrices(symbols, {
        onData: (tick) => this.#runners.get(tick.symbol)?.onPrice(tick),
        onError,
      }),
    );
    const monitor = this.#panic;
    if (monitor !== undefined) {
      this.#streams.push(
        await exchange.streamCandles(monitor.settings.monitorSymbols, monitor.settings.interval, {
          onData: (candle) => {
            const update = candleReceived(this.#panic!, candle);
            this.#panic = update.state;
            if (!update.changed) return;
            logger.warn(
              { panic: update.state.panic },
              update.state.panic ? 'market panic: buys cancelled and paused' : 'market recovered: buys resume',
            );
            for (const runner of this.#runners.values()) runner.onMarketPanic(update.state.panic);
          },
          onError,
        }),
      );
    }
  }

  /** Stops every runner (loops first, then cancels), then the streams; idempotent. */
  async stop(options: StopOptions): Promise<void> {
    if (this.#stopOptions !== undefined) return;
    this.#stopOptions = options;
    this.#intents.stop();
    for (const entry of this.#healing.values()) clearTimeout(entry.timer);
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.all([...this.#runners.values()].map((runner) => runner.stop(options)));
    await Promise.allSettled(this.#streams.map((stream) => stream.close()));
  }

  summaries(): SymbolSummary[] {
    return [...this.#runners.values()].map((runner) => runner.summary());
  }
}
