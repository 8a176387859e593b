import type { Kysely } from 'kysely';
import type { SqlDialect } from '../database.js';
import type { StorageSchema } from './kysely-schema.js';

/** What every query module needs: the executor (pool or transaction), its dialect, and atomicity. */
export interface QueryContext {
  readonly db: Kysely<StorageSchema>;
  readonly dialect: SqlDialect;
  /** Runs `fn` atomically: in a new transaction on the pool, or directly inside the caller's transaction. */
  atomic<T>(fn: (db: Kysely<StorageSchema>) => Promise<T>): Promise<T>;
}

/** Row caps of every listing (Page.limit is clamped to it; absent means the cap). */
export const MAX_PAGE_SIZE = 1000;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return MAX_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(0, Math.floor(limit)));
}

export function pageOffset(offset: number | undefined): number {
  return offset === undefined || !Number.isFinite(offset) ? 0 : Math.max(0, Math.floor(offset));
}
