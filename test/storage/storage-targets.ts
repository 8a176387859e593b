/** Conformance targets for each dialect, narrowed by QM_TEST_BACKENDS (e.g. `sqlite,postgres`). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/storage/open-database.js';
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

export function targetFor(backend: Backend): Promise<DatabaseTarget> {
  return backend === 'sqlite' ? sqliteTarget() : backend === 'postgres' ? postgresTarget() : mysqlTarget();
}

export async function sqliteTarget(): Promise<DatabaseTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'qm-sqlite-'));
  const dsn = join(dir, 'quantmesh.db');
  return {
    name: 'sqlite',
    open: () => openDatabase({ type: 'sqlite', dsn }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function postgresTarget(): Promise<DatabaseTarget> {
  const database = await createPostgresDatabase();
  return {
    name: 'postgres',
    open: () => openDatabase({ type: 'postgres', dsn: database.url, maxOpenConns: 4, maxIdleConns: 2 }),
    dispose: () => database.drop(),
  };
}

export async function mysqlTarget(): Promise<DatabaseTarget> {
  const database = await createMariadbDatabase();
  return {
    name: 'mysql',
    open: () => openDatabase({ type: 'mysql', dsn: database.url, maxOpenConns: 4, maxIdleConns: 2 }),
    dispose: () => database.drop(),
  };
}
