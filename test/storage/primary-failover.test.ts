/**
 * R10 (database half): a DSN listing a replica and a primary. The adapter writes to the primary it
 * probed (never the replica); after the primary dies and the replica is promoted, the first write
 * fails with DatabaseUnavailableError and the following writes go to the new primary.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../../src/storage/errors.js';
import { KyselyDatabase } from '../../src/storage/kysely/kysely-database.js';
import { createStorageDialect } from '../../src/storage/open-database.js';
import { trade } from '../conformance/database-fixtures.js';
import { type ReplicatedPostgres, startReplicatedPostgres } from './postgres-replication.js';

let cluster: ReplicatedPostgres;
let database: KyselyDatabase;

beforeAll(async () => {
  cluster = await startReplicatedPostgres();
  database = await KyselyDatabase.open(createStorageDialect({ type: 'postgres', dsn: cluster.dsn, maxOpenConns: 3 }));
}, 180_000);

afterAll(async () => {
  await database?.close();
  await cluster?.destroy();
});

it('FO01 writes follow the primary through a real streaming-replica promotion', async () => {
  expect(database.currentHost).toBe(`127.0.0.1:${cluster.primaryPort}`);
  await database.batchSaveTrades(Array.from({ length: 50 }, (_, i) => trade(`before-${i}`)));
  await cluster.waitForReplica();

  await cluster.stopPrimary();
  await cluster.promoteReplica();

  await expect(database.saveTrade(trade('during'))).rejects.toBeInstanceOf(DatabaseUnavailableError);
  // Promotion finishes asynchronously after pg_ctl returns; the adapter re-probes on every failure.
  let written = false;
  for (let attempt = 0; attempt < 100 && !written; attempt += 1) {
    written = await database.saveTrade(trade('after')).then(() => true, (error: unknown) => {
      if (!(error instanceof DatabaseUnavailableError)) throw error;
      return new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100));
    });
  }
  expect(written).toBe(true);
  expect(database.currentHost).toBe(`127.0.0.1:${cluster.replicaPort}`);
  const ids = (await database.getTrades({})).map((t) => t.id);
  expect(ids).toHaveLength(51);
  expect(ids).toContain('after');
});
