/**
 * `npm run bench:engine`: the engine's figures, each beside a baseline measured in the same run.
 * 1. Backtest throughput (`benchBacktest()`): ticks per CPU second through the grid and the sim
 *    matching engine, against the sim engine alone and a minimal hand-written grid loop.
 * 2. Tick-to-order-sent latency p50/p99 (bench/tick-to-order.ts), symbol lock granularity:
 *    (a) SQLite + NoopLock, against one raw SQLite intent INSERT;
 *    (b) PostgreSQL (fresh database, dropped after) + RedisLock on the shared Redis (unique key
 *        prefix, keys deleted after), against one raw pg INSERT + one raw Redis SET NX PX + release.
 *    (c) as (b), the database behind the write-behind spool as every instance runs it
 *        (config-mapping.ts): the decision goes to the local spool, only the intent to PostgreSQL.
 *    The engine's ticks and the baseline's round trips alternate in rounds, so load from other
 *    processes on the shared machine falls on both alike. Ratio = our p50 / the sum of the raw p50s.
 *    Then the first window (issue 13 item 4): from the first price of a fresh grid to the moment its
 *    10 first buys are all at the venue, against a grid whose window is 1 buy, in alternating rounds
 *    (each sample a fresh engine and venue under its own venue name, so a fresh grid in the same
 *    database). Ratio = p50 of the 10 / p50 of the one; goal ≤ 1.5.
 * 3. Start-up of one symbol (bench/startup.ts) on SQLite holding 100,000 stored fills, against the
 *    same start-up on an empty database (median of 3 rounds each, alternating).
 * `QM_BENCH_TICKS` (default 400) sets the measured ticks per case, `QM_BENCH_ONLY=backtest|sqlite|postgres|spooled|startup`
 * runs one part.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { DistributedLock } from '../src/coordination/lock/distributed-lock.js';
import { NoopLock } from '../src/coordination/lock/noop/noop-lock.js';
import { RedisLock } from '../src/coordination/lock/redis/redis-lock.js';
import type { Database } from '../src/storage/database.js';
import { openDatabase } from '../src/storage/open-database.js';
import { createPostgresDatabase } from '../test/harness/postgres.js';
import { requireListening, services } from '../test/harness/services.js';
import { benchBacktest, printRow } from './backtest-throughput.js';
import { type RawRoundTrip, rawPostgresInsert, rawRedisLock, rawSqliteInsert } from './raw-round-trips.js';
import { benchStartup } from './startup.js';
import { startTickToOrder } from './tick-to-order.js';

const TICKS = Number(process.env.QM_BENCH_TICKS ?? '400');
const WARM_UP_TICKS = 20;
const ROUNDS = 10;
const ONLY = process.env.QM_BENCH_ONLY;

interface Percentiles {
  readonly p50: number;
  readonly p99: number;
}

function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

const ratio = (value: number) => value.toPrecision(3);

function row(name: string, value: string, baselineName: string, baseline: string, ratioText: string): void {
  console.log(
    `${name.padEnd(44)} ${value.padStart(10)}  baseline ${baselineName.padEnd(40)} ${baseline.padStart(10)}  ratio ${ratioText}`,
  );
}

async function backtestSection(): Promise<void> {
  console.log(
    '## backtest throughput (ticks per CPU second, best of 3 rounds after a warm-up; npm run bench:backtest adds the length test)',
  );
  for (const result of await benchBacktest()) printRow(result);
}

interface LatencyCase {
  readonly title: string;
  readonly database: Database;
  readonly lock: DistributedLock;
  /** The raw round trips one placement must make, by name. */
  readonly baselines: Readonly<Record<string, RawRoundTrip>>;
}

/** Engine ticks and raw round trips in alternating rounds; prints the figures and the ratio. */
async function latencySection(latency: LatencyCase): Promise<void> {
  console.log(`\n## tick-to-order-sent latency: ${latency.title} (${TICKS} ticks, ${ROUNDS} rounds, symbol lock)`);
  const session = await startTickToOrder({
    database: latency.database,
    lock: latency.lock,
    ticks: WARM_UP_TICKS + TICKS,
  });
  const ours: number[] = [];
  const raw: Record<string, number[]> = Object.fromEntries(Object.keys(latency.baselines).map((name) => [name, []]));
  try {
    for (let i = 0; i < WARM_UP_TICKS; i += 1) await session.tick();
    for (const trip of Object.values(latency.baselines)) for (let i = 0; i < WARM_UP_TICKS; i += 1) await trip.once();
    const sentBefore = session.ordersSent;
    for (let round = 0; round < ROUNDS; round += 1) {
      const share = Math.ceil(TICKS / ROUNDS);
      for (let i = 0; i < share && ours.length < TICKS; i += 1) ours.push(await session.tick());
      for (const [name, trip] of Object.entries(latency.baselines))
        for (let i = 0; i < share; i += 1) raw[name]!.push(await trip.once());
      console.log(
        `  ... round ${round + 1}/${ROUNDS}: ${ours.length} ticks, running p50 ${percentiles(ours).p50.toFixed(2)} ms`,
      );
    }
    // Each tick must have produced exactly one order, or the samples do not measure what they say.
    const sent = session.ordersSent - sentBefore;
    if (sent < TICKS) throw new Error(`engine bench: ${TICKS} ticks produced only ${sent} orders`);
    console.log(`  orders sent during the measured ticks: ${sent}`);
  } finally {
    await session.close();
  }
  const figures = percentiles(ours);
  const rawFigures = Object.entries(raw).map(([name, samples]) => ({ name, ...percentiles(samples) }));
  const sumP50 = rawFigures.reduce((sum, trip) => sum + trip.p50, 0);
  const sumP99 = rawFigures.reduce((sum, trip) => sum + trip.p99, 0);
  const rawName = rawFigures.map((trip) => trip.name).join(' + ');
  row(
    'tick → placeOrder at venue, p50',
    `${figures.p50.toFixed(3)} ms`,
    rawName,
    `${sumP50.toFixed(3)} ms`,
    ratio(figures.p50 / sumP50),
  );
  row(
    'tick → placeOrder at venue, p99',
    `${figures.p99.toFixed(3)} ms`,
    rawName,
    `${sumP99.toFixed(3)} ms`,
    ratio(figures.p99 / sumP99),
  );
  for (const trip of rawFigures)
    console.log(`   raw ${trip.name}: p50 ${trip.p50.toFixed(3)} ms, p99 ${trip.p99.toFixed(3)} ms`);
}

const FIRST_WINDOW_ROUNDS = 10;
const FIRST_WINDOW = 10;

/** Alternating rounds of a fresh grid's first window of FIRST_WINDOW buys and of 1 buy; prints both p50s and the ratio. */
async function firstWindowSection(latency: Omit<LatencyCase, 'baselines'>): Promise<void> {
  console.log(`\n## first window: ${latency.title} (${FIRST_WINDOW_ROUNDS} rounds, a fresh grid each, symbol lock)`);
  const samples: Record<number, number[]> = { 1: [], [FIRST_WINDOW]: [] };
  let grid = 0;
  const once = async (window: number) => {
    const session = await startTickToOrder({
      database: latency.database,
      lock: latency.lock,
      ticks: 2,
      exchangeName: `firstwindow${(grid += 1)}`,
      buyWindowSize: window,
    });
    try {
      return await session.tickUntil(window);
    } finally {
      await session.close();
    }
  };
  await once(FIRST_WINDOW); // warm-up
  for (let round = 0; round < FIRST_WINDOW_ROUNDS; round += 1)
    for (const window of [1, FIRST_WINDOW]) samples[window]!.push(await once(window));
  const ten = percentiles(samples[FIRST_WINDOW]!).p50;
  const one = percentiles(samples[1]!).p50;
  row(
    `first ${FIRST_WINDOW} orders at venue, p50`,
    `${ten.toFixed(3)} ms`,
    'first 1 order at venue, p50',
    `${one.toFixed(3)} ms`,
    `${ratio(ten / one)} (goal ≤ 1.5)`,
  );
}

async function sqliteSection(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'qm-bench-engine-'));
  try {
    const database = await openDatabase({ type: 'sqlite', dsn: join(dir, 'engine.db') });
    // The baseline's own file, migrated by the project so its table is the engine's.
    await (await openDatabase({ type: 'sqlite', dsn: join(dir, 'raw.db') })).close();
    const insert = rawSqliteInsert(join(dir, 'raw.db'));
    try {
      await latencySection({
        title: '(a) SQLite + NoopLock',
        database,
        lock: new NoopLock(),
        baselines: { 'SQLite INSERT': insert },
      });
      await firstWindowSection({ title: '(a) SQLite + NoopLock', database, lock: new NoopLock() });
    } finally {
      await insert.close();
      await database.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deletes every key under `prefix` (the lock's keys and fencing counters, the baseline's key). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 100 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

/** (b), or (c) with `spooled`: PostgreSQL behind the spool, as instances run it. */
async function postgresSection(spooled = false): Promise<void> {
  await requireListening('redis');
  const fresh = await createPostgresDatabase();
  const prefix = `qmbench-engine-${randomUUID()}:`;
  const dir = await mkdtemp(join(tmpdir(), 'qm-bench-spool-'));
  try {
    const database = await openDatabase({
      type: 'postgres',
      dsn: fresh.url,
      // The instance defaults (storage.flush_interval 1 s, batch_size 100).
      spool: spooled ? { path: join(dir, 'bench.spool'), flushIntervalMs: 1000, batchSize: 100 } : undefined,
    });
    const lock = new RedisLock({ addr: new URL(services.redis.url).host, prefix });
    const insert = await rawPostgresInsert(fresh.url);
    const redis = rawRedisLock(services.redis.url, prefix);
    const title = spooled ? '(c) PostgreSQL behind the spool + RedisLock' : '(b) PostgreSQL + RedisLock';
    try {
      await latencySection({
        title,
        database,
        lock,
        baselines: { 'pg INSERT': insert, 'Redis SET NX PX + release': redis },
      });
      await firstWindowSection({ title, database, lock });
    } finally {
      await Promise.allSettled([insert.close(), redis.close(), lock.close(), database.close()]);
    }
  } finally {
    await deleteKeys(services.redis.url, prefix);
    await fresh.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function startupSection(): Promise<void> {
  const stored = 100_000;
  console.log(`\n## start-up of one symbol with ${stored.toLocaleString('en')} stored fills (SQLite, median of 3)`);
  const figures = await benchStartup(stored, 3);
  row(
    `start-up, ${stored.toLocaleString('en')} stored fills`,
    `${figures.storedMs.toFixed(0)} ms`,
    'start-up, empty database',
    `${figures.emptyMs.toFixed(0)} ms`,
    ratio(figures.storedMs / figures.emptyMs),
  );
}

console.log(`engine benchmark: node ${process.version}, ${new Date().toISOString()}`);
if (ONLY === undefined || ONLY === 'backtest') await backtestSection();
if (ONLY === undefined || ONLY === 'sqlite') await sqliteSection();
if (ONLY === undefined || ONLY === 'postgres') await postgresSection();
if (ONLY === undefined || ONLY === 'spooled') await postgresSection(true);
if (ONLY === undefined || ONLY === 'startup') await startupSection();
process.exit(0);
