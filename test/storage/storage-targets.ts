/** Conformance targets for each dialect, narrowed by QM_TEST_BACKENDS (e.g. `sqlite,postgres`). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseOptions, openDatabase } from '../../src/storage/open-database.js';
import type { DatabaseTarget } from '../conformance/database.suite.js';
import { createMariadbDatabase } from '../harness/mariadb.js';
import { createPostgresDatabase } from '../harness/postgres.js';

export type Backend = 'sqlite' | 'postgres' | 'mysql';

const ALL: readonly Backend[] = ['sqlite', 'postgres', 'mysql'];

/** The backends to test: all, or those listed in QM_TEST_BACKENDS (`mariadb` is accepted for mysql). */
export const BACKENDS: readonly Backend[] = (() => {
  const list = process.env.QM_TEST_BACKENDS;
  if (list === undefined || list.trim() === '') return ALL;
  const wanted = list.split(',').map((b) => (b.trim() === 'mariadb' ? 'mysql' : b.trim()));
  return ALL.filter((backend) => wanted.includes(backend));
})();

/** A fresh empty database of the backend: the options that open it, and how to remove it. */
export interface FreshDatabase {
  readonly options: DatabaseOptions;
  dispose(): Promise<void>;
}

export async function freshDatabase(backend: Backend): Promise<FreshDatabase> {
  if (backend === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'qm-sqlite-'));
    return {
      options: { type: 'sqlite', dsn: join(dir, 'quantmesh.db') },
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  const database = backend === 'postgres' ? await createPostgresDatabase() : await createMariadbDatabase();
  return {
    options: { type: backend, dsn: database.url, maxOpenConns: 4, maxIdleConns: 2 },
    dispose: () => database.drop(),
  };
}

export async function targetFor(backend: Backend): Promise<DatabaseTarget> {
  const fresh = await freshDatabase(backend);
  return { name: backend, open: () => openDatabase(fresh.options), dispose: () => fresh.dispose() };
}
