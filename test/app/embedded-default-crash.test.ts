/**
 * The embedded default across crashes (issue 10 item 3): its in-process sim venue is durable (a
 * journal beside the spool), so after SIGKILL three times at seeded-random moments of trading the
 * venue and the database still describe one world. The fourth run stops on SIGINT in < 2 s with no
 * order left open at the venue, no `order.unknown` event recorded, every venue fill stored once and
 * the grids' positions equal to the venue's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Decimal, ZERO, dec } from '../../src/domain/decimal.js';
import { embeddedDefaultConfig } from '../../src/config/embedded-default.js';
import { exchangeOptionsOf, simJournalPathOf } from '../../src/app/config-mapping.js';
import { createExchange } from '../../src/exchange/create-exchange.js';
import { SeededRandom } from '../../src/exchange/sim/seeded-random.js';
import type { SimExchange } from '../../src/exchange/sim/sim-exchange.js';
import { freePort } from '../harness/free-port.js';
import { until } from '../harness/until.js';
import { readSqlite, startQuantMesh } from './quantmesh-process.js';

const KILLS = 3;
const STOP_BUDGET_MS = 2000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];

describe('embedded default across kill -9', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it(`finds the same venue after ${KILLS} kills and then stops on SIGINT in < ${STOP_BUDGET_MS} ms, leaving nothing open`, async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-embedded-crash-'));
    const random = new SeededRandom(20261201);
    const port = await freePort();
    const trading = async () => {
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
        symbols: { state: string; workingOrders: number }[];
      };
      return (
        status.symbols.length === SYMBOLS.length &&
        status.symbols.every((symbol) => symbol.state === 'running' && symbol.workingOrders > 0)
      );
    };
    const filled = async () => {
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
        symbols: { position: string }[];
      };
      return status.symbols.some((symbol) => !dec(symbol.position).isZero());
    };
    for (let kill = 0; kill < KILLS; kill += 1) {
      const instance = startQuantMesh(['--web-port', String(port)], dir);
      try {
        await instance.waitForLine(/running; send SIGINT/, 60_000);
        await until(trading, 'every demo grid running with working orders', 30_000);
        // The first run trades until a fill, so the kills find positions and fills to keep.
        if (kill === 0) await until(filled, 'a first fill of a demo grid', 90_000);
        // The kill window: anywhere in the next 0–2.5 s of trading.
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random.next() * 2500)));
      } finally {
        await instance.kill();
      }
    }
    const last = startQuantMesh(['--web-port', String(port)], dir);
    let stopMs: number;
    try {
      await last.waitForLine(/running; send SIGINT/, 60_000);
      await until(trading, 'every demo grid running with working orders after the kills', 30_000);
      const signalled = performance.now();
      last.signal('SIGINT');
      expect(await last.exited).toBe(0);
      stopMs = performance.now() - signalled;
    } finally {
      await last.kill();
    }
    expect(stopMs, last.output().slice(-3000)).toBeLessThan(STOP_BUDGET_MS);
    expect(last.output()).not.toContain('unaccounted');

    const stored = readSqlite(join(dir, 'data/quantmesh.db'), (db) => ({
      unknown: Number(
        (
          db.prepare("select count(*) as n from events where event_type = 'order.unknown'").get() as {
            n: number | bigint;
          }
        ).n,
      ),
      fills: db.prepare('select symbol, trade_id from fills').all() as { symbol: string; trade_id: string }[],
      slots: db.prepare('select symbol, position_quantity from slots').all() as {
        symbol: string;
        position_quantity: string;
      }[],
    }));
    expect(stored.unknown).toBe(0);

    // The venue as the next start would find it: its journal replayed.
    const config = embeddedDefaultConfig();
    const options = exchangeOptionsOf(config, 'sim');
    if (options.type !== 'sim') throw new Error('the embedded default trades on its sim venue');
    const venue = createExchange({
      ...options,
      journalPath: join(dir, simJournalPathOf(config, 'sim')),
      stepIntervalMs: 0,
    }) as SimExchange;
    try {
      const { engine, account } = venue;
      expect(engine.openOrders(account).map((order) => order.clientOrderId)).toEqual([]);
      const venueFills = SYMBOLS.flatMap((symbol) =>
        engine.fillsAfter(account, symbol, undefined, 1_000_000).map((fill) => `${symbol}:${fill.tradeId}`),
      );
      expect(venueFills.length).toBeGreaterThan(0);
      expect(stored.fills.map((fill) => `${fill.symbol}:${fill.trade_id}`).sort()).toEqual(venueFills.sort());
      for (const position of engine.positions(account, SYMBOLS)) {
        const slots = stored.slots
          .filter((slot) => slot.symbol === position.symbol)
          .reduce((sum: Decimal, slot) => sum.add(dec(slot.position_quantity)), ZERO);
        expect([position.symbol, slots.toFixed()]).toEqual([position.symbol, position.quantity.toFixed()]);
      }
    } finally {
      await venue.close();
    }
  }, 300_000);
});
