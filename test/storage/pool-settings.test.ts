/** R4 pool settings reach the drivers: connections are recycled after their lifetime, idle ones beyond maxIdleConns close. */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KyselyDatabase } from '../../src/storage/kysely/kysely-database.js';
import { createStorageDialect, type DatabaseOptions } from '../../src/storage/open-database.js';
import { createMariadbDatabase } from '../harness/mariadb.js';
import { createPostgresDatabase, type TestDatabase } from '../harness/postgres.js';

let postgres: TestDatabase;
let mariadb: TestDatabase;

beforeAll(async () => {
  [postgres, mariadb] = await Promise.all([createPostgresDatabase(), createMariadbDatabase()]);
});

afterAll(async () => {
  await Promise.all([postgres?.drop(), mariadb?.drop()]);
});

const SESSION = {
  postgres: sql<{ id: number }>`select pg_backend_pid() as id`,
  mysql: sql<{ id: number }>`select connection_id() as id`,
};

async function sessionIds(options: DatabaseOptions, pauseMs: number): Promise<[number, number]> {
  const database = await KyselyDatabase.open(createStorageDialect(options), { migrate: false });
  try {
    const query = SESSION[options.type as 'postgres' | 'mysql'];
    const first = (await query.execute(database.kysely)).rows[0]!.id;
    await new Promise((resolve) => setTimeout(resolve, pauseMs)); // let the connection age
    const second = (await query.execute(database.kysely)).rows[0]!.id;
    return [Number(first), Number(second)];
  } finally {
    await database.close();
  }
}

it('PS01 a pooled connection is reused, and replaced once older than connMaxLifetimeSeconds (postgres, mysql)', async () => {
  for (const [type, dsn] of [
    ['postgres', postgres.url],
    ['mysql', mariadb.url],
  ] as const) {
    const [a, b] = await sessionIds({ type, dsn, maxOpenConns: 1, maxIdleConns: 1, connMaxLifetimeSeconds: 0 }, 600);
    expect(a, `${type} reuses its idle connection`).toBe(b);
    const [c, d] = await sessionIds({ type, dsn, maxOpenConns: 1, maxIdleConns: 1, connMaxLifetimeSeconds: 0.3 }, 1200);
    expect(c, `${type} recycles an expired connection`).not.toBe(d);
  }
});

it('PS02 with maxIdleConns 0 no connection stays idle (postgres at release, mysql2 within its 1 s idle sweep)', async () => {
  for (const [type, dsn] of [
    ['postgres', postgres.url],
    ['mysql', mariadb.url],
  ] as const) {
    const [a, b] = await sessionIds({ type, dsn, maxOpenConns: 2, maxIdleConns: 0, connMaxLifetimeSeconds: 0 }, 1500);
    expect(a, type).not.toBe(b);
  }
});
