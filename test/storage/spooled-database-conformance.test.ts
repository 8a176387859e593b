/**
 * The spooled database is held to the Database port like the adapter it wraps: the conformance
 * suite runs against it on PostgreSQL with the database up, and again with every case's writes made
 * while a FaultProxy in front of PostgreSQL refuses and cuts its connections (the spool must take
 * them, answer which fills are new, and write them all once the database is back).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openDatabase } from '../../src/storage/open-database.js';
import { databaseConformance, type DatabaseTarget } from '../conformance/database.suite.js';
import { FaultProxy } from '../harness/fault-proxy.js';
import { createPostgresDatabase } from '../harness/postgres.js';

async function spooledPostgresTarget(withOutage: boolean): Promise<DatabaseTarget> {
  const database = await createPostgresDatabase();
  const proxy = await FaultProxy.start(database.host, database.port);
  const dir = await mkdtemp(join(tmpdir(), 'qm-spooled-conformance-'));
  const url = new URL(database.url);
  url.host = `${proxy.host}:${proxy.port}`;
  let opened = 0;
  return {
    name: withOutage ? 'spooled postgres, writes during an outage' : 'spooled postgres',
    open: () =>
      openDatabase({
        type: 'postgres',
        dsn: url.toString(),
        maxOpenConns: 4,
        maxIdleConns: 2,
        spool: { path: join(dir, `adapter-${(opened += 1)}.spool`), flushIntervalMs: 20 },
      }),
    dispose: async () => {
      await proxy.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
    outage: withOutage
      ? {
          begin: () => {
            proxy.refuse();
            proxy.cut();
          },
          end: () => proxy.restore(),
        }
      : undefined,
  };
}

describe('SpooledDatabase on postgres', () => {
  databaseConformance(() => spooledPostgresTarget(false));
});

describe('SpooledDatabase on postgres, writes during an outage', () => {
  databaseConformance(() => spooledPostgresTarget(true));
});
