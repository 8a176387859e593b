/** `db copy` (R11): SQLite → PostgreSQL → MySQL with equal checksums; a corrupted row is reported. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dec } from '../../src/domain/decimal.js';
import { copyDatabase, verifyCopy } from '../../src/storage/copy/copy-database.js';
import { runCopy } from '../../src/storage/copy/run-copy.js';
import { CopyTargetNotEmptyError } from '../../src/storage/errors.js';
import { KyselyDatabase } from '../../src/storage/kysely/kysely-database.js';
import { createStorageDialect, openDatabase } from '../../src/storage/open-database.js';
import { DAY0, event, fill, grid, intent, order, slot, trade } from '../conformance/database-fixtures.js';
import { startTsProcess } from '../harness/child-process.js';
import { createMariadbDatabase } from '../harness/mariadb.js';
import { createPostgresDatabase, type TestDatabase } from '../harness/postgres.js';

let dir: string;
let sqlitePath: string;
let postgres: TestDatabase;
let mariadb: TestDatabase;

function sink(): { write(text: string): boolean; text: string } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qm-copy-'));
  sqlitePath = join(dir, 'source.db');
  [postgres, mariadb] = await Promise.all([createPostgresDatabase(), createMariadbDatabase()]);
  const source = await openDatabase({ type: 'sqlite', dsn: sqlitePath });
  await source.batchSaveTrades(
    Array.from({ length: 2500 }, (_, i) =>
      trade(`copy-${i}`, {
        symbol: i % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT',
        realizedPnl: `${i}.000000000000000001`,
        closedAt: DAY0 + i,
      }),
    ),
  );
  await source.saveOrder(order('c-o1'));
  await source.saveOrder(order('c-o1', { status: 'FILLED', filledQuantity: dec('0.01'), updatedAt: DAY0 + 5 }));
  await source.batchSaveFills([fill('c-f1'), fill('c-f2', { account: 'Zeta' }), fill('c-f3', { account: 'alpha' })]);
  await source.recordIntent(intent('c-i1', { fencingToken: 9_007_199_254_740_993n }));
  await source.ensureGrid(grid({ pausedReason: 'manual', paused: true }));
  await source.saveSlots([slot(-3), slot(0), slot(12, { cycle: 4 })]);
  await source.saveEvent(event(DAY0, { details: { emoji: 'ü→✓' } }));
  await source.saveFillCursor({ exchange: 'sim', account: 'main', symbol: 'BTCUSDT', cursor: 'abc', updatedAt: DAY0 });
  await source.close();
});

afterAll(async () => {
  await Promise.all([postgres?.drop(), mariadb?.drop()]);
  await rm(dir, { recursive: true, force: true });
});

it('CP01 SQLite → PostgreSQL → MySQL copies every table with equal counts and checksums', async () => {
  const out = sink();
  const progress = sink();
  expect(await runCopy({ from: sqlitePath, to: postgres.url, batchSize: 700, out, progress })).toBe(true);
  expect(out.text).toContain('verified');
  expect(progress.text).toMatch(/trades\s+\[#+\] 2500\/2500/);
  expect(await runCopy({ from: postgres.url, to: mariadb.url, batchSize: 700, out, progress })).toBe(true);
  const copied = await openDatabase({ type: 'mysql', dsn: mariadb.url });
  try {
    expect((await copied.getIntents({ clientOrderId: 'c-i1' }))[0]!.fencingToken).toBe(9_007_199_254_740_993n);
    expect((await copied.getTrades({ limit: 1, offset: 2499 }))[0]!.realizedPnl.toFixed()).toBe(
      '2499.000000000000000001',
    );
    expect((await copied.getOrderHistory('sim', 'c-o1')).map((h) => h.status)).toEqual(['NEW', 'FILLED']);
  } finally {
    await copied.close();
  }
});

it('CP02 a non-empty target is refused without --force; with it the copy is re-run harmlessly', async () => {
  await expect(runCopy({ from: sqlitePath, to: mariadb.url, out: sink(), progress: sink() })).rejects.toBeInstanceOf(
    CopyTargetNotEmptyError,
  );
  expect(await runCopy({ from: sqlitePath, to: mariadb.url, force: true, out: sink(), progress: sink() })).toBe(true);
});

it('CP03 a corrupted target row is reported with its table and key', async () => {
  const admin = await mysql.createConnection(mariadb.url);
  try {
    await admin.query("update trades set fees = '0.06' where id = 'copy-1234'");
    await admin.query('delete from slots where level = 12');
  } finally {
    await admin.end();
  }
  const [source, target] = await Promise.all([
    KyselyDatabase.open(createStorageDialect({ type: 'postgres', dsn: postgres.url })),
    KyselyDatabase.open(createStorageDialect({ type: 'mysql', dsn: mariadb.url })),
  ]);
  try {
    const endpoints = [
      { db: source.kysely, dialect: source.dialect },
      { db: target.kysely, dialect: target.dialect },
    ] as const;
    const comparisons = await verifyCopy(...endpoints);
    const differing = comparisons.filter((c) => !c.equal);
    expect(differing.map((c) => [c.table, c.differingKeys])).toEqual([
      ['slots', ['["sim","BTCUSDT","12"]']],
      ['trades', ['["copy-1234"]']],
    ]);
    expect(differing.find((c) => c.table === 'slots')).toMatchObject({ sourceRows: 3, targetRows: 2 });
    await copyDatabase(...endpoints, { force: true });
    expect((await verifyCopy(...endpoints)).every((c) => c.equal)).toBe(true);
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
});

it('CP04 the CLI copies, and a failing DSN is reported without its password', async () => {
  const ok = startTsProcess('test/storage/db-cli.script.ts', [
    'copy',
    '--from',
    sqlitePath,
    '--to',
    postgres.url,
    '--force',
    '--batch-size',
    '1000',
  ]);
  expect(await ok.exited).toBe(0);
  expect(ok.output()).toContain('verified');
  const url = new URL(mariadb.url);
  url.password = 'Sup3rSecretPw';
  const bad = startTsProcess('test/storage/db-cli.script.ts', ['copy', '--from', sqlitePath, '--to', url.toString()]);
  expect(await bad.exited).toBe(1);
  expect(bad.output()).toMatch(/error: /);
  expect(bad.output()).not.toContain('Sup3rSecretPw');
});

it('CP05 db migrate applies migrations from --dsn or from the database section of --config', async () => {
  const viaDsn = startTsProcess('test/storage/db-cli.script.ts', ['migrate', '--dsn', join(dir, 'fresh.db')]);
  expect(await viaDsn.exited).toBe(0);
  expect(viaDsn.output()).toContain('migrated');
  const config = join(dir, 'instance.yaml');
  // A whole instance file: `db migrate --config` validates it like `quantmesh --config` does.
  await writeFile(
    config,
    [
      'instance:',
      '  id: i-1',
      'database:',
      '  type: postgres',
      `  dsn: "${postgres.url}"`,
      'exchanges:',
      '  sim: { type: sim }',
      'trading:',
      '  symbols:',
      '    - { exchange: sim, symbol: BTCUSDT, price_interval: "50", order_quantity: "30" }',
      '',
    ].join('\n'),
  );
  const viaConfig = startTsProcess('test/storage/db-cli.script.ts', ['migrate', '--config', config]);
  expect(await viaConfig.exited).toBe(0);
  expect(viaConfig.output()).toMatch(/migrated postgres:\/\/.* \(postgres\)/);
  const neither = startTsProcess('test/storage/db-cli.script.ts', ['migrate']);
  expect(await neither.exited).toBe(1);
  expect(neither.output()).toContain('exactly one of --config or --dsn');
  const fresh = await openDatabase({ type: 'sqlite', dsn: join(dir, 'fresh.db') });
  expect(await fresh.getTrades({})).toEqual([]);
  await fresh.close();
});
