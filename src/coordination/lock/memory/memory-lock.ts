/**
 * MemoryLock: the DistributedLock port inside one process (single instance, tests). Mutual
 * exclusion holds between the users of ONE MemoryLock object; fencing tokens strictly increase per
 * key for the life of that object. Leases expire on the monotonic clock exactly like the network
 * backends, and waiters are woken by releases and expiries (no polling).
 */
import { randomUUID } from 'node:crypto';
import type { DistributedLock, LockHandle, LockOptions } from '../distributed-lock.js';
import { LeasedLockHandle } from '../leased-lock-handle.js';
import { HeldLocks } from '../held-locks.js';
import { assertValidTtl, leaseEnd, monotonicNow } from '../lease-clock.js';
import { waitForLock } from '../wait-for-lock.js';
import { sleep } from '../backoff.js';

interface Lease {
  readonly owner: string;
  expiresAt: number;
}

export class MemoryLock implements DistributedLock {
  readonly backend = 'memory';
  readonly #prefix: string;
  readonly #leases = new Map<string, Lease>();
  readonly #tokens = new Map<string, bigint>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #held = new HeldLocks();

  constructor(options: { prefix?: string } = {}) {
    this.#prefix = options.prefix ?? '';
  }

  async lock(key: string, ttlMs: number, options?: LockOptions): Promise<LockHandle> {
    assertValidTtl(ttlMs);
    const fullKey = this.#prefix + key;
    return waitForLock(fullKey, options, {
      attempt: async () => this.#attempt(fullKey, ttlMs),
      waitForChange: (signal) => this.#waitForChange(fullKey, signal),
    });
  }

  async tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    assertValidTtl(ttlMs);
    return this.#attempt(this.#prefix + key, ttlMs);
  }

  async raiseTokenFloor(key: string, floor: bigint): Promise<void> {
    const fullKey = this.#prefix + key;
    if ((this.#tokens.get(fullKey) ?? 0n) < floor) this.#tokens.set(fullKey, floor);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    await this.#held.releaseAll();
  }

  #attempt(key: string, ttlMs: number): LockHandle | undefined {
    const now = monotonicNow();
    const current = this.#leases.get(key);
    if (current !== undefined && current.expiresAt > now) return undefined;
    const lease: Lease = { owner: randomUUID(), expiresAt: now + ttlMs };
    this.#leases.set(key, lease);
    const token = (this.#tokens.get(key) ?? 0n) + 1n;
    this.#tokens.set(key, token);
    const handle = new LeasedLockHandle(
      key,
      token,
      leaseEnd(now, ttlMs),
      {
        extend: async (nextTtlMs) => {
          const sentAt = monotonicNow();
          if (!this.#owns(key, lease.owner, sentAt)) return undefined;
          lease.expiresAt = sentAt + nextTtlMs;
          return leaseEnd(sentAt, nextTtlMs);
        },
        release: async () => {
          if (!this.#owns(key, lease.owner, monotonicNow())) return false;
          this.#leases.delete(key);
          for (const wake of this.#waiters.get(key) ?? []) wake();
          return true;
        },
      },
      { backend: this.backend, onEnd: this.#held.forget },
    );
    this.#held.add(handle);
    return handle;
  }

  #owns(key: string, owner: string, now: number): boolean {
    const lease = this.#leases.get(key);
    return lease !== undefined && lease.owner === owner && lease.expiresAt > now;
  }

  /** Wakes on the holder's release, or when its lease runs out. */
  async #waitForChange(key: string, signal: AbortSignal): Promise<void> {
    const expiresIn = (this.#leases.get(key)?.expiresAt ?? 0) - monotonicNow();
    const waiters = this.#waiters.get(key) ?? new Set<() => void>();
    this.#waiters.set(key, waiters);
    const released = new AbortController();
    const wake = () => released.abort();
    waiters.add(wake);
    const both = AbortSignal.any([signal, released.signal]);
    try {
      await sleep(Math.max(0, expiresIn), both);
    } catch (error) {
      if (signal.aborted) throw error;
    } finally {
      waiters.delete(wake);
      if (waiters.size === 0) this.#waiters.delete(key);
    }
  }
}
