/**
 * Who trades what in this instance (R1, R10 "instance down", Invariant 4): campaigns for the
 * ownership of every configured symbol, starts a symbol's runner when the lease is won and releases
 * it the moment the lease is lost, keeps the instance's mode, and raises the alerts.
 *
 * - An active instance campaigns from the start.
 * - A hot standby campaigns only once one lease TTL has passed since it started, so on a cold start
 *   of the cluster the active instances win; from then on it campaigns like any other. It becomes
 *   `activated` when it first wins a symbol: each such win is alerted (standby-activated).
 * - Losing a symbol that was owned here is alerted (ownership-lost) after the runner was released.
 * - Every win, handover and loss is also written to the events table (ownership.acquired,
 *   ownership.released, ownership.lost), for an operator looking back on who traded what when.
 * - Under dynamic allocation (R6) `allocate` replaces `start`: the instance campaigns only for the
 *   symbols the membership assigns to it, and hands over the others it campaigned for: the runner
 *   stops WITHOUT cancelling its orders (the next owner adopts them), its writes reach the database,
 *   and only then is the lease released, so the next owner's campaign wins and loads what it wrote.
 *   The lease stays the safety layer: a symbol trades here only while its lease is held, whatever
 *   the membership says, and a runner whose symbol was unassigned meanwhile does not start.
 * - An operator's planned handover (`handOver`, `drain`) is the same handover for one symbol or all:
 *   nothing is cancelled, the lease is released once the runner's writes are in the database, and
 *   the symbol is held back (reported `unassigned`, not campaigned for here) until `claim`, so
 *   another instance campaigning for it wins it.
 * - Degraded mode (degraded-mode.ts) `suspend`s every campaign the same way (nothing cancelled, the
 *   mode becomes `degraded-standby` once nothing runs here) and `resume`s either as the survivor,
 *   campaigning at once for every configured symbol whatever the layout, or in the configured layout
 *   (a standby again after one lease TTL).
 */
import type { Logger } from 'pino';
import { type DistributedLock, ownershipKey } from '../coordination/lock/distributed-lock.js';
import {
  type OwnedSymbol,
  type OwnershipLease,
  type OwnershipState,
  SymbolOwnership,
  keyOf,
} from '../coordination/ownership/symbol-ownership.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { AlertNotifier } from '../observability/alert-notifier.js';
import type { EngineMetrics } from '../observability/engine-metrics.js';
import type { InstanceMode } from '../server/http-server.js';
import type { Database } from '../storage/database.js';
import { StaleFencingTokenError } from '../storage/errors.js';
import type { EventType } from '../storage/records.js';

export interface InstanceOwnershipOptions {
  readonly lock: DistributedLock;
  readonly ttlMs: number;
  readonly standby: boolean;
  readonly instanceId: string;
  /** The engine of each venue (by exchange name); every symbol it trades is campaigned for. */
  readonly engines: ReadonlyMap<string, TradingEngine>;
  readonly symbols: readonly OwnedSymbol[];
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  readonly alerts: AlertNotifier;
  /** Where ownership events are recorded and a won lease is claimed (its fence raised). */
  readonly database: Pick<Database, 'saveEvent' | 'claimFence'>;
  readonly clock: () => number;
  /**
   * Resolves once this instance's own writes reached the database (its spool flushed). A symbol won
   * back after a loss is loaded from the database: what its released runner wrote last must be there.
   */
  readonly settle: () => Promise<void>;
  /**
   * Never unmanaged: `coordination.orphan_timeout` after this instance lost a symbol, if it has not
   * won it back and `orphaned` says no instance is known to own it (an unreadable registry counts as
   * none), the symbol's resting buys are cancelled (TradingEngine.cancelOrphanedBuys).
   */
  readonly orphanTimeoutMs?: number | undefined;
  readonly orphaned?: ((owned: OwnedSymbol) => Promise<boolean>) | undefined;
}

export class InstanceOwnership {
  readonly #options: InstanceOwnershipOptions;
  readonly #ownership: SymbolOwnership;
  #mode: InstanceMode;
  /** Dynamic allocation: the keys of the symbols assigned here (undefined: static, every symbol). */
  #assigned: ReadonlySet<string> | undefined;
  /** Symbols an operator handed over: not campaigned for here until claimed. */
  readonly #heldBack = new Set<string>();
  /** When each symbol owned here was won (epoch ms). */
  readonly #ownedSince = new Map<string, number>();
  /** Symbols lost here and not won back: the timer that cancels their buys once orphaned. */
  readonly #orphanTimers = new Map<string, NodeJS.Timeout>();
  /** Degraded mode: nothing is campaigned for until `resume`. */
  #suspended = false;
  /** Degraded mode's survivor: every configured symbol is campaigned for, whatever the allocation. */
  #survivor = false;

  constructor(options: InstanceOwnershipOptions) {
    this.#options = options;
    this.#mode = options.standby ? 'standby' : 'active';
    this.#ownership = new SymbolOwnership({
      lock: options.lock,
      ttlMs: options.ttlMs,
      logger: options.logger,
      listener: { won: (owned, lease) => this.#won(owned, lease), lost: (owned, reason) => this.#lost(owned, reason) },
      claim: (owned, lease) => this.#claim(owned, lease),
    });
  }

  get mode(): InstanceMode {
    return this.#mode;
  }

  /** Starts the campaigns (a standby's after one lease TTL). */
  start(): void {
    if (this.#suspended) return;
    const { standby, ttlMs, symbols, logger } = this.#options;
    if (standby)
      logger.warn(
        { afterMs: ttlMs },
        'standby: campaigning for the symbols once one lease TTL has passed; trading nothing until then',
      );
    this.#ownership.campaign(
      symbols.filter((owned) => !this.#heldBack.has(keyOf(owned))),
      standby ? ttlMs : 0,
    );
  }

  state(exchange: string, symbol: string): OwnershipState {
    const key = keyOf({ exchange, symbol });
    return (
      this.#ownership.state(exchange, symbol) ??
      (this.#assigned === undefined && !this.#heldBack.has(key) ? 'waiting' : 'unassigned')
    );
  }

  /** When the symbol was won by this instance, while it owns it. */
  ownedSince(exchange: string, symbol: string): number | undefined {
    return this.state(exchange, symbol) === 'owned' ? this.#ownedSince.get(keyOf({ exchange, symbol })) : undefined;
  }

  /**
   * Operator action: hands the symbol to whichever other instance campaigns for it, cancelling
   * nothing, and holds it back here until `claim`. Resolves whether it was owned here.
   */
  async handOver(owned: OwnedSymbol, reason: string): Promise<boolean> {
    this.#heldBack.add(keyOf(owned));
    return this.#handOver(owned, reason);
  }

  /** Operator action before a stop: hands over every symbol (see `handOver`); resolves with those that were owned here. */
  async drain(reason: string): Promise<OwnedSymbol[]> {
    const handed = await Promise.all(
      this.#options.symbols.map(async (owned) => ((await this.handOver(owned, reason)) ? [owned] : [])),
    );
    return handed.flat();
  }

  /** Operator action: campaigns again for a symbol handed over from here (under dynamic allocation, only if assigned here). */
  claim(owned: OwnedSymbol): void {
    this.#heldBack.delete(keyOf(owned));
    if (!this.#suspended && this.#isAssigned(owned)) this.#ownership.campaign([owned]);
  }

  /**
   * Degraded mode: stops acting on every symbol (each runner released without cancelling, its
   * writes settled, its campaign ended); the mode is `degraded-standby` once that is done.
   */
  async suspend(): Promise<void> {
    this.#suspended = true;
    this.#survivor = false;
    // Still owned here when the backend was given up: watched like a loss (lost ones already are).
    for (const owned of this.#options.symbols)
      if (this.#ownership.state(owned.exchange, owned.symbol) === 'owned')
        this.#watchOrphan(owned, this.#options.orphanTimeoutMs);
    await Promise.all(this.#options.symbols.map((owned) => this.#handOver(owned, 'degraded mode')));
    this.#mode = 'degraded-standby';
  }

  /**
   * Degraded mode: campaigns again, as the survivor (every configured symbol at once, mode
   * `degraded-leader`) or in the configured layout (mode `active`/`standby`, a standby after one TTL).
   */
  resume(as: 'degraded-leader' | 'configured'): void {
    const { standby, ttlMs, symbols } = this.#options;
    this.#suspended = false;
    this.#survivor = as === 'degraded-leader';
    if (this.#survivor) {
      this.#mode = 'degraded-leader';
      this.#ownership.campaign(symbols);
      return;
    }
    this.#mode = standby ? 'standby' : 'active';
    const layout = symbols.filter((owned) => this.#isAssigned(owned) && !this.#heldBack.has(keyOf(owned)));
    this.#ownership.campaign(layout, standby ? ttlMs : 0);
  }

  /**
   * Dynamic allocation: campaigns for the `assigned` symbols and hands over every other one
   * campaigned for here; resolves once the handovers are done. Calls must not overlap.
   */
  async allocate(assigned: readonly OwnedSymbol[]): Promise<void> {
    this.#assigned = new Set(assigned.map(keyOf));
    if (this.#suspended || this.#survivor) return; // degraded mode: the layout returns on `resume`
    const handOver = this.#options.symbols.filter(
      (owned) =>
        !this.#assigned!.has(keyOf(owned)) && this.#ownership.state(owned.exchange, owned.symbol) !== undefined,
    );
    await Promise.all(handOver.map((owned) => this.#handOver(owned, 'assigned to another instance')));
    this.#ownership.campaign(assigned.filter((owned) => !this.#heldBack.has(keyOf(owned))));
  }

  /** Ends the campaigns and releases the leases; call after the engines stopped trading. */
  stop(): Promise<void> {
    for (const timer of this.#orphanTimers.values()) clearTimeout(timer);
    this.#orphanTimers.clear();
    return this.#ownership.stop();
  }

  /**
   * Fences the previous owner out before anything is loaded (Invariant 1): once the ownership fence
   * holds this lease's token, the database refuses every intent of an older owner, however long it
   * was paused. A live lease below the recorded fence comes from a lock backend that forgot its
   * counters (restarted empty): its floor is raised and the lease given up, so the next campaign's
   * token is above the fence: it campaigns again at once (a pause would only delay a takeover, such
   * as a degraded survivor's first leases from the database lock).
   */
  async #claim(owned: OwnedSymbol, lease: OwnershipLease): Promise<'claimed' | 'again'> {
    const { database, lock, logger } = this.#options;
    try {
      await database.claimFence(lease.key, lease.token, this.#options.instanceId);
      return 'claimed';
    } catch (error) {
      if (!(error instanceof StaleFencingTokenError) || lease.signal.aborted) throw error;
      logger.warn(
        { symbol: keyOf(owned), token: lease.token.toString(), recorded: error.highestToken.toString() },
        'ownership token below the recorded fence: raising the lock backend floor and campaigning again',
      );
      await lock.raiseTokenFloor(ownershipKey(owned.exchange, owned.symbol), error.highestToken);
      return 'again';
    }
  }

  /** Resolves once the symbol's runner started (or, won as the instance stops, was wound down). */
  #won(owned: OwnedSymbol, lease: OwnershipLease): Promise<void> {
    const held = lease.signal;
    const { logger, metrics, engines } = this.#options;
    const symbol = `${owned.exchange}:${owned.symbol}`;
    metrics.ownershipChanges.inc({ exchange: owned.exchange, symbol: owned.symbol, change: 'won' });
    logger.info({ symbol }, 'ownership won: the symbol starts trading here');
    this.#ownedSince.set(keyOf(owned), this.#options.clock());
    clearTimeout(this.#orphanTimers.get(keyOf(owned)));
    this.#orphanTimers.delete(keyOf(owned));
    this.#record(owned, 'ownership.acquired', { mode: this.#mode });
    if (this.#mode === 'standby' || this.#mode === 'activated') {
      this.#mode = 'activated';
      this.#alert(owned, 'standby-activated', `standby ${this.#options.instanceId} took over ${symbol}`);
    }
    const engine = engines.get(owned.exchange);
    // Lost or handed over while settling: the runner must not start.
    return this.#options
      .settle()
      .then(() => (held.aborted || !this.#isAssigned(owned) ? undefined : engine?.ownershipWon(owned.symbol, lease)))
      .catch((error: unknown) => {
        logger.error({ symbol, err: error }, 'the symbol could not start: its engine starts it again after a pause');
      });
  }

  #isAssigned(owned: OwnedSymbol): boolean {
    return this.#survivor || (this.#assigned?.has(keyOf(owned)) ?? true);
  }

  async #handOver(owned: OwnedSymbol, reason: string): Promise<boolean> {
    const { logger, metrics, engines, settle } = this.#options;
    const symbol = `${owned.exchange}:${owned.symbol}`;
    const wasOwned = this.#ownership.state(owned.exchange, owned.symbol) === 'owned';
    // Releases the runner only: its working orders stay at the venue for the next owner to adopt.
    engines.get(owned.exchange)?.ownershipLost(owned.symbol);
    await settle().catch((error: unknown) =>
      logger.error({ symbol, err: error }, "handover: this instance's writes may not all be in the database yet"),
    );
    await this.#ownership.release(owned);
    if (!wasOwned) return false;
    metrics.ownershipChanges.inc({ exchange: owned.exchange, symbol: owned.symbol, change: 'handed-over' });
    this.#record(owned, 'ownership.released', { reason });
    logger.info({ symbol, reason }, 'ownership handed over: the symbol is left to another instance');
    return true;
  }

  #lost(owned: OwnedSymbol, reason: unknown): void {
    const { metrics, engines } = this.#options;
    engines.get(owned.exchange)?.ownershipLost(owned.symbol);
    metrics.ownershipChanges.inc({ exchange: owned.exchange, symbol: owned.symbol, change: 'lost' });
    const why = reason instanceof Error ? reason.message : String(reason);
    this.#record(owned, 'ownership.lost', { reason: why });
    this.#watchOrphan(owned, this.#options.orphanTimeoutMs);
    this.#alert(
      owned,
      'ownership-lost',
      `${this.#options.instanceId} lost ownership of ${owned.exchange}:${owned.symbol} and stopped trading it (${why})`,
    );
  }

  /**
   * After `delayMs`, cancels the lost symbol's buys if it is still owned nowhere; retried while the
   * venue does not answer. Meanwhile `orphaned` is asked every lease TTL, and the watch ends as soon
   * as another instance is seen owning the symbol (a planned handover), so an old watch cannot fire
   * at a later, unrelated outage.
   */
  #watchOrphan(owned: OwnedSymbol, delayMs: number | undefined): void {
    const { orphaned, engines, logger, ttlMs } = this.#options;
    if (delayMs === undefined || orphaned === undefined) return;
    const key = keyOf(owned);
    clearTimeout(this.#orphanTimers.get(key));
    const deadline = performance.now() + delayMs;
    const arm = (ms: number): void => {
      const timer = setTimeout(() => void check(timer), ms);
      timer.unref();
      this.#orphanTimers.set(key, timer);
    };
    const check = async (timer: NodeJS.Timeout): Promise<void> => {
      if (this.#ownership.state(owned.exchange, owned.symbol) === 'owned') return;
      // An unreadable registry counts as "owned nowhere" only at the deadline.
      const nobody = await orphaned(owned).catch(() => undefined);
      if (this.#orphanTimers.get(key) !== timer) return;
      if (nobody === false) return void this.#orphanTimers.delete(key);
      const left = deadline - performance.now();
      if (left > 0) return arm(Math.min(ttlMs, left));
      try {
        const cancelled = (await engines.get(owned.exchange)?.cancelOrphanedBuys(owned.symbol)) ?? 0;
        this.#orphanTimers.delete(key);
        logger.warn({ symbol: key, cancelled }, 'no owner acts on the symbol: its resting buys were cancelled');
      } catch (error) {
        logger.warn(
          { symbol: key, err: error },
          'orphaned buys not cancelled (the venue did not answer); trying again',
        );
        if (this.#orphanTimers.get(key) === timer) arm(ttlMs);
      }
    };
    arm(Math.min(ttlMs, delayMs));
  }

  /** Best effort: a record that cannot be written is logged; ownership itself does not wait for it. */
  #record(owned: OwnedSymbol, type: EventType, details: Record<string, string>): void {
    const { database, clock, instanceId, logger } = this.#options;
    void database
      .saveEvent({ time: clock(), type, instanceId, exchange: owned.exchange, symbol: owned.symbol, details })
      .catch((error: unknown) => {
        logger.warn({ symbol: `${owned.exchange}:${owned.symbol}`, type, err: error }, 'ownership event not recorded');
      });
  }

  #alert(owned: OwnedSymbol, kind: 'standby-activated' | 'ownership-lost', message: string): void {
    this.#options.alerts.notify({
      kind,
      instanceId: this.#options.instanceId,
      exchange: owned.exchange,
      symbol: owned.symbol,
      time: new Date().toISOString(),
      message,
    });
  }
}
