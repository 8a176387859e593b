/** A fresh PostgreSQL database per test file, dropped afterwards. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requireListening, services } from './services.js';

export interface TestDatabase {
  /** Database name. */
  readonly name: string;
  /** URL DSN of the fresh database (`postgres://…` or `mysql://…`). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  drop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  await requireListening('postgres');
  const admin = new pg.Client({ connectionString: services.postgres.url });
  await admin.connect();
  const name = uniqueName('qm_test');
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(services.postgres.url);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    host: url.hostname,
    port: Number(url.port) || 5432,
    async drop() {
      const client = new pg.Client({ connectionString: services.postgres.url });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
