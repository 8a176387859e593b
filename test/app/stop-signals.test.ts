/**
 * SIGHUP (the terminal or SSH session closed) stops `quantmesh` like SIGINT: the embedded default as
 * a child process, once its grids have working orders, gets SIGHUP and exits 0 within
 * `system.stop_timeout` plus the spool's drain, its grids' orders cancelled and the database (read
 * directly, not through the spool) holding no working order. It used to exit 129 with nothing
 * cancelled or flushed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/free-port.js';
import { until } from '../harness/until.js';
import { logRecords, readSqlite, startQuantMesh, stoppedStatusLines } from './quantmesh-process.js';

const WORKING = ['PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL'];

interface Status {
  readonly symbols: readonly { readonly symbol: string; readonly workingOrders: number }[];
}

describe('stop signals', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('SIGHUP stops cleanly: exit 0, orders cancelled, storage flushed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-sighup-'));
    const port = await freePort();
    const instance = startQuantMesh(['--web-port', String(port)], dir);
    try {
      await instance.waitForLine(/running; send SIGINT/, 60_000);
      const status = async () => (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as Status;
      await until(
        async () => (await status()).symbols.every((symbol) => symbol.workingOrders > 0),
        'every demo grid has working orders',
        30_000,
      );
      instance.signal('SIGHUP');
      expect(await instance.exited).toBe(0);
    } finally {
      await instance.kill();
    }
    expect(logRecords(instance.output(), (record) => record.signal === 'SIGHUP')).toHaveLength(1);
    const final = stoppedStatusLines(instance.output());
    expect(final.map((record) => [record.symbol, record.orders])).toEqual([
      ['sim:BTCUSDT', 0],
      ['sim:ETHUSDT', 0],
      ['sim:SOLUSDT', 0],
    ]);
    const stored = readSqlite(join(dir, 'data/quantmesh.db'), (db) => ({
      canceled: Number(
        (db.prepare(`select count(*) as n from orders where status = 'CANCELED'`).get() as { n: number | bigint }).n,
      ),
      working: db
        .prepare(`select client_order_id, status from orders where status in (${WORKING.map(() => '?').join(',')})`)
        .all(...WORKING),
    }));
    expect(stored.canceled).toBeGreaterThan(0);
    expect(stored.working).toEqual([]);
  }, 120_000);
});
