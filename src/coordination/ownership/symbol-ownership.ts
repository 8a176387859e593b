/**
 * Symbol ownership (R1, R10 "instance down", Invariant 4): one lease per symbol on the
 * DistributedLock port, under `owner:{exchange}:{symbol}`, in the manner of etcd's
 * client/v3/concurrency Election. Whoever holds the lease trades the symbol; everyone else campaigns.
 *
 * Invariants:
 * - `won` is called only once the lease is held, and `lost` as soon as the lease's signal aborts
 *   (lost, a renewal refused, or the lease may have run out on the local monotonic clock), before
 *   the unlock is even tried: an unreachable backend cannot delay the runner's stop. For one symbol
 *   the two strictly alternate, starting with `won`.
 * - A campaign outlives backend failures: `lock` keeps trying with backoff while the backend is
 *   unreachable, and a lost lease is campaigned for again at once (it is then `lost` until won).
 * - The lease is renewed at a third of its TTL by `withLock` (the one renewal loop of the lock port).
 * - `stop` ends every campaign and releases what is held; it is not a loss (`lost` is not called),
 *   so the caller stops trading first and then stops the campaigns. A lease is released only once
 *   what its `won` returned has settled (or the lease was lost meanwhile). Idempotent.
 * - `release` does the same for one symbol (a handover under dynamic allocation): the caller stops
 *   the symbol's runner first. A symbol has at most one campaign: `campaign` skips a symbol whose
 *   campaign runs, and a released symbol may be campaigned for again once `release` resolved.
 */
import type { Logger } from 'pino';
import { sleep } from '../lock/backoff.js';
import { type DistributedLock, type LockHandle, ownershipKey } from '../lock/distributed-lock.js';
import { withLock } from '../lock/with-lock.js';

/**
 * `waiting`: never owned here yet; `owned`: the lease is held; `lost`: it was held, then lost;
 * `unassigned`: dynamic allocation gives the symbol to another instance, so it is not campaigned
 * for here (the instance reports it; a campaign is never in this state).
 */
export type OwnershipState = 'waiting' | 'owned' | 'lost' | 'unassigned';

export interface OwnedSymbol {
  readonly exchange: string;
  readonly symbol: string;
}

/**
 * A won ownership lease as its holder fences work by it: the key and token reach the database with
 * every order intent; `signal` and `remainingMs` (both re-read the local clock) are checked before
 * a send, against a margin of `ttlMs`.
 */
export interface OwnershipLease {
  readonly key: string;
  readonly token: bigint;
  readonly signal: AbortSignal;
  readonly remainingMs: number;
  readonly ttlMs: number;
}

export interface OwnershipListener {
  /**
   * The lease is held (and claimed): the symbol may trade. `lease.signal` aborts when the lease is
   * lost or released; its key and token fence what is done under it. What it returns is awaited,
   * under the lease, before `stop` releases it (a symbol won as the instance stops is wound down
   * while still owned).
   */
  won(owned: OwnedSymbol, lease: OwnershipLease): void | Promise<void>;
  /** The lease was lost while held: stop acting on the symbol at once. `reason`: the signal's reason. */
  lost(owned: OwnedSymbol, reason: unknown): void;
}

export interface SymbolOwnershipOptions {
  readonly lock: DistributedLock;
  /** Lease TTL (`coordination.lease_ttl`). */
  readonly ttlMs: number;
  readonly listener: OwnershipListener;
  readonly logger: Logger;
  /**
   * Runs once the lease is held, before `won`: the new holder fences the previous one out (the app
   * raises the ownership fence in the database). A rejection gives the lease up and campaigns again
   * after a pause, so a symbol is never traded under a lease that could not be claimed; `'again'`
   * gives it up and campaigns again at once (the lease was refused for a cause the claim already
   * removed, e.g. a token below the fence whose backend floor it raised).
   */
  readonly claim?: (owned: OwnedSymbol, lease: OwnershipLease) => Promise<'claimed' | 'again'>;
}

/** Pause after a campaign failed other than by a lost lease (a refused TTL, a broken backend call). */
const RETRY_AFTER_FAILURE_MS = 1000;

export class SymbolOwnership {
  readonly #options: SymbolOwnershipOptions;
  readonly #states = new Map<string, OwnershipState>();
  readonly #stopped = new AbortController();
  /** The running campaigns, by symbol key: what ends one, and its end. */
  readonly #campaigns = new Map<string, { readonly end: AbortController; readonly done: Promise<void> }>();

  constructor(options: SymbolOwnershipOptions) {
    this.#options = options;
  }

  /**
   * Campaigns for each symbol until `stop`, after `delayMs` (a hot standby lets the active
   * instances win first on a cold start). Each new symbol is `waiting` from now on; a symbol
   * campaigned for already is left as it is.
   */
  campaign(symbols: readonly OwnedSymbol[], delayMs = 0): void {
    for (const owned of symbols) {
      const key = keyOf(owned);
      if (this.#stopped.signal.aborted || this.#campaigns.has(key)) continue;
      this.#states.set(key, 'waiting');
      const end = new AbortController();
      this.#campaigns.set(key, {
        end,
        done: this.#run(owned, delayMs, AbortSignal.any([this.#stopped.signal, end.signal])),
      });
    }
  }

  /**
   * Ends the campaign for one symbol and releases its lease if held (not a loss: `lost` is not
   * called); resolves once released. The symbol is no longer campaigned for here (state undefined).
   */
  async release(owned: OwnedSymbol): Promise<void> {
    const key = keyOf(owned);
    const campaign = this.#campaigns.get(key);
    if (campaign === undefined) return;
    campaign.end.abort(new Error('ownership handed over'));
    await campaign.done;
    if (this.#campaigns.get(key) === campaign) {
      this.#campaigns.delete(key);
      this.#states.delete(key);
    }
  }

  /** The symbol's state here; undefined when this instance does not campaign for it. */
  state(exchange: string, symbol: string): OwnershipState | undefined {
    return this.#states.get(keyOf({ exchange, symbol }));
  }

  /** Ends the campaigns and releases every lease held (best effort); idempotent. */
  async stop(): Promise<void> {
    this.#stopped.abort(new Error('ownership campaigns stopped'));
    await Promise.all([...this.#campaigns.values()].map((campaign) => campaign.done));
  }

  /** Campaigns until `stop` aborts (the instance stops, or this symbol is released). */
  async #run(owned: OwnedSymbol, delayMs: number, stop: AbortSignal): Promise<void> {
    const { lock, ttlMs, logger } = this.#options;
    const symbol = `${owned.exchange}:${owned.symbol}`;
    if (delayMs > 0) await sleep(delayMs, stop).catch(() => undefined);
    while (!stop.aborted) {
      try {
        await withLock(
          lock,
          ownershipKey(owned.exchange, owned.symbol),
          ttlMs,
          async (held, handle) => {
            const lease = ownershipLease(handle, ttlMs);
            if ((await this.#options.claim?.(owned, lease)) === 'again') return;
            if (held.aborted || stop.aborted) return;
            this.#states.set(keyOf(owned), 'owned');
            const acting = Promise.resolve(this.#options.listener.won(owned, lease)).catch(() => undefined);
            await untilEither(held, stop);
            if (stop.aborted) {
              if (this.#stopped.signal.aborted) await Promise.race([acting, untilEither(held, held)]);
              return;
            }
            this.#states.set(keyOf(owned), 'lost');
            this.#options.listener.lost(owned, held.reason);
          },
          {
            signal: stop,
            onRenewalFailure: (error) =>
              logger.warn({ symbol, err: error }, 'ownership lease renewal failed (retried at the next renewal)'),
          },
        );
      } catch (error) {
        if (stop.aborted) return;
        logger.warn({ symbol, err: error }, 'ownership campaign failed; campaigning again');
        await sleep(RETRY_AFTER_FAILURE_MS, stop).catch(() => undefined);
      }
    }
  }
}

/** `exchange:symbol`: a symbol's key here, and what dynamic allocation hashes. */
export function keyOf(owned: OwnedSymbol): string {
  return `${owned.exchange}:${owned.symbol}`;
}

/** A held lease of `ttlMs` as an OwnershipLease (signal and remainingMs stay live views of the handle). */
export function ownershipLease(handle: LockHandle, ttlMs: number): OwnershipLease {
  return {
    key: handle.key,
    token: handle.token,
    ttlMs,
    get signal() {
      return handle.signal;
    },
    get remainingMs() {
      return handle.remainingMs;
    },
  };
}

/** Resolves when either signal aborts. */
function untilEither(first: AbortSignal, second: AbortSignal): Promise<void> {
  if (first.aborted || second.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      first.removeEventListener('abort', done);
      second.removeEventListener('abort', done);
      resolve();
    };
    first.addEventListener('abort', done, { once: true });
    second.addEventListener('abort', done, { once: true });
  });
}
