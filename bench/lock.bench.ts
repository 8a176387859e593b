/**
 * `npm run bench:lock`: sequential acquire + release of one uncontended key, per backend, each beside
 * a baseline measured in the same run. Rounds alternate between a backend and its baseline so that
 * load from other processes falls on both alike.
 *
 * - redis: RedisLock vs the raw ioredis pair (`SET NX PX` + the compare-and-delete script), and vs
 *   node-redlock and redis-semaphore's Mutex (goal: ≤ 1.2× the raw pair);
 * - etcd: EtcdLock vs the etcd3 package's own Lock (goal: ≤ 0.5× its time), and, through the same
 *   client, vs the two transactions a safe lock cannot do without (put if absent, delete if still
 *   ours) and vs two bare writes (put + delete, which no lock can use: the delete must be
 *   conditional);
 * - database (PostgreSQL, MariaDB, SQLite): SqlLock vs two bare `SELECT 1` round trips, the floor
 *   for any lock that needs one statement to take and one to give back.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
// redlock's package.json "exports" hides its typings from NodeNext resolution; its default export is the class.
// @ts-expect-error TS7016
import Redlock from 'redlock';
import { Mutex } from 'redis-semaphore';
import type { DistributedLock } from '../src/coordination/lock/distributed-lock.js';
import { EtcdLock } from '../src/coordination/lock/etcd/etcd-lock.js';
import { RedisLock } from '../src/coordination/lock/redis/redis-lock.js';
import { releaseScript } from '../src/coordination/lock/redis/redis-scripts.js';
import { createSqlConnection } from '../src/coordination/lock/sql/sql-connection.js';
import { SqlLock } from '../src/coordination/lock/sql/sql-lock.js';
import type { SqlLockDialect } from '../src/coordination/lock/sql/sql-lock-statements.js';
import { startEtcd } from '../test/harness/etcd.js';
import { createMariadbDatabase } from '../test/harness/mariadb.js';
import { createPostgresDatabase } from '../test/harness/postgres.js';
import { services } from '../test/harness/services.js';

type Operation = () => Promise<void>;

interface Figures {
  readonly p50: number;
  readonly p99: number;
  readonly opsPerSecond: number;
}

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const total = samples.reduce((sum, sample) => sum + sample, 0);
  return { p50: at(0.5), p99: at(0.99), opsPerSecond: (samples.length / total) * 1000 };
}

/** Runs `subject` and each baseline in alternating rounds; returns ms samples per name. */
async function compare(
  operations: Record<string, Operation>,
  iterations: number,
  rounds = 20,
): Promise<Record<string, Figures>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(operations).map((name) => [name, []]));
  // Warm-up: a tenth of the run (at least 20), so each implementation is measured after the JIT has compiled it.
  const warmup = Math.max(20, Math.round(iterations / 10));
  for (const operation of Object.values(operations)) for (let i = 0; i < warmup; i += 1) await operation();
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, operation] of Object.entries(operations)) {
      for (let i = 0; i < iterations / rounds; i += 1) {
        const start = performance.now();
        await operation();
        samples[name]!.push(performance.now() - start);
      }
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, figures(list)]));
}

function report(
  title: string,
  results: Record<string, Figures>,
  subject: string,
  goals: Record<string, number> = {},
): void {
  const ours = results[subject]!;
  console.log(`\n${title}`);
  console.log(
    `  ${'implementation'.padEnd(34)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'ops/s'.padStart(8)}  ratio (p50 ours / p50 baseline)`,
  );
  for (const [name, figure] of Object.entries(results)) {
    const ratio =
      name === subject
        ? ''
        : `${(ours.p50 / figure.p50).toFixed(2)}×${goals[name] === undefined ? '' : ` (goal ≤ ${goals[name]}×: ${ours.p50 / figure.p50 <= goals[name] ? 'met' : 'NOT met'})`}`;
    console.log(
      `  ${name.padEnd(34)} ${figure.p50.toFixed(3).padStart(8)} ${figure.p99.toFixed(3).padStart(8)} ${figure.opsPerSecond.toFixed(0).padStart(8)}  ${ratio}`,
    );
  }
}

const lockOperation =
  (lock: DistributedLock, key: string): Operation =>
  async () => {
    const handle = await lock.tryLock(key, 10_000);
    if (handle === undefined) throw new Error(`${lock.backend}: ${key} unexpectedly held`);
    await handle.unlock();
  };

async function benchRedis(iterations: number): Promise<void> {
  const addr = new URL(services.redis.url).host;
  const prefix = `qmbench-${randomUUID()}:`;
  const raw = new Redis(services.redis.url);
  const ours = new RedisLock({ addr, prefix });
  const redlock = new Redlock([raw], { retryCount: 0 });
  // The baseline's release runs by EVALSHA, as ours does, so the comparison is about the lock's own work.
  raw.defineCommand('rawRelease', { numberOfKeys: 1, lua: releaseScript });
  const rawRelease = (key: string, owner: string) =>
    (raw as Redis & { rawRelease(key: string, owner: string): Promise<number> }).rawRelease(key, owner);
  const results = await compare(
    {
      'RedisLock (this project)': lockOperation(ours, 'ours'),
      'raw SET NX PX + release script': async () => {
        const owner = randomUUID();
        if ((await raw.set(`${prefix}raw`, owner, 'PX', 10_000, 'NX')) !== 'OK') throw new Error('raw key held');
        await rawRelease(`${prefix}raw`, owner);
      },
      'redlock 5 (one node)': async () => {
        await (await redlock.acquire([`${prefix}redlock`], 10_000)).release();
      },
      'redis-semaphore Mutex': async () => {
        const mutex = new Mutex(raw, `${prefix}semaphore`, {
          lockTimeout: 10_000,
          acquireAttemptsLimit: 1,
          refreshInterval: 0,
        });
        await mutex.acquire();
        await mutex.release();
      },
    },
    iterations,
  );
  report(`Redis (${iterations} sequential acquire+release each)`, results, 'RedisLock (this project)', {
    'raw SET NX PX + release script': 1.2,
  });
  await ours.close();
  await raw.del(`${prefix}ours#fence`);
  raw.disconnect();
}

async function benchEtcd(iterations: number): Promise<void> {
  const etcd = await startEtcd();
  try {
    const ours = new EtcdLock({ endpoints: [etcd.endpoint], sessionTtlSeconds: 10 });
    const client = new Etcd3({ hosts: etcd.endpoint });
    const results = await compare(
      {
        'EtcdLock (this project)': lockOperation(ours, 'ours'),
        'etcd3 package Lock': async () => {
          const lock = client.lock('theirs').ttl(10);
          await lock.acquire();
          await lock.release();
        },
        'two bare transactions': async () => {
          const taken = await client.if('bare-txn', 'Create', '==', 0).then(client.put('bare-txn').value('')).commit();
          await client
            .if('bare-txn', 'Mod', '==', taken.header.revision)
            .then(client.delete().key('bare-txn'))
            .commit();
        },
        'two bare writes (put + delete)': async () => {
          await client.put('bare').value('');
          await client.delete().key('bare');
        },
      },
      iterations,
    );
    report(`etcd (${iterations} sequential acquire+release each, own etcd 3.4)`, results, 'EtcdLock (this project)', {
      'etcd3 package Lock': 0.5,
    });
    await ours.close();
    client.close();
  } finally {
    await etcd.close();
  }
}

async function benchSql(name: string, dialect: SqlLockDialect, connection: string, iterations: number): Promise<void> {
  const db: Kysely<any> = await createSqlConnection({ dialect, connection, poolSize: 2 });
  const ours = new SqlLock({ db, dialect });
  const results = await compare(
    {
      'SqlLock (this project)': lockOperation(ours, 'ours'),
      'two bare SELECT 1 round trips': async () => {
        await sql`SELECT 1`.execute(db);
        await sql`SELECT 1`.execute(db);
      },
    },
    iterations,
  );
  report(`${name} (${iterations} sequential acquire+release each)`, results, 'SqlLock (this project)');
  await db.destroy();
}

const scale = Number(process.env.QM_BENCH_SCALE ?? '1');
// `QM_BENCH_ONLY=redis,etcd,postgres,mysql,sqlite` narrows the run.
const only = process.env.QM_BENCH_ONLY?.split(',');
const wanted = (name: string) => only === undefined || only.includes(name);
console.log(`lock benchmark: node ${process.version}, scale ${scale}`);
if (wanted('redis')) await benchRedis(Math.round(5000 * scale));
if (wanted('etcd')) await benchEtcd(Math.round(500 * scale));
if (wanted('postgres')) {
  const postgres = await createPostgresDatabase();
  try {
    await benchSql('PostgreSQL 15', 'postgres', postgres.url, Math.round(1000 * scale));
  } finally {
    await postgres.drop();
  }
}
if (wanted('mysql')) {
  const mariadb = await createMariadbDatabase();
  try {
    await benchSql('MariaDB 10.11', 'mysql', mariadb.url, Math.round(1000 * scale));
  } finally {
    await mariadb.drop();
  }
}
if (wanted('sqlite')) {
  const dir = await mkdtemp(join(tmpdir(), 'qm-bench-sqlite-'));
  try {
    await benchSql('SQLite (WAL, file)', 'sqlite', join(dir, 'locks.db'), Math.round(2000 * scale));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
process.exit(0);
