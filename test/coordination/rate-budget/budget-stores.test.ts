/** The BudgetStore conformance suite against every adapter, each on a real server of the test's own or a fresh database. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createSqlConnection } from '../../../src/coordination/lock/sql/sql-connection.js';
import type { SqlLockDialect } from '../../../src/coordination/lock/sql/sql-lock-statements.js';
import { EtcdBudgetStore } from '../../../src/coordination/rate-budget/etcd-budget-store.js';
import { MemoryBudgetStore } from '../../../src/coordination/rate-budget/memory-budget-store.js';
import { RedisBudgetStore } from '../../../src/coordination/rate-budget/redis-budget-store.js';
import { SqlBudgetStore } from '../../../src/coordination/rate-budget/sql-budget-store.js';
import { budgetStoreConformance } from '../../conformance/budget-store.suite.js';
import { startEtcd } from '../../harness/etcd.js';
import { freePort } from '../../harness/free-port.js';
import { createMariadbDatabase } from '../../harness/mariadb.js';
import { createPostgresDatabase } from '../../harness/postgres.js';
import { startOwnRedis } from '../../harness/redis.js';

const [redis, etcd, postgres, mariadb] = await Promise.all([
  startOwnRedis(),
  startEtcd(),
  createPostgresDatabase(),
  createMariadbDatabase(),
]);
const sqliteDir = await mkdtemp(join(tmpdir(), 'qm-budget-'));
afterAll(async () => {
  await Promise.all([redis.close(), etcd.close(), postgres.drop(), mariadb.drop()]);
  await rm(sqliteDir, { recursive: true, force: true });
});

const sqlStore = async (dialect: SqlLockDialect, connection: string) =>
  new SqlBudgetStore({ db: await createSqlConnection({ dialect, connection, poolSize: 2 }), dialect, ownsDb: true });

const shared = new MemoryBudgetStore();
budgetStoreConformance({
  name: 'memory',
  // One process shares one store: every "connection" is the same map.
  create: async () => ({
    backend: shared.backend,
    read: (key) => shared.read(key),
    compareAndSet: (key, version, value) => shared.compareAndSet(key, version, value),
    close: async () => undefined,
  }),
});
budgetStoreConformance({
  name: 'redis',
  create: async () => new RedisBudgetStore({ addr: `127.0.0.1:${redis.port}` }),
  unreachable: async () => new RedisBudgetStore({ addr: `127.0.0.1:${await freePort()}`, commandTimeoutMs: 300 }),
});
budgetStoreConformance({
  name: 'etcd',
  create: async () => new EtcdBudgetStore({ endpoints: [etcd.endpoint], callTimeoutMs: 1000 }),
  unreachable: async () =>
    new EtcdBudgetStore({ endpoints: [`http://127.0.0.1:${await freePort()}`], callTimeoutMs: 300 }),
});
budgetStoreConformance({
  name: 'database (postgres)',
  create: () => sqlStore('postgres', postgres.url),
  unreachable: async () => sqlStore('postgres', `postgres://postgres@127.0.0.1:${await freePort()}/none`),
});
budgetStoreConformance({
  name: 'database (mariadb)',
  create: () => sqlStore('mysql', mariadb.url),
  unreachable: async () => sqlStore('mysql', `mysql://root@127.0.0.1:${await freePort()}/none`),
});
budgetStoreConformance({
  name: 'database (sqlite)',
  create: () => sqlStore('sqlite', join(sqliteDir, 'budget.db')),
});
