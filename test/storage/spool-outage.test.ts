/**
 * Invariant 2 under a database outage and a crash: a writer spools 10,000 trades to PostgreSQL
 * through a FaultProxy; the proxy cuts and refuses mid-way; the writer is SIGKILLed during the
 * outage; restarted with the database back, it replays its spool and writes the rest. Every trade is
 * then stored exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTsProcess } from '../harness/child-process.js';
import { FaultProxy } from '../harness/fault-proxy.js';
import { createPostgresDatabase, type TestDatabase } from '../harness/postgres.js';

const TOTAL = 10_000;
let database: TestDatabase;
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  database = await createPostgresDatabase();
  proxy = await FaultProxy.start(database.host, database.port);
  dir = await mkdtemp(join(tmpdir(), 'qm-spool-'));
});

afterAll(async () => {
  await proxy?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

function lastDurable(output: string): number {
  const counts = [...output.matchAll(/durable (\d+)/g)].map((m) => Number(m[1]));
  return counts.length === 0 ? 0 : Math.max(...counts);
}

it('spooled trades survive a database outage and a SIGKILL, and are stored exactly once', async () => {
  const url = new URL(database.url);
  url.host = `${proxy.host}:${proxy.port}`;
  const spool = join(dir, 'quantmesh.spool');
  const script = 'test/storage/spool-writer.script.ts';

  const first = startTsProcess(script, [url.toString(), spool, '0', String(TOTAL)]);
  await first.waitForLine(/durable 3000/, 60_000);
  proxy.refuse();
  proxy.cut();
  await first.waitForLine(/durable 7000/, 60_000);
  await first.kill();
  const acknowledged = lastDurable(first.output());
  expect(acknowledged).toBeGreaterThanOrEqual(7000);

  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const during = await client.query<{ n: string }>('select count(*) as n from trades');
    expect(Number(during.rows[0]!.n)).toBeLessThan(acknowledged); // the outage really held records back

    proxy.restore();
    const second = startTsProcess(script, [url.toString(), spool, String(acknowledged), String(TOTAL), '--drain']);
    const opened = await second.waitForLine(/opened pending=\d+/, 60_000);
    expect(Number(/pending=(\d+)/.exec(opened)![1])).toBeGreaterThan(0); // the spool file held the outage's records
    await second.waitForLine(/drained/, 90_000);
    expect(await second.exited).toBe(0);

    const stored = await client.query<{ n: string; distinct_ids: string; low: number; high: number }>(
      "select count(*) as n, count(distinct id) as distinct_ids, min(cycle) as low, max(cycle) as high from trades where id like 'spool-%'",
    );
    expect(stored.rows[0]).toEqual({ n: String(TOTAL), distinct_ids: String(TOTAL), low: 0, high: TOTAL - 1 });
    const sample = await client.query<{ realized_pnl: string }>(
      "select realized_pnl from trades where id = 'spool-4321'",
    );
    expect(sample.rows[0]!.realized_pnl).toBe('0.000443210000000000');
  } finally {
    await client.end();
  }
});
