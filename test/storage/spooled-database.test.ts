/** The write-behind spool (Invariant 2, R10): group commit, outage buffering, the size bound, torn tails. */
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dec } from '../../src/domain/decimal.js';
import { DatabaseUnavailableError, SpoolFullError } from '../../src/storage/errors.js';
import { KyselyDatabase } from '../../src/storage/kysely/kysely-database.js';
import { createStorageDialect } from '../../src/storage/open-database.js';
import { encodeRecord } from '../../src/storage/spool/spool-codec.js';
import { type SpoolLogger, SpooledDatabase } from '../../src/storage/spool/spooled-database.js';
import { fill, intent, order, slot, trade } from '../conformance/database-fixtures.js';
import { until } from '../harness/until.js';
import { FaultProxy } from '../harness/fault-proxy.js';
import { createPostgresDatabase, type TestDatabase } from '../harness/postgres.js';

let database: TestDatabase;
let proxy: FaultProxy;
let dir: string;
let viaProxy: string;

beforeAll(async () => {
  database = await createPostgresDatabase();
  proxy = await FaultProxy.start(database.host, database.port);
  dir = await mkdtemp(join(tmpdir(), 'qm-spooled-'));
  const url = new URL(database.url);
  url.host = `${proxy.host}:${proxy.port}`;
  viaProxy = url.toString();
});

afterAll(async () => {
  await proxy?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function openSpooled(
  name: string,
  options: {
    maxSpoolBytes?: number;
    registry?: Registry;
    migrate?: boolean;
    answerTimeoutMs?: number;
    logger?: SpoolLogger;
  } = {},
): Promise<SpooledDatabase> {
  const inner = await KyselyDatabase.open(createStorageDialect({ type: 'postgres', dsn: viaProxy, maxOpenConns: 2 }), {
    migrate: options.migrate,
  });
  return SpooledDatabase.open(
    inner,
    {
      path: join(dir, name),
      batchSize: 100,
      flushIntervalMs: 20,
      maxSpoolBytes: options.maxSpoolBytes,
      answerTimeoutMs: options.answerTimeoutMs,
    },
    { registry: options.registry, logger: options.logger },
  );
}

function outage(): void {
  proxy.refuse();
  proxy.cut();
}

it('SP01 concurrent writes share fsyncs (group commit) and all reach the database', async () => {
  const spooled = await openSpooled('group.spool');
  await Promise.all(Array.from({ length: 300 }, (_, i) => spooled.saveTrade(trade(`g-${i}`, { symbol: 'GROUP' }))));
  expect(spooled.depth.syncs).toBeLessThan(30);
  await spooled.drain();
  expect(await spooled.getTrades({ symbol: 'GROUP' })).toHaveLength(300);
  expect(spooled.depth).toMatchObject({ records: 0, bytes: 0 });
  await spooled.close();
});

it('SP02 during an outage writes accumulate, intents fail at once, and everything replays in order when the database returns', async () => {
  const registry = new Registry();
  const spooled = await openSpooled('outage.spool', { registry });
  outage();
  await spooled.saveOrder(order('sp-o', { symbol: 'OUTAGE' }));
  await spooled.saveOrder(
    order('sp-o', { symbol: 'OUTAGE', status: 'FILLED', filledQuantity: dec('0.01'), updatedAt: 2_000_000_000_000 }),
  );
  await spooled.batchSaveTrades([trade('sp-t1', { symbol: 'OUTAGE' }), trade('sp-t2', { symbol: 'OUTAGE' })]);
  await expect(spooled.recordIntent(intent('sp-i'))).rejects.toBeInstanceOf(DatabaseUnavailableError);
  expect(spooled.depth.records).toBe(3);
  expect(await registry.metrics()).toMatch(/quantmesh_storage_spool_records 3/);
  proxy.restore();
  await spooled.drain();
  expect((await spooled.getOrders({ symbol: 'OUTAGE' }))[0]).toMatchObject({ status: 'FILLED' });
  expect((await spooled.getOrderHistory('sim', 'sp-o')).map((h) => h.status)).toEqual(['NEW', 'FILLED']);
  expect(await spooled.getTrades({ symbol: 'OUTAGE' })).toHaveLength(2);
  await spooled.close();
});

it('SP03 past maxSpoolBytes a write is refused with SpoolFullError and counted; earlier writes are kept', async () => {
  const registry = new Registry();
  const spooled = await openSpooled('full.spool', { maxSpoolBytes: 2_000, registry });
  outage();
  let accepted = 0;
  let refused: unknown;
  for (let i = 0; i < 50 && refused === undefined; i += 1) {
    await spooled.saveTrade(trade(`full-${i}`, { symbol: 'FULL' })).then(
      () => {
        accepted += 1;
      },
      (error: unknown) => {
        refused = error;
      },
    );
  }
  expect(refused).toBeInstanceOf(SpoolFullError);
  expect(accepted).toBeGreaterThan(0);
  expect(await registry.metrics()).toMatch(/quantmesh_storage_spool_rejected_total 1/);
  proxy.restore();
  await spooled.drain();
  expect(await spooled.getTrades({ symbol: 'FULL' })).toHaveLength(accepted);
  await spooled.close();
});

it('SP04 a torn last line (crash mid-append) is cut off and the complete records before it are replayed', async () => {
  const path = join(dir, 'torn.spool');
  await appendFile(path, encodeRecord({ seq: 1, op: 'trades', trades: [trade('torn-1', { symbol: 'TORN' })] }));
  await appendFile(
    path,
    encodeRecord({ seq: 2, op: 'trades', trades: [trade('torn-2', { symbol: 'TORN' })] }).slice(0, 40),
  );
  const spooled = await openSpooled('torn.spool');
  await spooled.drain();
  expect((await spooled.getTrades({ symbol: 'TORN' })).map((t) => t.id)).toEqual(['torn-1']);
  await spooled.saveTrade(trade('torn-3', { symbol: 'TORN' }));
  await spooled.drain();
  await spooled.close();
  expect(await readFile(path, 'utf8')).toBe(''); // flushed spools are truncated
  expect((await readFile(`${path}.checkpoint`, 'utf8')).trim()).toBe('2');
});

it('SP05 a record the database refuses goes to the dead-letter file and does not block the records behind it', async () => {
  const registry = new Registry();
  const spooled = await openSpooled('poison.spool', { registry });
  await spooled.saveTrade(trade('poison-1', { symbol: 'POISON' }));
  await spooled.saveTrade(trade('poison-2', { symbol: 'X'.repeat(80) })); // longer than varchar(64)
  await spooled.saveTrade(trade('poison-3', { symbol: 'POISON' }));
  await spooled.drain();
  expect((await spooled.getTrades({ symbol: 'POISON' })).map((t) => t.id)).toEqual(['poison-1', 'poison-3']);
  const rejected = (await readFile(join(dir, 'poison.spool.rejected'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { code: string; record: { trades: Array<{ id: string }> } });
  expect(rejected.map((r) => [r.code, r.record.trades[0]!.id])).toEqual([['22001', 'poison-2']]);
  expect(await registry.metrics()).toMatch(/quantmesh_storage_spool_dead_letters_total 1/);
  await spooled.close();
});

it('SP06 a spooled transaction is one record: durable all or none, written to the database together, and a rollback writes nothing', async () => {
  const spooled = await openSpooled('tx.spool');
  outage();
  await spooled.transaction(async (tx) => {
    await tx.saveTrade(trade('tx-t1', { symbol: 'TXGROUP' }));
    await tx.saveOrder(order('tx-o1', { symbol: 'TXGROUP' }));
    await tx.setGridPaused('sim', 'TXGROUP', true, 'operator: test', 1_000);
  });
  expect(spooled.depth.records).toBe(1);
  await expect(
    spooled.transaction(async (tx) => {
      await tx.saveTrade(trade('tx-t2', { symbol: 'TXGROUP' }));
      throw new Error('changed my mind');
    }),
  ).rejects.toThrow('changed my mind');
  await expect(spooled.transaction((tx) => tx.recordIntent(intent('tx-i')))).rejects.toThrow('spooled transaction');
  expect(spooled.depth.records).toBe(1);
  proxy.restore();
  await spooled.drain();
  expect((await spooled.getTrades({ symbol: 'TXGROUP' })).map((t) => t.id)).toEqual(['tx-t1']);
  expect(await spooled.getOrders({ symbol: 'TXGROUP' })).toHaveLength(1);
  await spooled.close();
});

it('SP07 while the database is down a fill is answered from what the spool saw: held or seen → not new, later → new, earlier → refused; held fills survive a restart; drain says when it could not', async () => {
  const first = await openSpooled('novelty.spool');
  const at = (tradeId: string, time: number) => fill(tradeId, { symbol: 'NOVEL', time });
  expect(await first.saveFill(at('n-1', 1_000))).toBe(true);
  await first.drain();
  outage();
  expect(await first.saveFill(at('n-1', 1_000))).toBe(false); // written before the outage, seen
  expect(await first.saveFill(at('n-2', 1_000))).toBe(true); // same millisecond, another trade
  expect(await first.saveFill(at('n-3', 2_000))).toBe(true);
  expect(await first.saveFill(at('n-3', 2_000))).toBe(false); // held in the spool
  await expect(first.saveFill(at('n-0', 500))).rejects.toBeInstanceOf(DatabaseUnavailableError);
  expect(first.depth.records).toBe(2);
  expect(await first.drain(100)).toBe(false); // the database is still away
  await first.close();
  expect(await first.drain()).toBe(false); // closed: the records wait in the file

  const second = await openSpooled('novelty.spool', { migrate: false });
  expect(await second.saveFill(at('n-3', 2_000))).toBe(false); // held: rebuilt from the spool file
  expect(await second.transaction((tx) => tx.saveFill(at('n-2', 1_000)))).toBe(false);
  proxy.restore();
  await second.drain();
  expect(await second.saveFill(at('n-0', 500))).toBe(true); // the database answers again
  await second.drain();
  expect((await second.getFills({ symbol: 'NOVEL' })).map((f) => f.tradeId)).toEqual(['n-0', 'n-1', 'n-2', 'n-3']);
  await second.close();
});

it('SP08 saves of one fill racing each other (plain and in transactions) answer new exactly once; a rolled-back claim lets the next save store it', async () => {
  const spooled = await openSpooled('race.spool');
  const raced = fill('r-1', { symbol: 'RACE' });
  const answers = await Promise.all([
    spooled.saveFill(raced),
    spooled.transaction((tx) => tx.saveFill(raced)),
    spooled.batchSaveFills([raced, fill('r-2', { symbol: 'RACE' })]),
    spooled.transaction((tx) => tx.batchSaveFills([fill('r-2', { symbol: 'RACE' }), raced])),
  ]);
  expect(answers.map(Number).reduce((total, n) => total + n, 0)).toBe(2); // r-1 once, r-2 once
  const abandoned = fill('r-3', { symbol: 'RACE' });
  const tx = await spooled.beginTx();
  expect(await tx.saveFill(abandoned)).toBe(true);
  const waiting = spooled.saveFill(abandoned);
  await tx.rollback();
  expect(await waiting).toBe(true);
  await spooled.drain();
  expect((await spooled.getFills({ symbol: 'RACE' })).map((f) => f.tradeId)).toEqual(['r-1', 'r-2', 'r-3']);
  await spooled.close();
});

it('SP09 a database that stops answering (blackholed connections) counts as down for the fill answer after answerTimeoutMs', async () => {
  const spooled = await openSpooled('stall.spool', { answerTimeoutMs: 300 });
  expect(await spooled.saveFill(fill('s-1', { symbol: 'STALL', time: 1_000 }))).toBe(true);
  await spooled.drain();
  proxy.blackhole();
  const started = performance.now();
  expect(await spooled.saveFill(fill('s-2', { symbol: 'STALL', time: 2_000 }))).toBe(true);
  expect(await spooled.saveFill(fill('s-2', { symbol: 'STALL', time: 2_000 }))).toBe(false); // held
  await expect(spooled.saveFill(fill('s-1', { symbol: 'STALL', time: 1_000 }))).rejects.toBeInstanceOf(
    DatabaseUnavailableError,
  ); // older: cannot tell
  expect(performance.now() - started).toBeLessThan(30_000); // a stalled socket would wait for the OS, minutes
  proxy.restore();
  proxy.cut(); // the stalled connections are gone; the pool reconnects
  await spooled.drain();
  expect((await spooled.getFills({ symbol: 'STALL' })).map((f) => f.tradeId)).toEqual(['s-1', 's-2']);
  await spooled.close();
});

it('SP10 during an outage a full batch waiting does not cut the flush backoff short, and the failure is logged once per interval', async () => {
  const registry = new Registry();
  const warnings: { message: string; details: Record<string, unknown> }[] = [];
  const logger: SpoolLogger = { warn: (details, message) => warnings.push({ message, details }) };
  const spooled = await openSpooled('backoff.spool', { registry, logger });
  outage();
  // Four batches' worth (batchSize 100): every write past the first 100 finds a full batch pending.
  for (let i = 0; i < 400; i += 1) await spooled.saveTrade(trade(`bo-${i}`, { symbol: 'BACKOFF' }));
  const metrics = await registry.metrics();
  const failures = Number(/quantmesh_storage_spool_flush_failures_total (\d+)/.exec(metrics)?.[1]);
  // The backoff doubles from 40 ms to 5 s: a few attempts, not one per write (300 before the fix).
  expect(failures).toBeGreaterThan(0);
  expect(failures).toBeLessThan(15);
  expect(warnings.filter((warning) => warning.message === 'spool flush failed; retrying')).toHaveLength(1);
  proxy.restore();
  await spooled.drain();
  expect(await spooled.getTrades({ symbol: 'BACKOFF' })).toHaveLength(400);
  await spooled.close();
});

it('SP11 drain answers once the records spooled before it are written, while later writes keep coming (a takeover waits for no more)', async () => {
  const spooled = await openSpooled('busy.spool');
  let writing = true;
  let written = 0;
  // Other symbols' steady streams of writes: the spool is never empty for long.
  const steady = Promise.all(
    [0, 1, 2, 3].map(async (writer) => {
      while (writing) {
        await spooled.saveTrade(trade(`busy-${writer}-${written}`, { symbol: 'BUSY' }));
        written += 1;
      }
    }),
  );
  await until(() => written > 50, 'the steady writes to start');
  await spooled.saveTrade(trade('busy-mark', { symbol: 'MARK' }));
  const drained = await spooled.drain(20_000);
  writing = false;
  await steady;
  expect(drained).toBe(true);
  expect(await spooled.getTrades({ symbol: 'MARK' })).toHaveLength(1);
  await spooled.drain();
  await spooled.close();
});

it("SP12 a transaction spooled under an ownership fence that another owner claimed past before it reached the database is dropped whole (slots, fill, cursor), counted and logged; the current owner's is written", async () => {
  const registry = new Registry();
  const warnings: string[] = [];
  const logger: SpoolLogger = { warn: (_details, message) => void warnings.push(message) };
  const spooled = await openSpooled('fenced.spool', { registry, logger });
  const direct = await KyselyDatabase.open(
    createStorageDialect({ type: 'postgres', dsn: database.url, maxOpenConns: 1 }),
  );
  const key = 'owner:sim:FENUSDT';
  await direct.claimFence(key, 7n, 'old-owner');
  outage();
  // The old owner decides while the database is down: its writes wait in its spool.
  await spooled.transaction(async (tx) => {
    await tx.holdFence(key, 7n, 'old-owner');
    await tx.saveFill(fill('fen-1', { symbol: 'FENUSDT' }));
    await tx.saveSlots([slot(3, { symbol: 'FENUSDT', positionQuantity: dec('0.001') })]);
    await tx.saveFillCursor({
      exchange: 'sim',
      account: 'main',
      symbol: 'FENUSDT',
      cursor: 'after-fen-1',
      updatedAt: 1,
    });
  });
  // Meanwhile another instance takes the symbol over on the database the old one cannot reach.
  await direct.claimFence(key, 8n, 'new-owner');
  await direct.saveSlots([slot(3, { symbol: 'FENUSDT' })]);
  await spooled.transaction(async (tx) => tx.saveTrade(trade('fen-unfenced', { symbol: 'FENUSDT' })));
  proxy.restore();
  expect(await spooled.drain(30_000)).toBe(true);

  expect(await direct.getFills({ symbol: 'FENUSDT' })).toEqual([]);
  expect((await direct.getSlots('sim', 'FENUSDT')).map((slot) => slot.positionQuantity.toFixed())).toEqual(['0']);
  expect(await direct.getFillCursor('sim', 'main', 'FENUSDT')).toBeUndefined();
  expect((await direct.getTrades({ symbol: 'FENUSDT' })).map((t) => t.id)).toEqual(['fen-unfenced']);
  expect(warnings.filter((message) => message.includes('earlier ownership dropped'))).toHaveLength(1);
  expect((await registry.getSingleMetric('quantmesh_storage_spool_fenced_out_total')!.get()).values[0]!.value).toBe(1);

  // The new owner's own fenced writes go through.
  await spooled.transaction(async (tx) => {
    await tx.holdFence(key, 8n, 'new-owner');
    await tx.saveFill(fill('fen-2', { symbol: 'FENUSDT' }));
  });
  expect(await spooled.drain(30_000)).toBe(true);
  expect((await direct.getFills({ symbol: 'FENUSDT' })).map((f) => f.tradeId)).toEqual(['fen-2']);
  await spooled.close();
  await direct.close();
});
