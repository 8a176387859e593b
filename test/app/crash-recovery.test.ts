/**
 * Crash test (Invariants 1–3 across process deaths): a QuantMesh instance runs as a child process
 * on SQLite against a sim-venue served by this test (through the ccxt adapter) and is killed with
 * SIGKILL at seeded-random moments, restarted each time, and finally stopped with SIGINT. The
 * venue's own record of every order and fill is then held against the database:
 *  1. no client order id was ever accepted twice by the venue;
 *  2. no grid slot ever had two working orders at the venue at the same time;
 *  3. every venue fill of the account is in the database exactly once (by trade id);
 *  4. the database's position (stored fills, and the slots' positions) equals the venue's;
 *  5. the clean stop (cancel_on_exit) leaves no open order at the venue.
 * The same runs for a spot grid through ccxt's `binance` (the venue's position is then its base
 * balance). QM_CRASH_KILLS narrows the number of kills (default 20 futures, 3 spot).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Decimal, ZERO, dec } from '../../src/domain/decimal.js';
import { SeededRandom } from '../../src/exchange/sim/seeded-random.js';
import type { MarketType } from '../../src/domain/market.js';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { type SimVenueServer, startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import {
  readSqlite,
  simVenueTradingYaml,
  spotVenueTradingYaml,
  sqliteInstanceYaml,
  startQuantMesh,
} from './quantmesh-process.js';
import { idsAcceptedTwice, recordVenueOrders, slotOverlaps } from './venue-record.js';

const SEED = 20261124;
const SYMBOL = 'BTCUSDT';
const ACCOUNT = { apiKey: 'crash-test-key', apiSecret: 'crash-test-secret', accountId: 'crash-account' };

function configYaml(dir: string, server: SimVenueServer, market: MarketType): string {
  return `${sqliteInstanceYaml('crash', dir)}distributed_lock:
  enabled: false
${(market === 'spot' ? spotVenueTradingYaml : simVenueTradingYaml)(server.url, ACCOUNT, SYMBOL)}web:
  enabled: false
`;
}

for (const [market, defaultKills] of [
  ['future', 20],
  ['spot', 3],
] as const)
  describe(`crash recovery of a ${market} grid (SIGKILL at random moments)`, () => {
    const KILLS = Number(process.env.QM_CRASH_KILLS ?? defaultKills);
    const cleanup = cleanupAfterAll();

    it(`keeps orders unique, fills once and positions equal across ${KILLS} kills`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'qm-crash-'));
      cleanup.push(() => rm(dir, { recursive: true, force: true }));
      // A volatile market stepped every 25 ms, so orders fill often between kills.
      const symbols = simSymbolsNamed([SYMBOL], market).map((symbol) => ({ ...symbol, volatility: 3 }));
      const server = await startSimVenueServer({ seed: SEED, symbols, accounts: [ACCOUNT], stepIntervalMs: 25 });
      cleanup.push(() => server.close());
      const record = recordVenueOrders(server, ACCOUNT.accountId);
      const configFile = join(dir, 'quantmesh.yaml');
      await writeFile(configFile, configYaml(dir, server, market));

      const random = new SeededRandom(SEED);
      for (let kill = 0; kill < KILLS; kill += 1) {
        const instance = startQuantMesh(['--config', configFile], dir);
        try {
          // Trading starts once the symbol's ownership is won and the grid loaded and reconciled.
          await instance.waitForLine(/symbol running/, 60_000);
          // The kill window: anywhere in the next 0–2.5 s of trading (placements, fills, reconciliation).
          await new Promise((resolve) => setTimeout(resolve, Math.floor(random.next() * 2500)));
        } finally {
          await instance.kill();
        }
      }
      const last = startQuantMesh(['--config', configFile], dir);
      try {
        await last.waitForLine(/symbol running/, 60_000);
        await new Promise((resolve) => setTimeout(resolve, 3000));
        last.signal('SIGINT');
        expect(await last.exited).toBe(0);
      } finally {
        await last.kill();
      }
      const engine = server.engine;
      expect(record.orders.size, last.output().slice(-3000)).toBeGreaterThan(KILLS);

      // 1. No client order id accepted twice.
      expect(idsAcceptedTwice(record)).toEqual([]);

      // 2. No slot with two working orders at once.
      expect(slotOverlaps(record)).toEqual([]);

      // 3. Every venue fill stored exactly once.
      const venueFills = engine.fillsAfter(ACCOUNT.accountId, SYMBOL, undefined, 1_000_000);
      expect(venueFills.length).toBeGreaterThan(0);
      const stored = readSqlite(join(dir, 'quantmesh.db'), (db) => ({
        fills: db.prepare('select trade_id, side, quantity from fills where symbol = ?').all(SYMBOL) as {
          trade_id: string;
          side: string;
          quantity: string;
        }[],
        slots: db.prepare('select position_quantity from slots where symbol = ?').all(SYMBOL) as {
          position_quantity: string;
        }[],
      }));
      expect(stored.fills.map((fill) => fill.trade_id).sort()).toEqual(venueFills.map((fill) => fill.tradeId).sort());

      // 4. Positions agree: the venue's, the stored fills' and the slots'.
      // A spot account starts without the base asset: its base balance is the grid's position.
      const venuePosition =
        market === 'spot'
          ? (engine.balances(ACCOUNT.accountId).find((balance) => balance.asset === 'BTC')?.total ?? ZERO)
          : engine.positions(ACCOUNT.accountId, [SYMBOL]).reduce((sum, position) => sum.add(position.quantity), ZERO);
      const fillPosition = stored.fills.reduce(
        (sum: Decimal, fill) => (fill.side === 'BUY' ? sum.add(dec(fill.quantity)) : sum.sub(dec(fill.quantity))),
        ZERO,
      );
      const slotPosition = stored.slots.reduce((sum: Decimal, slot) => sum.add(dec(slot.position_quantity)), ZERO);
      expect(fillPosition.toFixed()).toBe(venuePosition.toFixed());
      expect(slotPosition.toFixed()).toBe(venuePosition.toFixed());

      // 5. The clean stop cancelled every grid order.
      expect(engine.openOrders(ACCOUNT.accountId, SYMBOL).map((order) => order.clientOrderId)).toEqual([]);
      // A hang's safety net: 20 starts take 3–5 minutes on two busy cores.
    }, 600_000);
  });
