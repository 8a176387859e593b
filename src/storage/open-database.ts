/**
 * The composition root's way to open storage: a plain options object (from the YAML `database`
 * section) → a migrated KyselyDatabase, wrapped in the durable write-behind spool when `spool` is set.
 */
import type { Registry } from 'prom-client';
import type { Database } from './database.js';
import { parseDsn } from './dsn.js';
import { InvalidStorageOptionsError } from './errors.js';
import { KyselyDatabase } from './kysely/kysely-database.js';
import { createMysqlDialect } from './kysely/mysql-dialect.js';
import { createPostgresDialect } from './kysely/postgres-dialect.js';
import { createSqliteDialect } from './kysely/sqlite-dialect.js';
import type { PoolSettings, StorageDialect } from './kysely/storage-dialect.js';
import { SpooledDatabase, type SpoolLogger, type SpoolOptions } from './spool/spooled-database.js';

export interface DatabaseOptions {
  readonly type: 'sqlite' | 'postgres' | 'mysql';
  readonly dsn: string;
  /** Default 25 (SQLite: always one connection). */
  readonly maxOpenConns?: number | undefined;
  /** Default 5. */
  readonly maxIdleConns?: number | undefined;
  /** Default 3600; 0 keeps connections for ever. */
  readonly connMaxLifetimeSeconds?: number | undefined;
  readonly spool?: SpoolOptions | undefined;
  /** Where the spool's gauges are registered (optional). */
  readonly registry?: Registry | undefined;
  /** Receives the spool's warnings (a pino logger fits). */
  readonly logger?: SpoolLogger | undefined;
}

export function poolSettings(options: DatabaseOptions): PoolSettings {
  const settings = {
    maxOpenConns: options.maxOpenConns ?? 25,
    maxIdleConns: options.maxIdleConns ?? 5,
    connMaxLifetimeSeconds: options.connMaxLifetimeSeconds ?? 3600,
  };
  if (!Number.isInteger(settings.maxOpenConns) || settings.maxOpenConns < 1)
    throw new InvalidStorageOptionsError('maxOpenConns must be an integer ≥ 1');
  if (!Number.isInteger(settings.maxIdleConns) || settings.maxIdleConns < 0)
    throw new InvalidStorageOptionsError('maxIdleConns must be an integer ≥ 0');
  if (!(settings.connMaxLifetimeSeconds >= 0))
    throw new InvalidStorageOptionsError('connMaxLifetimeSeconds must be ≥ 0');
  return { ...settings, maxIdleConns: Math.min(settings.maxIdleConns, settings.maxOpenConns) };
}

/** Builds the driver setup for a type and DSN (no connection is made yet). */
export function createStorageDialect(options: DatabaseOptions): StorageDialect {
  const settings = poolSettings(options);
  switch (options.type) {
    case 'sqlite': {
      const connection = parseDsn('sqlite', options.dsn);
      return createSqliteDialect(connection as Extract<typeof connection, { dialect: 'sqlite' }>);
    }
    case 'postgres':
    case 'mysql': {
      const connection = parseDsn(options.type, options.dsn);
      if (connection.dialect === 'sqlite') throw new InvalidStorageOptionsError('a server DSN is required');
      return options.type === 'postgres'
        ? createPostgresDialect(connection, settings)
        : createMysqlDialect(connection, settings);
    }
    default:
      throw new InvalidStorageOptionsError(
        `type must be sqlite, postgres or mysql, not ${JSON.stringify(options.type)}`,
      );
  }
}

/** Opens the database, applies migrations, and adds the spool when configured. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = await KyselyDatabase.open(createStorageDialect(options));
  if (options.spool === undefined) return database;
  return SpooledDatabase.open(database, options.spool, { registry: options.registry, logger: options.logger });
}
