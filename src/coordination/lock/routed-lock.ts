/**
 * RoutedLock: one DistributedLock in front of two, the configured backend (Redis or etcd) and the
 * shared database's lock, of which exactly one serves at a time. Degraded single-instance mode
 * (src/app/degraded-mode.ts) routes the survivor's ownership leases and order locks to the database
 * while the configured backend is unreachable, and back once it has recovered. Both use the same key
 * prefix, so a key's fence in the intents table is one sequence across both backends; a backend whose
 * tokens lag behind it is raised by the executor (`raiseTokenFloor`, docs/locks.md).
 *
 * Handles already handed out stay with the backend that issued them; the caller stops acting on
 * them before it switches.
 */
import type { DistributedLock, LockHandle, LockOptions } from './distributed-lock.js';

export type LockRoute = 'configured' | 'database';

export class RoutedLock implements DistributedLock {
  readonly #configured: DistributedLock;
  readonly #database: DistributedLock;
  #route: LockRoute = 'configured';

  constructor(configured: DistributedLock, database: DistributedLock) {
    this.#configured = configured;
    this.#database = database;
  }

  /** The configured backend, whatever the route (its health decides degraded mode). */
  get configured(): DistributedLock {
    return this.#configured;
  }

  /** The shared database's lock, whatever the route (the degraded leader's lease lives there). */
  get database(): DistributedLock {
    return this.#database;
  }

  get route(): LockRoute {
    return this.#route;
  }

  routeTo(route: LockRoute): void {
    this.#route = route;
  }

  get backend(): string {
    return this.#current().backend;
  }

  lock(key: string, ttlMs: number, options?: LockOptions): Promise<LockHandle> {
    return this.#current().lock(key, ttlMs, options);
  }

  tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    return this.#current().tryLock(key, ttlMs);
  }

  raiseTokenFloor(key: string, floor: bigint): Promise<void> {
    return this.#current().raiseTokenFloor(key, floor);
  }

  ping(signal?: AbortSignal): Promise<void> {
    return this.#current().ping(signal);
  }

  async close(): Promise<void> {
    await Promise.all([this.#configured.close(), this.#database.close()]);
  }

  #current(): DistributedLock {
    return this.#route === 'configured' ? this.#configured : this.#database;
  }
}
