/**
 * Versioned migrations (R4), applied with Kysely's Migrator from a static provider (no file system
 * scanning, so bundling cannot lose a migration). Safe when several instances start at once: Kysely
 * takes its migration lock (PostgreSQL advisory lock, MySQL GET_LOCK, SQLite's single writer) and
 * re-reads the applied migrations under it. One race lies outside that lock: the first
 * `CREATE TABLE IF NOT EXISTS kysely_migration` of concurrent starters can collide on PostgreSQL's
 * catalog (duplicate pg_type) and a SQLite writer can see SQLITE_BUSY, so a failed attempt is retried:
 * the retry finds the tables and the lock, and applies only what is still pending.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { SqlDialect } from '../database.js';
import { initialSchema } from './0001-initial-schema.js';
import { instanceRegistry } from './0002-instance-registry.js';
import { fillsKeyedBySymbol } from './0003-fills-keyed-by-symbol.js';
import { fenceHolder } from './0004-fence-holder.js';

/** Every migration by name (exported for tests that start from an earlier schema). */
export function migrationsFor(dialect: SqlDialect): Record<string, Migration> {
  return {
    '0001-initial-schema': initialSchema(dialect),
    '0002-instance-registry': instanceRegistry(),
    '0003-fills-keyed-by-symbol': fillsKeyedBySymbol(dialect),
    '0004-fence-holder': fenceHolder(),
  };
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(readonly dialect: SqlDialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrationsFor(this.dialect);
  }
}

const ATTEMPTS = 5;

/** Applies every pending migration; returns the names applied by this call. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: SqlDialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(dialect) });
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    const { error, results } = await migrator.migrateToLatest();
    if (error === undefined) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    lastError = error;
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
  throw lastError;
}
