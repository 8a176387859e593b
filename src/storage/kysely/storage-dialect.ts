import type { Dialect } from 'kysely';
import type { SqlDialect } from '../database.js';

/**
 * What a driver failure means: `unavailable` (connection lost or refused), `read-only` (the server is
 * a replica now), `conflict` (deadlock, serialisation failure or SQLite's busy writer lock: the
 * statement or transaction was undone whole and may be retried), `other` (keep the error as it is).
 */
export type FailureKind = 'unavailable' | 'read-only' | 'conflict' | 'other';

/** Pool settings of R4, honoured by each driver as docs/storage.md ("Pools") describes. */
export interface PoolSettings {
  readonly maxOpenConns: number;
  readonly maxIdleConns: number;
  /** 0 keeps connections for ever. */
  readonly connMaxLifetimeSeconds: number;
}

/** One driver's Kysely dialect plus what the adapter needs to survive outages and failovers. */
export interface StorageDialect {
  readonly dialect: SqlDialect;
  readonly kyselyDialect: Dialect;
  classify(error: unknown): FailureKind;
  /** Forgets the current primary: the next connection probes the hosts again (no-op on SQLite). */
  reprobe(): void;
  /** Host:port of the primary in use (for logs and tests; never carries credentials). */
  currentHost(): string | undefined;
}
