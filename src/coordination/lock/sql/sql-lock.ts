/**
 * SqlLock (`type: database`, R2, lock half of Invariant 1) on PostgreSQL, MySQL/MariaDB or SQLite
 * through Kysely. Acquire, extend and release are single compare-and-act statements
 * (sql-lock-statements.ts), correct through a connection pool; leases expire on the database's
 * clock and an expired lease is taken over; the fencing token is a per-key column that only grows.
 * Waiters back off with jitter (a database has no portable change feed).
 */
import { createTableOnce } from './create-table-once.js';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DistributedLock, LockHandle, LockOptions } from '../distributed-lock.js';
import { LeasedLockHandle } from '../leased-lock-handle.js';
import { HeldLocks } from '../held-locks.js';
import { assertValidTtl, leaseEnd, monotonicNow } from '../lease-clock.js';
import { Backoff, sleep } from '../backoff.js';
import { waitForLock } from '../wait-for-lock.js';
import { callBackend } from '../backend-call.js';
import { abortable } from '../abortable.js';
import { type SqlLockDialect, acquire, createTable, extend, raiseFloor, release } from './sql-lock-statements.js';
import { sql } from 'kysely';

export interface SqlLockOptions {
  readonly db: Kysely<any>;
  readonly dialect: SqlLockDialect;
  readonly prefix?: string;
  /** Destroy `db` on close (when the lock created it). */
  readonly ownsDb?: boolean;
}

export class SqlLock implements DistributedLock {
  readonly backend = 'database';
  readonly #db: Kysely<any>;
  readonly #dialect: SqlLockDialect;
  readonly #prefix: string;
  readonly #ownsDb: boolean;
  readonly #held = new HeldLocks();
  /** Creates the table on first use (the adapters' shared rule: once, one retry for racing instances). */
  readonly #ensureSchema: () => Promise<void>;

  constructor(options: SqlLockOptions) {
    this.#db = options.db;
    this.#dialect = options.dialect;
    this.#ensureSchema = createTableOnce(options.db, () => createTable(options.dialect));
    this.#prefix = options.prefix ?? '';
    this.#ownsDb = options.ownsDb ?? false;
  }

  async lock(key: string, ttlMs: number, options?: LockOptions): Promise<LockHandle> {
    assertValidTtl(ttlMs);
    const fullKey = this.#prefix + key;
    const backoff = new Backoff();
    return waitForLock(fullKey, options, {
      attempt: () => this.#attempt(fullKey, ttlMs),
      waitForChange: (signal) => sleep(backoff.next(), signal),
    });
  }

  async tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    assertValidTtl(ttlMs);
    return this.#attempt(this.#prefix + key, ttlMs);
  }

  async raiseTokenFloor(key: string, floor: bigint): Promise<void> {
    await callBackend(this.backend, () => this.#ensureSchema());
    await callBackend(this.backend, () => raiseFloor(this.#db, this.#dialect, this.#prefix + key, floor));
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await callBackend(this.backend, () => abortable(sql`SELECT 1`.execute(this.#db), signal));
  }

  async close(): Promise<void> {
    await this.#held.releaseAll();
    if (this.#ownsDb) await this.#db.destroy();
  }

  async #attempt(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    await callBackend(this.backend, () => this.#ensureSchema());
    const owner = randomUUID();
    const sentAt = monotonicNow();
    const token = await callBackend(this.backend, () => acquire(this.#db, this.#dialect, key, owner, ttlMs));
    if (token === undefined) return undefined;
    const handle = new LeasedLockHandle(
      key,
      token,
      leaseEnd(sentAt, ttlMs),
      {
        extend: async (nextTtlMs) => {
          const extendSentAt = monotonicNow();
          return (await callBackend(this.backend, () => extend(this.#db, this.#dialect, key, owner, nextTtlMs)))
            ? leaseEnd(extendSentAt, nextTtlMs)
            : undefined;
        },
        release: () => callBackend(this.backend, () => release(this.#db, this.#dialect, key, owner)),
      },
      { backend: this.backend, onEnd: this.#held.forget },
    );
    this.#held.add(handle);
    return handle;
  }
}
