/**
 * The DistributedLock port (R2) and the lock half of Invariant 1.
 *
 * A lease-based lock cannot alone promise mutual exclusion: a holder paused past its lease wakes up
 * believing it still holds the lock. So every acquisition carries:
 * - a fencing `token` that strictly increases per key across holders, which the database checks
 *   when an order intent is written (storage: fenced intent write);
 * - a `signal` that aborts when the lock is lost or the lease may have run out, judged on the local
 *   monotonic clock with a drift margin, so a holder that was paused learns it before it acts.
 *
 * Adapters: RedisLock, EtcdLock, SqlLock, MemoryLock, NoopLock (`coordination/lock/<backend>/`).
 */
export interface LockHandle {
  /** The full key as stored (prefix included). */
  readonly key: string;
  /** Fencing token: strictly greater than every token handed out earlier for this key. */
  readonly token: bigint;
  /** Aborts when the lock is lost, released, or its lease may have expired. */
  readonly signal: AbortSignal;
  /**
   * Milliseconds left before the lease may have run out on the local monotonic clock (drift margin
   * taken off), read synchronously; 0 once the lock ended. A side effect that takes time to reach
   * its target (an order on its way to the venue) needs a margin of it, not only a live signal.
   */
  readonly remainingMs: number;
  /**
   * Extends the lease to `ttlMs` from now. Throws LockLostError when this handle no longer holds the
   * lock (expired, taken over, released); the signal is aborted in that case.
   */
  extend(ttlMs: number): Promise<void>;
  /** Releases the lock if this handle still holds it; idempotent. Throws LockLostError when it was lost. */
  unlock(): Promise<void>;
}

export interface LockOptions {
  /** Ends the wait; `lock` then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Gives up waiting after this many milliseconds with LockTimeoutError. */
  readonly timeoutMs?: number;
}

export interface DistributedLock {
  /** Backend name for metrics and logs: `redis`, `etcd`, `database`, `memory`, `noop`. */
  readonly backend: string;
  /**
   * Waits until `key` (stored as prefix + key) is acquired, watching or backing off with jitter,
   * never polling tightly. Ends with LockTimeoutError after `timeoutMs` (its cause: the last backend
   * failure, if any) or with the signal's reason; either way no waiter or handle is left behind. An
   * unreachable backend does not end the wait: attempts continue with backoff.
   * `ttlMs`: a positive integer above its drift margin (RangeError otherwise); etcd holds for its
   * session instead.
   */
  lock(key: string, ttlMs: number, options?: LockOptions): Promise<LockHandle>;
  /**
   * One attempt: the handle, or undefined when another holder has the key. Throws
   * LockBackendUnavailableError (with the cause) when the backend cannot answer.
   */
  tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined>;
  /**
   * Fencing continuity (Invariant 1): after it resolves, every token later handed out for `key`
   * (stored as prefix + key) is greater than `floor`. The engine calls it with the highest token
   * the fenced intents recorded when a backend that forgot its counters (restarted empty, a new
   * Redis, a fresh etcd) hands out tokens below it. It never lowers anything and never affects a
   * live holder. Throws LockBackendUnavailableError when the backend cannot answer.
   */
  raiseTokenFloor(key: string, floor: bigint): Promise<void>;
  /** Resolves when the backend answers; throws LockBackendUnavailableError with the cause otherwise. */
  ping(signal?: AbortSignal): Promise<void>;
  /** Releases what this process holds (best effort) and closes connections; idempotent. */
  close(): Promise<void>;
}

/** R3 key shapes. `exchange` and `symbol` are as configured; `level` is the lattice level (an integer). */
export function symbolLockKey(exchange: string, symbol: string): string {
  return `order:${exchange}:${symbol}`;
}

export function levelLockKey(exchange: string, symbol: string, level: number): string {
  return `order:${exchange}:${symbol}:${level}`;
}

/**
 * Symbol ownership (R1, Invariant 4): the one instance holding this key trades the symbol. Apart
 * from the R3 order keys, so the per-order lock under it is never the same key as the ownership lease.
 */
export function ownershipKey(exchange: string, symbol: string): string {
  return `owner:${exchange}:${symbol}`;
}
