/**
 * Carries one order placement (a grid slot's limit order, or a market close of the grid position)
 * out through the ports, keeping Invariant 1 (no duplicate orders):
 *
 *   lock (R3: symbol or level key) → check the lock's and the symbol ownership's signals → record
 *   the intent fenced by both tokens in the shared database, in one transaction (stale tokens and
 *   repeated (slot, cycle, side) intents are refused) → check both leases again, each with at least
 *   `sendMarginMs` left on the local clock → send with the deterministic client order id (the venue
 *   refuses a duplicate) → on an unknown outcome, look the order up by client order id before
 *   anything is sent again.
 *
 * The ownership fence is what stops an owner paused past its lease (SIGSTOP, a long GC): its
 * per-order lock may be fresh, but its ownership token is below the one the new owner claimed at
 * takeover (`Database.claimFence`), so the database refuses its intent; paused after the intent, it
 * finds the lease's local deadline passed (or too close) when it resumes and sends nothing.
 *
 * A window of one symbol's orders (`placeWindow`) goes the same way once for all of them with symbol
 * granularity: one lock acquisition, one intent write with each fence checked once, one venue call
 * (its batch endpoint where it has one); each order then succeeds or fails on its own.
 *
 * Invariant 4 (fail safe): when the lock cannot be taken or its signal is aborted, nothing is sent.
 * An intent is written at most once. A retry after an unknown outcome is a lookup, never a blind
 * second send: an intent is sent again only after the venue said it does not have the order.
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { OrderSide } from '../../domain/order.js';
import {
  type DistributedLock,
  type LockHandle,
  levelLockKey,
  symbolLockKey,
} from '../../coordination/lock/distributed-lock.js';
import type { OwnershipLease } from '../../coordination/ownership/symbol-ownership.js';
import { ExchangeError } from '../../exchange/errors.js';
import type { BatchPlaceResult, Exchange, OrderReport, PlaceOrderRequest } from '../../exchange/exchange.js';
import type { Database } from '../../storage/database.js';
import { DatabaseUnavailableError, DuplicateIntentError, StaleFencingTokenError } from '../../storage/errors.js';

export type LockGranularity = 'symbol' | 'level';

/** A grid slot's limit order: its intent is the slot's round (level, cycle, side). */
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

/**
 * A market sell that closes (part of) a grid's position. It has no slot: it is locked under the
 * symbol key whatever the granularity (it touches every level) and its intent round comes from
 * `closeIntentRound`.
 */
export interface ClosePlacement {
  readonly symbol: string;
  readonly quantity: Decimal;
  readonly reduceOnly: boolean;
  readonly clientOrderId: string;
  /** The time (epoch ms) and close sequence number of the decision, as encoded in its client order id. */
  readonly decidedAt: number;
  readonly sequence: number;
}

/** One placement as the executor carries it out: under which key, recorded as which intent, sent as which request. */
interface Send {
  readonly lockKey: string;
  readonly level: number;
  readonly cycle: number;
  /** The intent's price: the limit price, or 0 for a market order (it has none). */
  readonly intentPrice: Decimal;
  readonly request: PlaceOrderRequest;
}

const MINUTE_MS = 60_000;

/**
 * The intents table keys every intent by (exchange, symbol, level, cycle, side) in 32-bit integer
 * columns (docs/storage.md). A close has no slot, so it gets a round no grid order can have: grid
 * cycles start at 0 and a close's cycle is negative. level = the minute of the decision, cycle =
 * −(1 + millisecond within that minute × 1000 + sequence mod 1000): one round per close id, unless a
 * grid decided 1,000 closes in one millisecond (it keeps one outstanding at a time).
 */
export function closeIntentRound(
  decidedAt: number,
  sequence: number,
): { readonly level: number; readonly cycle: number } {
  return { level: Math.floor(decidedAt / MINUTE_MS), cycle: -(1 + (decidedAt % MINUTE_MS) * 1000 + (sequence % 1000)) };
}

export type PlacementOutcome =
  | { readonly status: 'accepted'; readonly order: OrderReport }
  /** The venue refused definitively: nothing rests at the venue for this intent. */
  | { readonly status: 'rejected'; readonly error: ExchangeError }
  /** Not sent: another holder has the lock, ownership was lost, or the intent was refused. */
  | {
      readonly status: 'skipped';
      readonly reason: 'lock-busy' | 'lock-lost' | 'intent-refused' | 'database-unavailable';
      readonly error?: unknown;
    }
  /** Sent, and the outcome is still unknown after lookups: the slot stays blocked until reconciliation. */
  | { readonly status: 'unknown'; readonly error: unknown };

export interface OrderExecutorOptions {
  readonly exchange: Exchange;
  readonly database: Database;
  readonly lock: DistributedLock;
  readonly granularity: LockGranularity;
  readonly lockTtlMs: number;
  /**
   * A placement is sent only while the per-order lock and the ownership lease each have at least
   * this long left on the local clock: the order must reach the venue before another holder can
   * act. Default: a quarter of each lease's TTL, at most 1 s.
   */
  readonly sendMarginMs?: number;
  readonly instanceId: string;
  readonly clock: () => number;
  /** Lookups after an unknown outcome before giving up to reconciliation. */
  readonly lookupAttempts?: number;
  readonly lookupDelayMs?: number;
  /**
   * Called after a live holder's token was refused as stale and the lock's token floor was raised
   * to the recorded one (the lock backend forgot its counters: restarted empty, a new Redis, a fresh
   * etcd); the next acquisition is above it. The app alerts `fencing-resynchronised`.
   */
  readonly onFencingResynchronised?: (resync: {
    readonly lockKey: string;
    readonly refused: bigint;
    readonly recorded: bigint;
  }) => void;
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
  place(placement: OrderPlacement | ClosePlacement, ownership?: OwnershipLease): Promise<PlacementOutcome> {
    const send = 'level' in placement ? this.#limitSend(placement) : this.#closeSend(placement);
    return this.#queued(send.lockKey, () => this.#placeLocked([send], ownership)).then((outcomes) => outcomes[0]!);
  }

  /**
   * A window of one symbol's limit orders (a grid's first buys, a window that moved several levels):
   * with symbol granularity they share one lock acquisition, one intent write (`recordIntents`) and
   * one venue call (`placeOrders`, the venue's batch endpoint where it has one). With level
   * granularity each has its own key and is placed as `place` places it. Outcomes in the order given.
   */
  placeWindow(placements: readonly OrderPlacement[], ownership?: OwnershipLease): Promise<PlacementOutcome[]> {
    const sends = placements.map((placement) => this.#limitSend(placement));
    if (this.#options.granularity === 'level' || sends.length < 2)
      return Promise.all(placements.map((placement) => this.place(placement, ownership)));
    return this.#queued(sends[0]!.lockKey, () => this.#placeLocked(sends, ownership));
  }

  #queued<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return run;
  }

  #limitSend(placement: OrderPlacement): Send {
    const { symbol, level, cycle, side, price, quantity, postOnly, reduceOnly, clientOrderId } = placement;
    return {
      lockKey: this.lockKey(symbol, level),
      level,
      cycle,
      intentPrice: price,
      request: { symbol, side, type: 'LIMIT', price, quantity, postOnly, reduceOnly, clientOrderId },
    };
  }

  #closeSend(placement: ClosePlacement): Send {
    const { symbol, quantity, reduceOnly, clientOrderId } = placement;
    return {
      lockKey: symbolLockKey(this.#options.exchange.name, symbol),
      ...closeIntentRound(placement.decidedAt, placement.sequence),
      intentPrice: ZERO,
      request: { symbol, side: 'SELL', type: 'MARKET', quantity, postOnly: false, reduceOnly, clientOrderId },
    };
  }

  /** `sends` share one lock key. */
  async #placeLocked(sends: readonly Send[], ownership: OwnershipLease | undefined): Promise<PlacementOutcome[]> {
    const { lock, lockTtlMs } = this.#options;
    const all = (outcome: PlacementOutcome) => sends.map(() => outcome);
    if (ownership?.signal.aborted === true) return all({ status: 'skipped', reason: 'lock-lost' });
    let handle: LockHandle | undefined;
    try {
      handle = await lock.tryLock(sends[0]!.lockKey, lockTtlMs);
    } catch (error) {
      return all({ status: 'skipped', reason: 'lock-lost', error });
    }
    if (handle === undefined) return all({ status: 'skipped', reason: 'lock-busy' });
    try {
      return await this.#placeHolding(sends, handle, ownership);
    } finally {
      // A release that fails only means the lease runs out on its own; the intent already fences.
      await handle.unlock().catch(() => undefined);
    }
  }

  async #placeHolding(
    sends: readonly Send[],
    handle: LockHandle,
    ownership: OwnershipLease | undefined,
  ): Promise<PlacementOutcome[]> {
    const all = (outcome: PlacementOutcome) => sends.map(() => outcome);
    // Not even recorded without a margin left: an intent that cannot be sent would only use up its round.
    if (!this.#leasesLeft(handle, ownership)) return all({ status: 'skipped', reason: 'lock-lost' });
    let existing: ReadonlySet<string>;
    try {
      existing = new Set(await this.#recordIntents(sends, handle, ownership));
    } catch (error) {
      // Only the per-order lock's counter is resynchronised; a stale ownership token is a lost symbol.
      if (error instanceof StaleFencingTokenError && error.fenceKey === handle.key && !handle.signal.aborted)
        await this.#resynchronise(sends[0]!.lockKey, error);
      return all({
        status: 'skipped',
        reason:
          error instanceof DatabaseUnavailableError
            ? 'database-unavailable'
            : error instanceof StaleFencingTokenError
              ? 'lock-lost'
              : 'intent-refused',
        error,
      });
    }
    // An intent recorded before (its send was resolved as never reaching the venue, or another holder
    // recorded it): the venue decides. Found: adopt it. Not found: send it now; a concurrent send of
    // the same id by a former holder is refused by the venue while it is open.
    const outcomes: (PlacementOutcome | undefined)[] = await Promise.all(
      sends.map(async ({ request }): Promise<PlacementOutcome | undefined> => {
        if (!existing.has(request.clientOrderId)) return undefined;
        const found = await this.#lookup(request.symbol, request.clientOrderId, 1);
        if (found === 'failed')
          return {
            status: 'skipped',
            reason: 'intent-refused',
            error: new DuplicateIntentError(this.#options.exchange.name, request.clientOrderId),
          };
        return found === undefined ? undefined : { status: 'accepted', order: found };
      }),
    );
    const toSend = sends.filter((_, index) => outcomes[index] === undefined);
    // Checked again after the database round trip, synchronously right before the send: a pause
    // here would otherwise send on a lost lease, and an order needs time to reach the venue.
    const leasesLeft = this.#leasesLeft(handle, ownership);
    const sent = !leasesLeft
      ? toSend.map((): PlacementOutcome => ({ status: 'skipped', reason: 'lock-lost' }))
      : await this.#send(toSend.map((send) => send.request));
    return outcomes.map((outcome) => outcome ?? sent.shift()!);
  }

  /** One request through `placeOrder`, several through `placeOrders` (each entry succeeds or fails on its own). */
  async #send(requests: readonly PlaceOrderRequest[]): Promise<PlacementOutcome[]> {
    const { exchange } = this.#options;
    if (requests.length === 0) return [];
    if (requests.length === 1) {
      const request = requests[0]!;
      try {
        return [{ status: 'accepted', order: await exchange.placeOrder(request) }];
      } catch (error) {
        return [await this.#failed(request, error)];
      }
    }
    let results: readonly BatchPlaceResult[];
    try {
      results = await exchange.placeOrders(requests);
    } catch (error) {
      return Promise.all(requests.map((request) => this.#failed(request, error)));
    }
    return Promise.all(
      requests.map((request, index): Promise<PlacementOutcome> | PlacementOutcome => {
        const result = results[index];
        if (result?.ok === true) return { status: 'accepted', order: result.order };
        return this.#failed(request, result?.error ?? new Error('the venue answered no entry for this order'));
      }),
    );
  }

  /** A definitive refusal is a rejection; anything else may have reached the venue: looked up, never sent again. */
  #failed(request: PlaceOrderRequest, error: unknown): Promise<PlacementOutcome> | PlacementOutcome {
    if (error instanceof ExchangeError && error.kind !== 'unknown-outcome') return { status: 'rejected', error };
    return this.#resolveUnknown(request.symbol, request.clientOrderId, error);
  }

  /**
   * Fencing continuity (Invariant 1): a holder whose lease is live yet whose token is below the
   * recorded fence holds a token from a backend that forgot its counters. Raising the floor only
   * makes later tokens larger, so it is safe whoever else holds or held the key; this placement is
   * skipped and the next acquisition's token is above the recorded one.
   */
  async #resynchronise(lockKey: string, stale: StaleFencingTokenError): Promise<void> {
    try {
      await this.#options.lock.raiseTokenFloor(lockKey, stale.highestToken);
    } catch {
      return; // the backend is unreachable: the next stale refusal tries again
    }
    this.#options.onFencingResynchronised?.({ lockKey, refused: stale.fencingToken, recorded: stale.highestToken });
  }

  /** Whether both leases are live with the send margin left (`signal` and `remainingMs` re-read the clock). */
  #leasesLeft(handle: LockHandle, ownership: OwnershipLease | undefined): boolean {
    const { sendMarginMs, lockTtlMs } = this.#options;
    const left = (lease: Pick<LockHandle, 'signal' | 'remainingMs'>, ttlMs: number) =>
      !lease.signal.aborted && lease.remainingMs >= (sendMarginMs ?? Math.min(1000, Math.floor(ttlMs / 4)));
    return left(handle, lockTtlMs) && (ownership === undefined || left(ownership, ownership.ttlMs));
  }

  /** Resolves with the client order ids whose intents were recorded before (`Database.recordIntents`). */
  #recordIntents(
    sends: readonly Send[],
    handle: LockHandle,
    ownership: OwnershipLease | undefined,
  ): Promise<readonly string[]> {
    const { database, exchange, instanceId, clock } = this.#options;
    const createdAt = clock();
    return database.recordIntents(
      sends.map((send) => ({
        exchange: exchange.name,
        symbol: send.request.symbol,
        level: send.level,
        cycle: send.cycle,
        side: send.request.side,
        clientOrderId: send.request.clientOrderId,
        price: send.intentPrice,
        quantity: send.request.quantity,
        fenceKey: handle.key,
        fencingToken: handle.token,
        ownershipFence:
          ownership === undefined ? undefined : { fenceKey: ownership.key, fencingToken: ownership.token },
        instanceId,
        createdAt,
      })),
    );
  }

  /** Looks the order up by client order id; never sends it again (style rule 11). */
  async #resolveUnknown(symbol: string, clientOrderId: string, cause: unknown): Promise<PlacementOutcome> {
    const order = await this.lookup(symbol, clientOrderId);
    // Not found (or no answer): the request may still be in flight; the slot waits for reconciliation.
    return order === undefined || order === 'failed'
      ? { status: 'unknown', error: cause }
      : { status: 'accepted', order };
  }

  /**
   * The engine's one lookup policy: the venue's view of an id (undefined: it answered that it does
   * not hold it), asked up to `lookupAttempts` times (default 3) while it errs, `lookupDelayMs` ×
   * attempt apart; 'failed' when it never answered. Used after an unknown outcome here and for every
   * lookup the runner makes.
   */
  lookup(symbol: string, clientOrderId: string): Promise<OrderReport | undefined | 'failed'> {
    return this.#lookup(symbol, clientOrderId, this.#options.lookupAttempts ?? 3);
  }

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
