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
 * QM_CRASH_KILLS narrows the number of kills (default 20).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Decimal, ZERO, dec } from '../../src/domain/decimal.js';
import { SeededRandom } from '../../src/exchange/sim/seeded-random.js';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { type SimVenueServer, startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { parseClientOrderId } from '../../src/strategy/grid/client-order-id.js';
import { readSqlite, startQuantMesh } from './quantmesh-process.js';

const KILLS = Number(process.env.QM_CRASH_KILLS ?? 20);
const SEED = 20261124;
const SYMBOL = 'BTCUSDT';
const ACCOUNT = { apiKey: 'crash-test-key', apiSecret: 'crash-test-secret', accountId: 'crash-account' };
const TERMINAL = new Set(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED']);

/** One order as the venue saw it: accepted and (if so) closed, on the test's event counter. */
interface VenueOrder {
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  readonly acceptedAt: number;
  closedAt: number | undefined;
}

function configYaml(dir: string, server: SimVenueServer): string {
  return `instance:
  id: crash
database:
  type: sqlite
  dsn: ${join(dir, 'quantmesh.db')}
storage:
  spool_path: ${join(dir, 'spool')}
  flush_interval: 100ms
distributed_lock:
  enabled: false
exchanges:
  binance:
    api_key: ${ACCOUNT.apiKey}
    secret_key: ${ACCOUNT.apiSecret}
    base_url: ${server.url}
trading:
  symbols:
    - { exchange: binance, symbol: ${SYMBOL}, price_interval: "50", order_quantity: "130", buy_window_size: 6, sell_window_size: 6, reconcile_interval: 2s }
system:
  cancel_on_exit: true
web:
  enabled: false
`;
}

describe('crash recovery (SIGKILL at random moments)', () => {
  let dir: string | undefined;
  let server: SimVenueServer | undefined;
  afterAll(async () => {
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it(`keeps orders unique, fills once and positions equal across ${KILLS} kills`, async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-crash-'));
    // A volatile market stepped every 25 ms, so orders fill often between kills.
    const symbols = simSymbolsNamed([SYMBOL]).map((symbol) => ({ ...symbol, volatility: 3 }));
    server = await startSimVenueServer({ seed: SEED, symbols, accounts: [ACCOUNT], stepIntervalMs: 25 });
    let counter = 0;
    const orders = new Map<string, VenueOrder>();
    const acceptedIds: string[] = [];
    server.engine.subscribe({
      onExecution(accountId, report) {
        if (accountId !== ACCOUNT.accountId) return;
        counter += 1;
        let order = orders.get(report.exchangeOrderId);
        if (order === undefined) {
          order = { clientOrderId: report.clientOrderId, exchangeOrderId: report.exchangeOrderId, acceptedAt: counter, closedAt: undefined };
          orders.set(report.exchangeOrderId, order);
          acceptedIds.push(report.clientOrderId);
        }
        if (TERMINAL.has(report.status) && order.closedAt === undefined) order.closedAt = counter;
      },
    });
    const configFile = join(dir, 'quantmesh.yaml');
    await writeFile(configFile, configYaml(dir, server));

    const random = new SeededRandom(SEED);
    for (let kill = 0; kill < KILLS; kill += 1) {
      const instance = startQuantMesh(['--config', configFile], dir);
      try {
        await instance.waitForLine(/running; send SIGINT/, 60_000);
        // The kill window: anywhere in the next 0–2.5 s of trading (placements, fills, reconciliation).
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random.next() * 2500)));
      } finally {
        await instance.kill();
      }
    }
    const last = startQuantMesh(['--config', configFile], dir);
    try {
      await last.waitForLine(/running; send SIGINT/, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      last.signal('SIGINT');
      expect(await last.exited).toBe(0);
    } finally {
      await last.kill();
    }
    const engine = server.engine;
    expect(orders.size, last.output().slice(-3000)).toBeGreaterThan(KILLS);

    // 1. No client order id accepted twice.
    const seen = new Map<string, number>();
    for (const id of acceptedIds) seen.set(id, (seen.get(id) ?? 0) + 1);
    expect([...seen].filter(([, count]) => count > 1)).toEqual([]);

    // 2. No slot with two working orders at once.
    const bySlot = new Map<string, VenueOrder[]>();
    for (const order of orders.values()) {
      const parsed = parseClientOrderId(order.clientOrderId);
      if (parsed?.purpose !== 'grid') continue;
      const key = `${parsed.tag}:${parsed.level}`;
      bySlot.set(key, [...(bySlot.get(key) ?? []), order]);
    }
    const overlaps: string[] = [];
    for (const [slot, list] of bySlot) {
      const sorted = [...list].sort((a, b) => a.acceptedAt - b.acceptedAt);
      for (let index = 1; index < sorted.length; index += 1) {
        const previous = sorted[index - 1]!;
        if (previous.closedAt === undefined || previous.closedAt > sorted[index]!.acceptedAt) overlaps.push(`${slot}: ${previous.clientOrderId} still working when ${sorted[index]!.clientOrderId} was accepted`);
      }
    }
    expect(overlaps).toEqual([]);

    // 3. Every venue fill stored exactly once.
    const venueFills = engine.fillsAfter(ACCOUNT.accountId, SYMBOL, undefined, 1_000_000);
    expect(venueFills.length).toBeGreaterThan(0);
    const stored = readSqlite(join(dir, 'quantmesh.db'), (db) => ({
      fills: db.prepare('select trade_id, side, quantity from fills where symbol = ?').all(SYMBOL) as { trade_id: string; side: string; quantity: string }[],
      slots: db.prepare('select position_quantity from slots where symbol = ?').all(SYMBOL) as { position_quantity: string }[],
    }));
    expect(stored.fills.map((fill) => fill.trade_id).sort()).toEqual(venueFills.map((fill) => fill.tradeId).sort());

    // 4. Positions agree: the venue's, the stored fills' and the slots'.
    const venuePosition = engine.positions(ACCOUNT.accountId, [SYMBOL]).reduce((sum, position) => sum.add(position.quantity), ZERO);
    const fillPosition = stored.fills.reduce((sum: Decimal, fill) => (fill.side === 'BUY' ? sum.add(dec(fill.quantity)) : sum.sub(dec(fill.quantity))), ZERO);
    const slotPosition = stored.slots.reduce((sum: Decimal, slot) => sum.add(dec(slot.position_quantity)), ZERO);
    expect(fillPosition.toFixed()).toBe(venuePosition.toFixed());
    expect(slotPosition.toFixed()).toBe(venuePosition.toFixed());

    // 5. The clean stop cancelled every grid order.
    expect(engine.openOrders(ACCOUNT.accountId, SYMBOL).map((order) => order.clientOrderId)).toEqual([]);
  }, 300_000);
});
