/**
 * The README's first command, end to end: `quantmesh` with no --config (SQLite under ./data, the
 * embedded sim venue, three demo symbols) runs for 20 s as a child process; it places orders, books
 * fills and trades, answers /health; SIGINT stops it with exit code 0 and no working grid order left.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/open-database.js';
import { freePort } from '../harness/free-port.js';
import { readSqlite, startQuantMesh, stoppedStatusLines } from './quantmesh-process.js';

const RUN_MS = 20_000;
const WORKING = ['PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL'];

describe('embedded default (no --config)', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('trades the demo symbols, answers /health, and stops on SIGINT with no working order left', async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-embedded-'));
    const port = await freePort();
    const instance = startQuantMesh(['--web-port', String(port)], dir);
    try {
      await instance.waitForLine(/running; send SIGINT/, 60_000);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      // Bounded wait for the market to move: the sim steps once a second.
      await new Promise((resolve) => setTimeout(resolve, RUN_MS));
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
        symbols: { symbol: string; state: string; workingOrders: number }[];
      };
      expect(status.symbols.map((symbol) => symbol.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
      expect(status.symbols.every((symbol) => symbol.state === 'running' && symbol.workingOrders > 0)).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      instance.signal('SIGINT');
      expect(await instance.exited).toBe(0);
    } finally {
      await instance.kill();
    }
    // The instance's own last status line per symbol, logged after the grids stopped.
    const final = stoppedStatusLines(instance.output());
    expect(final.map((line) => [line.symbol, line.orders])).toEqual([
      ['sim:BTCUSDT', 0],
      ['sim:ETHUSDT', 0],
      ['sim:SOLUSDT', 0],
    ]);

    // What a clean stop left in the spool file is the database's too: read it as the next start would.
    const database = await openDatabase({
      type: 'sqlite',
      dsn: join(dir, 'data/quantmesh.db'),
      spool: { path: join(dir, 'data/spool/local.spool') },
    });
    await database.drain();
    await database.close();
    const stored = readSqlite(join(dir, 'data/quantmesh.db'), (db) => ({
      orders: Number((db.prepare('select count(*) as n from orders').get() as { n: number | bigint }).n),
      working: db
        .prepare(`select client_order_id, status from orders where status in (${WORKING.map(() => '?').join(',')})`)
        .all(...WORKING),
      fills: Number((db.prepare('select count(*) as n from fills').get() as { n: number | bigint }).n),
      trades: Number((db.prepare('select count(*) as n from trades').get() as { n: number | bigint }).n),
    }));
    expect(stored.orders).toBeGreaterThan(0);
    expect(stored.fills).toBeGreaterThan(0);
    expect(stored.trades).toBeGreaterThan(0);
    expect(stored.working).toEqual([]);
  }, 120_000);
});
