/**
 * The three SqlLock backends under test, sharing one shape: a fresh database per test file, a lock
 * on it, worker options for other processes, and (for servers) a FaultProxy cut.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlLock } from '../../../src/coordination/lock/sql/sql-lock.js';
import { createSqlConnection } from '../../../src/coordination/lock/sql/sql-connection.js';
import type { SqlLockDialect } from '../../../src/coordination/lock/sql/sql-lock-statements.js';
import { type LockBackendUnderTest, proxyFault } from '../../conformance/lock.suite.js';
import type { FaultProxy } from '../../harness/fault-proxy.js';
import { freePort } from '../../harness/free-port.js';
import type { TestDatabase } from '../../harness/postgres.js';

function sqlLock(dialect: SqlLockDialect, connection: string, prefix = ''): Promise<SqlLock> {
  return createSqlConnection({ dialect, connection }).then((db) => new SqlLock({ db, dialect, prefix, ownsDb: true }));
}

const capabilities = { crossProcess: true, perLockLease: true, leaseMs: (ttlMs: number) => ttlMs } as const;

/** PostgreSQL or MariaDB: `database` is fresh for this file; the caller drops it afterwards. */
export async function serverSqlBackend(
  name: string,
  dialect: 'postgres' | 'mysql',
  database: TestDatabase,
): Promise<LockBackendUnderTest> {
  // Create the table once up front: twenty workers starting together would all try.
  await (await sqlLock(dialect, database.url)).tryLock('warm-up', 1000).then((handle) => handle?.unlock());
  const through = (proxy: FaultProxy) => {
    const url = new URL(database.url);
    url.host = `${proxy.host}:${proxy.port}`;
    return url.toString();
  };
  return {
    name,
    capabilities,
    create: (prefix) => sqlLock(dialect, database.url, prefix),
    workerOptions: (prefix) => ({ type: 'database', prefix, sql: { dialect, connection: database.url, poolSize: 1 } }),
    faults: {
      'connection cut (proxy)': () =>
        proxyFault(database.host, database.port, 'outage', {
          holder: (proxy, prefix) => sqlLock(dialect, through(proxy), prefix),
          observer: (prefix) => sqlLock(dialect, database.url, prefix),
        }),
    },
    unreachable: async () => {
      const url = new URL(database.url);
      url.host = `127.0.0.1:${await freePort()}`;
      return sqlLock(dialect, url.toString());
    },
  };
}

/** SQLite in a temp file that every process opens; `cleanup` removes it. */
export async function sqliteBackend(): Promise<{ backend: LockBackendUnderTest; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'qm-sqlite-lock-'));
  const file = join(dir, 'locks.db');
  await (await sqlLock('sqlite', file)).tryLock('warm-up', 1000).then((handle) => handle?.unlock());
  return {
    backend: {
      name: 'sqlite',
      capabilities,
      create: (prefix) => sqlLock('sqlite', file, prefix),
      workerOptions: (prefix) => ({ type: 'database', prefix, sql: { dialect: 'sqlite', connection: file } }),
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
