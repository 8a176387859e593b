/**
 * `npm run bench:storage`: storage throughput, each figure beside a baseline measured in the same run.
 * 1. batchSaveTrades (KyselyDatabase, multi-row INSERT … ON CONFLICT DO NOTHING / INSERT IGNORE) per
 *    dialect vs the raw driver's plain multi-row INSERT of the same rows into the same table shape
 *    (a second, identically migrated database). Rounds alternate adapter and raw; the best round counts
 *    (the machine is shared, so single rounds are noisy).
 *    `QM_BENCH_ONLY=sqlite,postgres,mysql,spool,fills` narrows the run; the sizes come from `QM_BENCH_ROWS`
 *    and `QM_BENCH_SPOOL_RECORDS`.
 * 2. Spool append+fsync with group commit (64 concurrent writers) vs a raw
 *    `fs.appendFileSync + fsyncSync` loop, one record at a time, on the same disk.
 * 3. The engine's write of a fill through the spool on PostgreSQL (one spooled transaction: the
 *    fill, whose save asks the database whether it is new, and a slot), one after another as a
 *    runner writes them, vs the same transaction with a second slot in the fill's place (no read).
 *    `QM_BENCH_FILL_SAVES` sets the transactions per round.
 */
import { appendFileSync, closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { dec } from '../src/domain/decimal.js';
import type { Fill } from '../src/domain/fill.js';
import type { Trade } from '../src/domain/trade.js';
import type { Database } from '../src/storage/database.js';
import type { SlotRecord } from '../src/storage/records.js';
import { tradeRow } from '../src/storage/kysely/row-mappers.js';
import { openDatabase } from '../src/storage/open-database.js';
import { encodeRecord } from '../src/storage/spool/spool-codec.js';
import { SpoolFile } from '../src/storage/spool/spool-file.js';
import { createMariadbDatabase } from '../test/harness/mariadb.js';
import { createPostgresDatabase } from '../test/harness/postgres.js';

const ROWS = Number(process.env.QM_BENCH_ROWS ?? 20_000);
const BATCH = 1000;
const ROUNDS = 5;
const SPOOL_RECORDS = Number(process.env.QM_BENCH_SPOOL_RECORDS ?? 5_000);
const FILL_SAVES = Number(process.env.QM_BENCH_FILL_SAVES ?? 500);

function trades(round: number, label: string): Trade[] {
  return Array.from({ length: ROWS }, (_, i) => ({
    id: `${label}-${round}-${i}`,
    exchange: 'sim',
    symbol: 'BTCUSDT',
    level: i % 100,
    cycle: round,
    quantity: dec('0.001'),
    buyPrice: dec('64000.5'),
    sellPrice: dec('64100.5'),
    fees: dec('0.0128201'),
    realizedPnl: dec('0.0871799'),
    openedAt: 1_700_000_000_000 + i,
    closedAt: 1_700_000_100_000 + i,
  }));
}

type RawInsert = (rows: readonly Trade[]) => Promise<void>;

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function compare(name: string, adapter: Database, raw: RawInsert): Promise<void> {
  let best = { adapter: Infinity, raw: Infinity };
  for (let round = 0; round < ROUNDS; round += 1) {
    const mine = trades(round, 'adapter');
    const theirs = trades(round, 'raw');
    const runAdapter = () =>
      timed(async () => {
        for (let i = 0; i < ROWS; i += BATCH) await adapter.batchSaveTrades(mine.slice(i, i + BATCH));
      });
    const runRaw = () =>
      timed(async () => {
        for (let i = 0; i < ROWS; i += BATCH) await raw(theirs.slice(i, i + BATCH));
      });
    // Alternate who goes first, so neither side always meets a warmer cache or a busier machine.
    let adapterSeconds: number;
    let rawSeconds: number;
    if (round % 2 === 0) {
      adapterSeconds = await runAdapter();
      rawSeconds = await runRaw();
    } else {
      rawSeconds = await runRaw();
      adapterSeconds = await runAdapter();
    }
    best = { adapter: Math.min(best.adapter, adapterSeconds), raw: Math.min(best.raw, rawSeconds) };
  }
  const adapterRate = ROWS / best.adapter;
  const rawRate = ROWS / best.raw;
  console.log(
    `${name.padEnd(9)} batchSaveTrades ${adapterRate.toFixed(0).padStart(8)} rows/s | raw multi-row INSERT ${rawRate.toFixed(0).padStart(8)} rows/s | ratio ${(adapterRate / rawRate).toFixed(2)}`,
  );
}

const COLUMNS = Object.keys(tradeRow(trades(0, 'shape')[0]!));
const values = (rows: readonly Trade[]) => rows.flatMap((t) => Object.values(tradeRow(t)));

async function benchSqlite(dir: string): Promise<void> {
  const adapter = await openDatabase({ type: 'sqlite', dsn: join(dir, 'adapter.db') });
  const rawPath = join(dir, 'raw.db');
  await (await openDatabase({ type: 'sqlite', dsn: rawPath })).close();
  const raw = new BetterSqlite3(rawPath);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  const statement = raw.prepare(
    `insert into trades (${COLUMNS.join(', ')}) values ${Array(BATCH)
      .fill(`(${COLUMNS.map(() => '?').join(', ')})`)
      .join(', ')}`,
  );
  await compare('sqlite', adapter, async (rows) => {
    statement.run(values(rows));
  });
  raw.close();
  await adapter.close();
}

async function benchPostgres(): Promise<void> {
  const [one, two] = await Promise.all([createPostgresDatabase(), createPostgresDatabase()]);
  const adapter = await openDatabase({ type: 'postgres', dsn: one.url });
  await (await openDatabase({ type: 'postgres', dsn: two.url })).close();
  const raw = new pg.Client({ connectionString: two.url });
  await raw.connect();
  const placeholders = (n: number) =>
    Array.from({ length: n }, (_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`).join(
      ', ',
    );
  await compare('postgres', adapter, async (rows) => {
    await raw.query(`insert into trades (${COLUMNS.join(', ')}) values ${placeholders(rows.length)}`, values(rows));
  });
  await raw.end();
  await adapter.close();
  await Promise.all([one.drop(), two.drop()]);
}

async function benchMysql(): Promise<void> {
  const [one, two] = await Promise.all([createMariadbDatabase(), createMariadbDatabase()]);
  const adapter = await openDatabase({ type: 'mysql', dsn: one.url });
  await (await openDatabase({ type: 'mysql', dsn: two.url })).close();
  const raw = await mysql.createConnection(two.url);
  await compare('mysql', adapter, async (rows) => {
    await raw.query(`insert into trades (${COLUMNS.join(', ')}) values ?`, [
      rows.map((t) => Object.values(tradeRow(t))),
    ]);
  });
  await raw.end();
  await adapter.close();
  await Promise.all([one.drop(), two.drop()]);
}

async function benchSpool(dir: string): Promise<void> {
  const sample = trades(0, 'spool');
  const spool = await SpoolFile.open(join(dir, 'bench.spool'));
  const spoolSeconds = await timed(async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < SPOOL_RECORDS) {
          const seq = (next += 1);
          await spool.append({ seq, op: 'trades', trades: [sample[seq % sample.length]!] });
        }
      }),
    );
  });
  await spool.close();
  const path = join(dir, 'baseline.spool');
  const fd = openSync(path, 'a');
  const baselineSeconds = await timed(async () => {
    for (let seq = 1; seq <= SPOOL_RECORDS; seq += 1) {
      appendFileSync(fd, encodeRecord({ seq, op: 'trades', trades: [sample[seq % sample.length]!] }));
      fsyncSync(fd);
    }
  });
  closeSync(fd);
  const spoolRate = SPOOL_RECORDS / spoolSeconds;
  const baselineRate = SPOOL_RECORDS / baselineSeconds;
  console.log(
    `spool     append+fsync (64 writers, group commit) ${spoolRate.toFixed(0).padStart(8)} records/s | appendFileSync+fsyncSync loop ${baselineRate.toFixed(0).padStart(8)} records/s | ratio ${(spoolRate / baselineRate).toFixed(2)} (${spool.syncCount} fsyncs for ${SPOOL_RECORDS} records)`,
  );
}

async function benchFillAnswer(dir: string): Promise<void> {
  const database = await createPostgresDatabase();
  const spooled = await openDatabase({
    type: 'postgres',
    dsn: database.url,
    spool: { path: join(dir, 'fills.spool'), flushIntervalMs: 50 },
  });
  const slot = (level: number): SlotRecord => ({
    exchange: 'sim',
    symbol: 'BTCUSDT',
    level,
    cycle: 0,
    positionQuantity: dec('0.001'),
    entryPrice: dec('64000.5'),
    entryFees: dec('0.0064'),
    postOnlyRejections: 0,
    updatedAt: 1_700_000_000_000,
  });
  const fill = (round: number, i: number): Fill => ({
    exchange: 'sim',
    account: 'main',
    tradeId: `${round}-${i}`,
    symbol: 'BTCUSDT',
    clientOrderId: `c-${round}-${i}`,
    exchangeOrderId: `x-${round}-${i}`,
    side: 'BUY',
    price: dec('64000.5'),
    quantity: dec('0.001'),
    fee: dec('0.0064'),
    feeAsset: 'USDT',
    isMaker: true,
    time: 1_700_000_000_000 + i,
  });
  let best = { answer: Infinity, baseline: Infinity };
  for (let round = 0; round < ROUNDS; round += 1) {
    const answer = () =>
      timed(async () => {
        for (let i = 0; i < FILL_SAVES; i += 1)
          await spooled.transaction(async (tx) => {
            await tx.saveFill(fill(round, i));
            await tx.saveSlots([slot(i % 100)]);
          });
      });
    const baseline = () =>
      timed(async () => {
        for (let i = 0; i < FILL_SAVES; i += 1)
          await spooled.transaction(async (tx) => {
            await tx.saveSlots([slot(i % 100)]);
            await tx.saveSlots([slot(i % 100)]);
          });
      });
    let answerSeconds: number;
    let baselineSeconds: number;
    if (round % 2 === 0) {
      answerSeconds = await answer();
      baselineSeconds = await baseline();
    } else {
      baselineSeconds = await baseline();
      answerSeconds = await answer();
    }
    best = { answer: Math.min(best.answer, answerSeconds), baseline: Math.min(best.baseline, baselineSeconds) };
  }
  await spooled.close();
  await database.drop();
  const answerRate = FILL_SAVES / best.answer;
  const baselineRate = FILL_SAVES / best.baseline;
  console.log(
    `spooled  fill + slot transaction (is-it-new read) ${answerRate.toFixed(0).padStart(8)} tx/s | slot + slot transaction ${baselineRate.toFixed(0).padStart(8)} tx/s | ratio ${(answerRate / baselineRate).toFixed(2)}`,
  );
}

const dir = await mkdtemp(join(tmpdir(), 'qm-bench-'));
try {
  console.log(
    `storage bench: ${ROWS} trades per round in batches of ${BATCH}, best of ${ROUNDS} rounds (order alternating); ${SPOOL_RECORDS} spool records`,
  );
  const only = process.env.QM_BENCH_ONLY?.split(',');
  const wanted = (name: string) => only === undefined || only.includes(name);
  if (wanted('sqlite')) await benchSqlite(dir);
  if (wanted('postgres')) await benchPostgres();
  if (wanted('mysql')) await benchMysql();
  if (wanted('spool')) await benchSpool(dir);
  if (wanted('fills')) await benchFillAnswer(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
