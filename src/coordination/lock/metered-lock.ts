/**
 * MeteredLock: Prometheus metrics (R9) around any DistributedLock, as a decorator (style rule 13).
 * Labels carry the backend name and outcome only, never a key (keys are unbounded: one per level).
 *
 * - `quantmesh_lock_acquire_total{backend,status}`: acquired | busy (tryLock found a holder) |
 *   timeout (lock gave up: timeoutMs or the caller's signal) | error (backend failure);
 * - `quantmesh_lock_acquire_duration_seconds{backend,status}`: how long `lock`/`tryLock` took, from the
 *   call until it returned (a `lock` includes its wait for the holder), by the same outcome;
 * - `quantmesh_lock_hold_duration_seconds{backend}`: from acquisition until the handle ended;
 * - `quantmesh_lock_lost_total{backend}`: handles that ended without their holder unlocking;
 * - `quantmesh_lock_renewal_failures_total{backend}`: extend calls that failed.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { DistributedLock, LockHandle, LockOptions } from './distributed-lock.js';
import { LockLostError, LockTimeoutError } from './errors.js';
import { monotonicNow } from './lease-clock.js';

interface LockMetrics {
  readonly acquire: Counter<'backend' | 'status'>;
  readonly acquireDuration: Histogram<'backend' | 'status'>;
  readonly hold: Histogram<'backend'>;
  readonly lost: Counter<'backend'>;
  readonly renewalFailures: Counter<'backend'>;
}

/** One set of metrics per registry, however many locks report into it. */
function metricsOf(registry: Registry): LockMetrics {
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  return {
    acquire:
      existing<Counter<'backend' | 'status'>>('quantmesh_lock_acquire_total') ??
      new Counter({
        name: 'quantmesh_lock_acquire_total',
        help: 'Lock acquisition attempts by outcome',
        labelNames: ['backend', 'status'],
        registers: [registry],
      }),
    acquireDuration:
      existing<Histogram<'backend' | 'status'>>('quantmesh_lock_acquire_duration_seconds') ??
      new Histogram({
        name: 'quantmesh_lock_acquire_duration_seconds',
        help: 'How long lock acquisitions took (lock: including the wait for the holder), by outcome',
        labelNames: ['backend', 'status'],
        registers: [registry],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      }),
    hold:
      existing<Histogram<'backend'>>('quantmesh_lock_hold_duration_seconds') ??
      new Histogram({
        name: 'quantmesh_lock_hold_duration_seconds',
        help: 'How long locks were held',
        labelNames: ['backend'],
        registers: [registry],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
      }),
    lost:
      existing<Counter<'backend'>>('quantmesh_lock_lost_total') ??
      new Counter({
        name: 'quantmesh_lock_lost_total',
        help: 'Locks lost before their holder released them',
        labelNames: ['backend'],
        registers: [registry],
      }),
    renewalFailures:
      existing<Counter<'backend'>>('quantmesh_lock_renewal_failures_total') ??
      new Counter({
        name: 'quantmesh_lock_renewal_failures_total',
        help: 'Lease renewals (extend) that failed',
        labelNames: ['backend'],
        registers: [registry],
      }),
  };
}

export class MeteredLock implements DistributedLock {
  readonly #inner: DistributedLock;
  readonly #metrics: LockMetrics;

  constructor(inner: DistributedLock, registry: Registry) {
    this.#inner = inner;
    this.#metrics = metricsOf(registry);
  }

  get backend(): string {
    return this.#inner.backend;
  }

  async lock(key: string, ttlMs: number, options?: LockOptions): Promise<LockHandle> {
    const started = monotonicNow();
    try {
      return this.#track(await this.#inner.lock(key, ttlMs, options), started);
    } catch (error) {
      const gaveUp =
        error instanceof LockTimeoutError || (options?.signal?.aborted === true && error === options.signal.reason);
      this.#count(gaveUp ? 'timeout' : 'error', started);
      throw error;
    }
  }

  async tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    const started = monotonicNow();
    let handle: LockHandle | undefined;
    try {
      handle = await this.#inner.tryLock(key, ttlMs);
    } catch (error) {
      this.#count('error', started);
      throw error;
    }
    if (handle === undefined) {
      this.#count('busy', started);
      return undefined;
    }
    return this.#track(handle, started);
  }

  raiseTokenFloor(key: string, floor: bigint): Promise<void> {
    return this.#inner.raiseTokenFloor(key, floor);
  }

  ping(signal?: AbortSignal): Promise<void> {
    return this.#inner.ping(signal);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Counts one acquisition's outcome and how long it took since `started` (monotonic ms). */
  #count(status: 'acquired' | 'busy' | 'timeout' | 'error', started: number): void {
    this.#metrics.acquire.inc({ backend: this.backend, status });
    this.#metrics.acquireDuration.observe({ backend: this.backend, status }, (monotonicNow() - started) / 1000);
  }

  #track(handle: LockHandle, started: number): LockHandle {
    this.#count('acquired', started);
    const backend = this.backend;
    const metrics = this.#metrics;
    const since = monotonicNow();
    let unlocking = false;
    handle.signal.addEventListener(
      'abort',
      () => {
        metrics.hold.observe({ backend }, (monotonicNow() - since) / 1000);
        if (!unlocking) metrics.lost.inc({ backend });
      },
      { once: true },
    );
    return {
      key: handle.key,
      token: handle.token,
      get signal() {
        return handle.signal;
      },
      get remainingMs() {
        return handle.remainingMs;
      },
      async extend(ttlMs: number) {
        try {
          await handle.extend(ttlMs);
        } catch (error) {
          metrics.renewalFailures.inc({ backend });
          throw error;
        }
      },
      async unlock() {
        const endedBefore = handle.signal.aborted;
        unlocking = true;
        try {
          await handle.unlock();
        } catch (error) {
          // Refused by the backend: the lock was lost while its holder still believed it held it.
          if (!endedBefore && error instanceof LockLostError) metrics.lost.inc({ backend });
          throw error;
        }
      },
    };
  }
}
