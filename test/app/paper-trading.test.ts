/**
 * Paper trading on a real venue (issue 12 item 4), with the sim venue standing in for the real
 * venue's public API (`base_url`; there is no internet here): an instance configured with
 * `paper: true` and no keys trades a grid on the venue's live prices; /api/status says `paper`;
 * its fills are stored; and the venue's own record shows no order at all, from any account.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { type SimVenueServer, startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { freePort } from '../harness/free-port.js';
import { eventually } from '../harness/until.js';
import { readSqlite, sqliteInstanceYaml, startQuantMesh } from './quantmesh-process.js';

const SYMBOL = 'BTCUSDT';

describe('paper trading (exchanges.<name>.paper)', () => {
  let dir: string | undefined;
  let server: SimVenueServer | undefined;
  afterAll(async () => {
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("trades a grid on the venue's public prices with no keys, and the venue sees no order", async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-paper-'));
    const symbols = simSymbolsNamed([SYMBOL]).map((symbol) => ({ ...symbol, volatility: 3 }));
    // The venue has an account of its own, which the paper instance never uses (it has no keys).
    server = await startSimVenueServer({
      seed: 20261202,
      symbols,
      accounts: [{ apiKey: 'someone-else', apiSecret: 'not-ours' }],
      stepIntervalMs: 25,
    });
    const venueOrders: string[] = [];
    server.engine.subscribe({ onExecution: (account, order) => venueOrders.push(`${account}:${order.clientOrderId}`) });
    const port = await freePort();
    const configFile = join(dir, 'quantmesh.yaml');
    await writeFile(
      configFile,
      `${sqliteInstanceYaml('paper', dir)}exchanges:
  binance:
    paper: true
    base_url: ${server.url}
trading:
  symbols:
    - { exchange: binance, symbol: ${SYMBOL}, price_interval: "50", order_quantity: "130", buy_window_size: 6, sell_window_size: 6, reconcile_interval: 2s }
web:
  port: ${port}
`,
    );
    const instance = startQuantMesh(['--config', configFile], dir);
    try {
      await instance.waitForLine(/symbol running/, 120_000);
      const status = await eventually(
        async () =>
          (await fetch(`http://127.0.0.1:${port}/api/status`)).json() as Promise<{
            venues: Record<string, string>;
            symbols: { tradeCount: number; position: string }[];
          }>,
        (value) => value.symbols[0]?.position !== '0',
        'a paper fill of the grid',
        120_000,
      );
      expect(status.venues).toEqual({ binance: 'paper' });
      expect(instance.output()).toMatch(/binance: PAPER trading/);
      expect(instance.output()).toMatch(/BTCUSDT \[paper\]/);
      instance.signal('SIGINT');
      expect(await instance.exited).toBe(0);
    } finally {
      await instance.kill();
    }
    expect(venueOrders).toEqual([]);
    const stored = readSqlite(
      join(dir, 'quantmesh.db'),
      (db) => db.prepare('select distinct account from fills').all() as { account: string }[],
    );
    expect(stored).toEqual([{ account: 'paper' }]);
  }, 240_000);
});
