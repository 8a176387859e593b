/**
 * R10 (database half): a DSN listing a replica and a primary. The adapter writes to the primary it
 * probed (never the replica); after the primary dies and the replica is promoted, the first write
 * fails with DatabaseUnavailableError and the following writes go to the new primary. PostgreSQL
 * (streaming replica, pg_ctl promote) and MariaDB (binlog replica, read_only cleared).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../src/storage/errors.js';
import { KyselyDatabase } from '../../src/storage/kysely/kysely-database.js';
import { createStorageDialect } from '../../src/storage/open-database.js';
import { trade } from '../conformance/database-fixtures.js';
import type { Database } from '../../src/storage/database.js';
import { type ReplicatedMariadb, startReplicatedMariadb } from './mariadb-replication.js';
import { type ReplicatedPostgres, startReplicatedPostgres } from './postgres-replication.js';

let postgres: ReplicatedPostgres;
let mariadb: ReplicatedMariadb;
const opened: Database[] = [];

beforeAll(async () => {
  [postgres, mariadb] = await Promise.all([startReplicatedPostgres(), startReplicatedMariadb()]);
}, 240_000);

afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await Promise.all([postgres?.destroy(), mariadb?.destroy()]);
});

async function open(type: 'postgres' | 'mysql', dsn: string): Promise<KyselyDatabase> {
  const database = await KyselyDatabase.open(createStorageDialect({ type, dsn, maxOpenConns: 3 }));
  opened.push(database);
  return database;
}

/** Writes once (must fail: the primary is gone), then retries until the new primary takes the write. */
async function expectWritesToResume(database: KyselyDatabase): Promise<void> {
  await expect(database.saveTrade(trade('during'))).rejects.toBeInstanceOf(DatabaseUnavailableError);
  // Promotion may finish after the command returns; the adapter re-probes on every failure.
  let written = false;
  for (let attempt = 0; attempt < 100 && !written; attempt += 1) {
    written = await database.saveTrade(trade('after')).then(
      () => true,
      (error: unknown) => {
        if (!(error instanceof DatabaseUnavailableError)) throw error;
        return new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100));
      },
    );
  }
  expect(written).toBe(true);
  const ids = (await database.getTrades({})).map((t) => t.id);
  expect(ids).toHaveLength(51);
  expect(ids).toContain('after');
}

it('FO01 postgres: writes follow the primary through a real streaming-replica promotion', async () => {
  const database = await open('postgres', postgres.dsn);
  expect(database.currentHost).toBe(`127.0.0.1:${postgres.primaryPort}`);
  await database.batchSaveTrades(Array.from({ length: 50 }, (_, i) => trade(`before-${i}`)));
  await postgres.waitForReplica();
  await postgres.stopPrimary();
  await postgres.promoteReplica();
  await expectWritesToResume(database);
  expect(database.currentHost).toBe(`127.0.0.1:${postgres.replicaPort}`);
});

it('FO02 mysql: a read-only replica refuses writes as DatabaseUnavailableError; writes follow the promoted replica', async () => {
  const database = await open('mysql', mariadb.dsn);
  expect(database.currentHost).toBe(`127.0.0.1:${mariadb.primaryPort}`);
  await database.batchSaveTrades(Array.from({ length: 50 }, (_, i) => trade(`before-${i}`)));
  await mariadb.waitForReplica();
  const replicaOnly = await KyselyDatabase.open(createStorageDialect({ type: 'mysql', dsn: mariadb.replicaDsn }), {
    migrate: false,
  });
  opened.push(replicaOnly);
  await expect(replicaOnly.saveTrade(trade('on-replica'))).rejects.toBeInstanceOf(DatabaseUnavailableError);
  await mariadb.killPrimary();
  await mariadb.promoteReplica();
  await expectWritesToResume(database);
  expect(database.currentHost).toBe(`127.0.0.1:${mariadb.replicaPort}`);
});
