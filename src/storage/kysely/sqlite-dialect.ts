/**
 * SQLite through better-sqlite3: one connection per adapter (Kysely serialises its use), WAL journal
 * so readers do not block the writer, and `synchronous=FULL` so a committed transaction survives a
 * power cut. `busy_timeout` is 0 on purpose: better-sqlite3 is synchronous, so SQLite's own busy wait
 * would freeze the event loop (and, with a second connection in the same process, wait for a commit
 * that can never run); a busy writer lock is reported as a `conflict` and retried asynchronously.
 * Integers come back as bigint (safe integers: fencing tokens stay exact). SQLite has no decimal
 * type, so exact aggregation runs in SQL through functions registered here (`dec_sum`, `dec_mul`,
 * `dec_sign`), computed with the domain's exact decimals.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, type SqliteDatabase } from 'kysely';
import { dec, decimalToString, type Decimal, ZERO } from '../../domain/decimal.js';
import type { SqliteConnection } from '../dsn.js';
import type { FailureKind, StorageDialect } from './storage-dialect.js';

type SqlValue = string | number | bigint | null;

export function createSqliteDialect(connection: SqliteConnection): StorageDialect {
  // A new user's first run has no ./data yet: the database file's folder is created, as SQLite would create the file.
  if (connection.filename !== ':memory:') mkdirSync(dirname(connection.filename), { recursive: true });
  const database = new BetterSqlite3(connection.filename);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 0');
  database.pragma('synchronous = FULL');
  database.defaultSafeIntegers(true);
  registerDecimalFunctions(database);
  return {
    dialect: 'sqlite',
    kyselyDialect: new SqliteDialect({ database: withStatementCache(database) }),
    classify: classifySqliteError,
    reprobe: () => undefined,
    currentHost: () => undefined,
  };
}

const STATEMENT_CACHE_SIZE = 128;

/**
 * Kysely prepares every query anew; preparing a 12,000-parameter batch insert costs more than running
 * it, so prepared statements are reused by SQL text. Safe because Kysely runs one query at a time on
 * this single connection and the adapter never streams (a reused statement is never mid-iteration).
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

function registerDecimalFunctions(database: BetterSqlite3.Database): void {
  database.aggregate('dec_sum', {
    start: (): Decimal | null => null,
    step: (total: Decimal | null, value: unknown) =>
      value === null ? total : (total ?? ZERO).plus(dec(value as string | bigint)),
    result: (total: Decimal | null) => (total === null ? null : decimalToString(total)),
  });
  database.function('dec_mul', { deterministic: true }, (left: SqlValue, right: SqlValue) =>
    left === null || right === null ? null : decimalToString(dec(left).mul(dec(right))),
  );
  database.function('dec_sign', { deterministic: true }, (value: SqlValue) =>
    value === null ? null : dec(value).comparedTo(0),
  );
}

function classifySqliteError(error: unknown): FailureKind {
  const code = String((error as { code?: unknown }).code);
  // Another connection holds the write lock (or moved the snapshot): the statement did nothing.
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'conflict';
  // Constraint and syntax errors are bugs or refusals the caller must see as they are.
  return code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') ? 'unavailable' : 'other';
}
