/**
 * NoopLock: `distributed_lock.enabled: false` (one instance, R2). It always acquires and is NOT
 * exclusive: it exists so that single-instance code runs the same path as a cluster.
 *
 * Tokens still strictly increase within the process and across restarts: a token is
 * `wall-clock ms × 1000 + n`, never below the previous token + 1. Across a restart this holds as long
 * as the process issued fewer than 1,000 tokens per millisecond on average before stopping and the
 * wall clock was not set back by more than the restart took. The signal aborts only on unlock.
 */
import type { DistributedLock, LockHandle } from '../distributed-lock.js';
import { LeasedLockHandle } from '../leased-lock-handle.js';
import { assertValidTtl } from '../lease-clock.js';

export class NoopLock implements DistributedLock {
  readonly backend = 'noop';
  readonly #prefix: string;
  #lastToken = 0n;

  constructor(options: { prefix?: string } = {}) {
    this.#prefix = options.prefix ?? '';
  }

  async lock(key: string, ttlMs: number): Promise<LockHandle> {
    return this.#acquire(key, ttlMs);
  }

  async tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    return this.#acquire(key, ttlMs);
  }

  /** One sequence for all keys: raising it for one raises it for every key, which keeps each increasing. */
  async raiseTokenFloor(_key: string, floor: bigint): Promise<void> {
    if (this.#lastToken < floor) this.#lastToken = floor;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  #acquire(key: string, ttlMs: number): LockHandle {
    assertValidTtl(ttlMs);
    const fromClock = BigInt(Date.now()) * 1000n;
    this.#lastToken = fromClock > this.#lastToken ? fromClock : this.#lastToken + 1n;
    return new LeasedLockHandle(
      this.#prefix + key,
      this.#lastToken,
      Number.POSITIVE_INFINITY,
      {
        extend: async () => Number.POSITIVE_INFINITY,
        release: async () => true,
      },
      { backend: this.backend },
    );
  }
}
