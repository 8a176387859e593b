/**
 * The raw round trips a placement must make on its way to the venue, through the bare drivers with
 * no project code: the baselines of the tick-to-order latency (bench/engine.bench.ts).
 * - SQLite: one autocommitted INSERT of an intent row (better-sqlite3, the adapter's pragmas: WAL,
 *   synchronous=FULL, so the commit is flushed as ours is);
 * - PostgreSQL: one INSERT of an intent row (pg, autocommit);
 * - Redis: `SET NX PX` + the release script by EVALSHA (ioredis), the lock's acquire and release.
 * Each baseline writes into an `order_intents` table migrated by the project (the same schema and
 * indexes as the engine's), under its own exchange name so it never meets the engine's rows.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { releaseScript } from '../src/coordination/lock/redis/redis-scripts.js';

export interface RawRoundTrip {
  /** Runs one round trip; resolves with its ms. */
  once(): Promise<number>;
  close(): Promise<void>;
}

const INSERT_INTENT = `INSERT INTO order_intents (exchange, client_order_id, symbol, level, cycle, side, price, quantity,
  fence_key, fencing_token, instance_id, created_at) VALUES ($1, $2, 'BTCUSDT', $3, 0, 'BUY', '60000', '0.0005', 'raw', $4, 'raw', $5)`;

/** The parameters of the `n`-th raw intent (distinct client order id and slot, as the engine's). */
function intentParameters(n: number): [string, string, number, number, number] {
  return ['raw-baseline', `raw-${n}`, n, n, Date.now()];
}

async function timed(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** `filename` must hold a migrated QuantMesh schema. */
export function rawSqliteInsert(filename: string): RawRoundTrip {
  const database = new BetterSqlite3(filename);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  const insert = database.prepare(INSERT_INTENT.replace(/\$\d/g, '?'));
  let n = 0;
  return {
    once: () => timed(() => insert.run(...intentParameters((n += 1)))),
    close: async () => {
      database.close();
    },
  };
}

/** `url` must name a migrated QuantMesh database. */
export async function rawPostgresInsert(url: string): Promise<RawRoundTrip> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let n = 0;
  return {
    once: () => timed(() => client.query(INSERT_INTENT, intentParameters((n += 1)))),
    close: () => client.end(),
  };
}

type ReleasingRedis = Redis & { rawRelease(key: string, owner: string): Promise<number> };

/** Acquire + release of `${prefix}raw`; the key is gone after each trip. */
export function rawRedisLock(url: string, prefix: string): RawRoundTrip {
  const redis = new Redis(url) as ReleasingRedis;
  redis.defineCommand('rawRelease', { numberOfKeys: 1, lua: releaseScript });
  const key = `${prefix}raw`;
  return {
    once: () =>
      timed(async () => {
        const owner = randomUUID();
        if ((await redis.set(key, owner, 'PX', 10_000, 'NX')) !== 'OK')
          throw new Error(`raw baseline: ${key} unexpectedly held`);
        await redis.rawRelease(key, owner);
      }),
    close: async () => {
      redis.disconnect();
    },
  };
}
