/**
 * A Kysely instance for SqlLock when the composition root hands over a connection string rather than
 * the storage layer's Kysely. Drivers are loaded on demand so a process only pays for the one it uses.
 */
import { Kysely } from 'kysely';
import type { SqlLockDialect } from './sql-lock-statements.js';

export interface SqlConnectionOptions {
  readonly dialect: SqlLockDialect;
  /** `postgres://…`, `mysql://…`, or a SQLite file path. */
  readonly connection: string;
  /** Pooled connections (default 4; SQLite uses one). */
  readonly poolSize?: number;
}

export async function createSqlConnection(options: SqlConnectionOptions): Promise<Kysely<any>> {
  const poolSize = options.poolSize ?? 4;
  switch (options.dialect) {
    case 'postgres': {
      const [{ default: pg }, { PostgresDialect }] = await Promise.all([import('pg'), import('kysely')]);
      const pool = new pg.Pool({ connectionString: options.connection, max: poolSize });
      // A broken connection (server restart, cut) fails the query that uses it; the 'error' events
      // pg also emits, on idle and on checked-out clients, must not crash the process.
      pool.on('error', () => undefined);
      pool.on('connect', (client) => client.on('error', () => undefined));
      return new Kysely({ dialect: new PostgresDialect({ pool }) });
    }
    case 'mysql': {
      const [{ createPool }, { MysqlDialect }] = await Promise.all([import('mysql2'), import('kysely')]);
      return new Kysely({
        dialect: new MysqlDialect({ pool: createPool({ uri: options.connection, connectionLimit: poolSize }) }),
      });
    }
    case 'sqlite': {
      const [{ default: Database }, { SqliteDialect }] = await Promise.all([
        import('better-sqlite3'),
        import('kysely'),
      ]);
      const database = new Database(options.connection, { timeout: 5000 });
      // WAL lets readers and the one writer of other processes proceed together.
      database.pragma('journal_mode = WAL');
      return new Kysely({ dialect: new SqliteDialect({ database }) });
    }
  }
}
