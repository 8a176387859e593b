/**
 * Carries one order placement out through the ports, keeping Invariant 1 (no duplicate orders):
 *
 *   lock (R3: symbol or level key) → check the lock's signal → record the fenced intent in the shared
 *   database (stale tokens and repeated (slot, cycle, side) intents are refused) → send with the
 *   deterministic client order id (the venue refuses a duplicate) → on an unknown outcome, look the
 *   order up by client order id before anything is sent again.
 *
 * Invariant 4 (fail safe): when the lock cannot be taken or its signal is aborted, nothing is sent.
 * An intent is written at most once. A retry after an unknown outcome is a lookup, never a blind
 * second send: an intent is sent again only after the venue said it does not have the order.
 */
import type { Decimal } from '../domain/decimal.js';
import type { OrderSide } from '../domain/order.js';
import { type DistributedLock, type LockHandle, levelLockKey, symbolLockKey } from '../coordination/lock/distributed-lock.js';
import { ExchangeError } from '../exchange/errors.js';
import type { Exchange, OrderReport } from '../exchange/exchange.js';
import type { Database } from '../storage/database.js';
import { DatabaseUnavailableError, DuplicateIntentError, StaleFencingTokenError } from '../storage/errors.js';

export type LockGranularity = 'symbol' | 'level';

export interface OrderPlacement {
  readonly symbol: string;
  readonly level: number;
  readonly cycle: number;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly clientOrderId: string;
}

export type PlacementOutcome =
  | { readonly status: 'accepted'; readonly order: OrderReport }
  /** The venue refused definitively: nothing rests at the venue for this intent. */
  | { readonly status: 'rejected'; readonly error: ExchangeError }
  /** Not sent: another holder has the lock, ownership was lost, or the intent was refused. */
  | { readonly status: 'skipped'; readonly reason: 'lock-busy' | 'lock-lost' | 'intent-refused' | 'database-unavailable'; readonly error?: unknown }
  /** Sent, and the outcome is still unknown after lookups: the slot stays blocked until reconciliation. */
  | { readonly status: 'unknown'; readonly error: unknown };

export interface OrderExecutorOptions {
  readonly exchange: Exchange;
  readonly database: Database;
  readonly lock: DistributedLock;
  readonly granularity: LockGranularity;
  readonly lockTtlMs: number;
  readonly instanceId: string;
  readonly clock: () => number;
  /** Lookups after an unknown outcome before giving up to reconciliation. */
  readonly lookupAttempts?: number;
  readonly lookupDelayMs?: number;
}

export class OrderExecutor {
  readonly #options: OrderExecutorOptions;
  readonly #queues = new Map<string, Promise<void>>();

  constructor(options: OrderExecutorOptions) {
    this.#options = options;
  }

  lockKey(symbol: string, level: number): string {
    const venue = this.#options.exchange.name;
    return this.#options.granularity === 'level' ? levelLockKey(venue, symbol, level) : symbolLockKey(venue, symbol);
  }

  /**
   * Placements that need the same lock key wait for each other in this process: with symbol
   * granularity a grid's window of buys would otherwise contend with itself and see "busy".
   */
  place(placement: OrderPlacement): Promise<PlacementOutcome> {
    const key = this.lockKey(placement.symbol, placement.level);
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.#placeLocked(key, placement));
    const settled = run.then(() => undefined, () => undefined);
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return run;
  }

  async #placeLocked(key: string, placement: OrderPlacement): Promise<PlacementOutcome> {
    const { lock, lockTtlMs } = this.#options;
    let handle: LockHandle | undefined;
    try {
      handle = await lock.tryLock(key, lockTtlMs);
    } catch (error) {
      return { status: 'skipped', reason: 'lock-lost', error };
    }
    if (handle === undefined) return { status: 'skipped', reason: 'lock-busy' };
    try {
      return await this.#placeHolding(placement, handle);
    } finally {
      // A release that fails only means the lease runs out on its own; the intent already fences.
      await handle.unlock().catch(() => undefined);
    }
  }

  async #placeHolding(placement: OrderPlacement, handle: LockHandle): Promise<PlacementOutcome> {
    if (handle.signal.aborted) return { status: 'skipped', reason: 'lock-lost' };
    try {
      await this.#recordIntent(placement, handle);
    } catch (error) {
      if (error instanceof DuplicateIntentError) {
        // This very intent was recorded before (its send was resolved as never reaching the venue, or
        // another holder recorded it): the venue decides. Found: adopt it. Not found: send it now; a
        // concurrent send of the same id by a former holder is refused by the venue while it is open.
        const existing = await this.#lookup(placement.symbol, placement.clientOrderId, 1);
        if (existing === 'failed') return { status: 'skipped', reason: 'intent-refused', error };
        if (existing !== undefined) return { status: 'accepted', order: existing };
      } else {
        return { status: 'skipped', reason: error instanceof DatabaseUnavailableError ? 'database-unavailable' : error instanceof StaleFencingTokenError ? 'lock-lost' : 'intent-refused', error };
      }
    }
    // Checked again after the database round trip: a pause here would otherwise send on a lost lease.
    if (handle.signal.aborted) return { status: 'skipped', reason: 'lock-lost' };
    try {
      const order = await this.#options.exchange.placeOrder({
        symbol: placement.symbol,
        side: placement.side,
        type: 'LIMIT',
        price: placement.price,
        quantity: placement.quantity,
        postOnly: placement.postOnly,
        reduceOnly: placement.reduceOnly,
        clientOrderId: placement.clientOrderId,
      });
      return { status: 'accepted', order };
    } catch (error) {
      if (error instanceof ExchangeError && error.kind !== 'unknown-outcome') {
        return { status: 'rejected', error };
      }
      return this.#resolveUnknown(placement.symbol, placement.clientOrderId, error);
    }
  }

  #recordIntent(placement: OrderPlacement, handle: LockHandle): Promise<void> {
    const { database, exchange, instanceId, clock } = this.#options;
    return database.recordIntent({
      exchange: exchange.name,
      symbol: placement.symbol,
      level: placement.level,
      cycle: placement.cycle,
      side: placement.side,
      clientOrderId: placement.clientOrderId,
      price: placement.price,
      quantity: placement.quantity,
      fenceKey: handle.key,
      fencingToken: handle.token,
      instanceId,
      createdAt: clock(),
    });
  }

  /** Looks the order up by client order id; never sends it again (style rule 11). */
  async #resolveUnknown(symbol: string, clientOrderId: string, cause: unknown): Promise<PlacementOutcome> {
    const order = await this.#lookup(symbol, clientOrderId, this.#options.lookupAttempts ?? 3);
    // Not found (or no answer): the request may still be in flight; the slot waits for reconciliation.
    return order === undefined || order === 'failed' ? { status: 'unknown', error: cause } : { status: 'accepted', order };
  }

  /** The venue's view of an id, asking up to `attempts` times while it errs; 'failed' when it never answered. */
  async #lookup(symbol: string, clientOrderId: string, attempts: number): Promise<OrderReport | undefined | 'failed'> {
    const delayMs = this.#options.lookupDelayMs ?? 200;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
      try {
        return await this.#options.exchange.getOrder(symbol, clientOrderId);
      } catch {
        // asked again after a pause
      }
    }
    return 'failed';
  }
}
