/**
 * The read API and the operator actions on a real two-instance cluster in this process (A active,
 * B standby; PostgreSQL holds the records, the lock and the instance registry; one sim venue served
 * over its Binance-compatible API, traded through ccxt): every route answers behind the key, the
 * cluster view is the same from both instances, pages and filters hold, no answer carries a secret,
 * and pause, resume, cancel-orders, hand-over, claim and drain act on the owner and are recorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInstanceConfig } from '../../src/app/instance-config.js';
import { type InstanceHandle, runInstance } from '../../src/app/run-instance.js';
import type { SimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { type TestDatabase, createPostgresDatabase } from '../harness/postgres.js';
import { startTsProcess } from '../harness/child-process.js';
import { eventually, until } from '../harness/until.js';
import {
  ACCOUNT,
  API_KEY,
  type ClusterMember,
  SYMBOL,
  api,
  clusterMember,
  startClusterVenue,
} from './cluster-fixture.js';

interface ClusterSymbol {
  symbol: string;
  owner: string | null;
  ownership: string;
  state: string;
  workingOrders: number;
  leaseExpiresBy?: number;
  price?: string;
}
interface Cluster {
  instances: { instanceId: string; mode: string; state: string; owned: string[]; health: { healthy: boolean } }[];
  symbols: ClusterSymbol[];
  lockBackend: string;
  databaseDialect: string;
  health: { healthy: boolean };
}
interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  nextOffset?: number;
}

const silent = pino({ level: process.env.QM_DEBUG ?? 'silent' });
const PATH = `/api/symbols/binance/${SYMBOL}`;

// Generous per-test budgets: the waits inside are bounded and named; a loaded machine makes each step slow.
describe('HTTP API on a two-instance cluster', { timeout: 180_000 }, () => {
  let root: string;
  let database: TestDatabase;
  let venue: SimVenueServer;
  let a: ClusterMember;
  let b: ClusterMember;
  const running: InstanceHandle[] = [];

  const owner = async (member: ClusterMember) =>
    (await api<Cluster>(member, '/api/cluster')).body.symbols.find((entry) => entry.symbol === SYMBOL);
  const venueOrders = () =>
    venue.engine
      .openOrders(ACCOUNT.accountId, SYMBOL)
      .map((order) => order.clientOrderId)
      .sort();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'qm-http-api-'));
    database = await createPostgresDatabase();
    venue = await startClusterVenue(20261201);
    a = await clusterMember('api-a', root, venue, database);
    b = await clusterMember('api-b', root, venue, database);
    running.push(await runInstance(await loadInstanceConfig(a.config), { logger: silent, standby: false }));
    running.push(
      await runInstance(await loadInstanceConfig(b.config, { standby: true }), { logger: silent, standby: true }),
    );
    await until(
      async () => (await owner(b))?.owner === 'api-a' && (await owner(b))!.workingOrders > 0,
      'B sees A trading the symbol',
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(running.map((instance) => instance.stop()));
    await venue?.close();
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('answers every route but /healthz and the dashboard only with the key, and no answer carries a secret', async () => {
    const document = (await api<{ paths: Record<string, Record<string, unknown>> }>(a, '/api/openapi.json')).body;
    const reads = Object.entries(document.paths)
      .filter(([, methods]) => 'get' in methods)
      .map(([path]) => path.replace('{exchange}', 'binance').replace('{symbol}', SYMBOL));
    expect(reads.length).toBeGreaterThan(10);
    expect((await api(a, '/healthz', { key: null })).status).toBe(200);
    for (const path of reads.filter((path) => path !== '/healthz' && path !== '/api/stream')) {
      expect((await api(a, path, { key: null })).status, path).toBe(401);
      expect((await api(a, path, { key: `${API_KEY}x` })).status, path).toBe(401);
      const answer = await api(a, path);
      expect(answer.status, `${path}: ${answer.text.slice(0, 300)}`).toBe(200);
      for (const secret of [API_KEY, ACCOUNT.apiSecret, ACCOUNT.apiKey])
        expect(answer.text, path).not.toContain(secret);
    }
    expect((await api(a, `${PATH}/pause`, { method: 'POST', key: null })).status).toBe(401);
    const header = await fetch(`${a.url}/api/status`, { headers: { 'x-api-key': API_KEY } });
    expect(header.status).toBe(200);
  });

  it('gives the same cluster view from either instance: members, modes, owner and lease, lock and database health', async () => {
    const [fromA, fromB] = await Promise.all([api<Cluster>(a, '/api/cluster'), api<Cluster>(b, '/api/cluster')]);
    const comparable = (view: Cluster) => ({
      instances: view.instances.map(({ instanceId, mode, state, owned }) => ({ instanceId, mode, state, owned })),
      owners: view.symbols.map(({ symbol, owner: who, ownership }) => ({ symbol, owner: who, ownership })),
      lockBackend: view.lockBackend,
      databaseDialect: view.databaseDialect,
    });
    expect(comparable(fromA.body)).toEqual(comparable(fromB.body));
    expect(comparable(fromA.body)).toEqual({
      instances: [
        { instanceId: 'api-a', mode: 'active', state: 'running', owned: [`binance:${SYMBOL}`] },
        { instanceId: 'api-b', mode: 'standby', state: 'running', owned: [] },
      ],
      owners: [{ symbol: SYMBOL, owner: 'api-a', ownership: 'owned' }],
      lockBackend: 'database',
      databaseDialect: 'postgres',
    });
    const symbol = fromB.body.symbols[0]!;
    expect(symbol.leaseExpiresBy).toBeGreaterThan(Date.now() - 3000);
    expect(symbol.price).toMatch(/^\d+(\.\d+)?$/);
    expect(fromA.body.health.healthy).toBe(true);
  });

  it('quantmesh status prints the cluster as tables from any instance, and a wrong key as the reason with exit 1', async () => {
    const status = startTsProcess('src/cli/bin.ts', ['status', '--url', b.url], { env: { QM_API_KEY: API_KEY } });
    expect(await status.exited, status.output()).toBe(0);
    const lines = status.output().split('\n');
    expect(lines[0]).toMatch(/^lock database · database postgres · healthy$/);
    expect(lines.find((line) => line.startsWith('api-a'))).toMatch(
      /^api-a\s+active\s+running\s+ok\s+\d+s ago\s+binance:BTCUSDT$/,
    );
    expect(lines.find((line) => line.startsWith('api-b'))).toMatch(/^api-b\s+standby\s+running\s+ok\s+\d+s ago\s+-$/);
    expect(lines.find((line) => line.startsWith('symbol'))).toMatch(
      /^symbol\s+owner\s+state\s+price\s+position\s+orders\s+realized\s+unrealized\s+fees\s+trades$/,
    );
    expect(lines.find((line) => line.startsWith(`binance:${SYMBOL}`))).toMatch(
      /^binance:BTCUSDT\s+api-a\s+running\s+[\d.]+\s+[\d.]+\s+\d+\s+-?[\d.]+\s+\S+\s+[\d.]+\s+\d+$/,
    );
    const refused = startTsProcess('src/cli/bin.ts', ['status', '--url', a.url, '--api-key', 'wrong']);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain(
      `quantmesh status: ${a.url}: the API key is missing or wrong (--api-key or QM_API_KEY)`,
    );
  }, 300_000);

  it('shows the grid: anchor, interval, and every slot with its price, cycle, position and working order', async () => {
    const { status, body } = await api<{
      status: ClusterSymbol;
      grid: {
        anchor: string;
        interval: string;
        slots: {
          level: number;
          price: string;
          cycle: number;
          state: string;
          order?: { side: string; status: string };
        }[];
      };
    }>(b, PATH);
    expect(status).toBe(200);
    expect(body.grid.interval).toBe('50');
    expect(body.status.owner).toBe('api-a');
    const working = body.grid.slots.filter((slot) => slot.order !== undefined);
    expect(working.length).toBeGreaterThan(0);
    for (const slot of body.grid.slots) expect(Number(slot.price)).toBe(Number(body.grid.anchor) + 50 * slot.level);
    expect((await api(b, '/api/symbols/binance/NOPEUSDT')).status).toBe(404);
  });

  it('pages and filters the records by symbol and time, and refuses a bad query with the reason', async () => {
    await until(
      async () => (await api<Page<unknown>>(a, '/api/orders?limit=1000')).body.items.length >= 4,
      'a few orders stored',
    );
    const first = (
      await api<Page<{ clientOrderId: string; updatedAt: number; symbol: string }>>(
        a,
        `/api/orders?symbol=${SYMBOL}&limit=2`,
      )
    ).body;
    expect(first).toMatchObject({ limit: 2, offset: 0, nextOffset: 2 });
    const second = (await api<Page<{ clientOrderId: string }>>(a, `/api/orders?symbol=${SYMBOL}&limit=2&offset=2`))
      .body;
    expect(second.items.map((order) => order.clientOrderId)).not.toContain(first.items[0]!.clientOrderId);
    expect((await api<Page<unknown>>(a, '/api/orders?symbol=ETHUSDT')).body.items).toEqual([]);
    const since = new Date(first.items[1]!.updatedAt).toISOString();
    const later = (
      await api<Page<{ updatedAt: number }>>(a, `/api/orders?from=${encodeURIComponent(since)}&limit=1000`)
    ).body.items;
    expect(later.every((order) => order.updatedAt >= first.items[1]!.updatedAt)).toBe(true);
    const events = (await api<Page<{ type: string; instanceId: string }>>(b, '/api/events?type=ownership.acquired'))
      .body.items;
    expect(events).toContainEqual(expect.objectContaining({ type: 'ownership.acquired', instanceId: 'api-a' }));
    const statistics = await api<{ tradeCount: number; winRate: string; days: unknown[] }>(
      a,
      `/api/statistics?symbol=${SYMBOL}&from=2026-01-01`,
    );
    expect(statistics.status).toBe(200);
    expect(statistics.body).toMatchObject({
      tradeCount: expect.any(Number),
      winRate: expect.stringMatching(/^[01](\.\d+)?$/),
    });
    const bad = await api<{ message: string }>(a, '/api/orders?limit=5000');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/limit/);
    expect((await api(a, '/api/fills?from=yesterday')).status).toBe(400);
  });

  it('pauses and resumes through the instance that does not own the symbol, and records each action', async () => {
    const paused = await api<{ instanceId: string }>(b, `${PATH}/pause`, { method: 'POST' });
    expect(paused).toMatchObject({ status: 200, body: { action: 'pause', instanceId: 'api-a' } });
    await until(async () => (await owner(b))?.state === 'paused', 'the cluster view shows the pause');
    expect((await api(a, `${PATH}/resume`, { method: 'POST' })).status).toBe(200);
    await until(async () => (await owner(b))?.state === 'running', 'running again');
    const actions = async () =>
      (await api<Page<{ details: { action: string }; instanceId: string }>>(b, '/api/events?type=operator.action')).body
        .items;
    await until(async () => (await actions()).length >= 2, 'both actions recorded');
    expect((await actions()).map((event) => [event.details.action, event.instanceId])).toEqual([
      ['pause', 'api-a'],
      ['resume', 'api-a'],
    ]);
  });

  it('cancel-orders pauses the symbol and cancels every working order at the venue', async () => {
    await until(() => venueOrders().length > 0, 'working orders at the venue', 20_000);
    const answer = await api<{ ordersCancelled: number }>(a, `${PATH}/cancel-orders`, { method: 'POST' });
    expect(answer.status).toBe(200);
    expect(answer.body.ordersCancelled).toBeGreaterThan(0);
    await until(() => venueOrders().length === 0, 'no working order left at the venue', 20_000);
    await until(async () => (await owner(a))?.state === 'paused', 'the cluster view shows the pause');
    expect((await api(a, `${PATH}/resume`, { method: 'POST' })).status).toBe(200);
    await until(() => venueOrders().length > 0, 'orders placed again after resume', 20_000);
  });

  it('hands the symbol to the standby without cancelling, claims it back after a drain, and refuses unknown symbols', async () => {
    await until(
      async () => (await owner(a))?.workingOrders! > 0 && venueOrders().length > 0,
      'A trading again',
      20_000,
    );
    const before = venueOrders();
    expect((await api(a, `${PATH}/hand-over`, { method: 'POST' })).status).toBe(200);
    await eventually(
      () => owner(a),
      (entry) => entry?.owner === 'api-b' && entry.state === 'running',
      'B owns and trades the symbol',
      20_000,
    );
    // Nothing was cancelled by the handover: every order A left working is still working at the venue
    // (B adopted it) or filled meanwhile (the sim's price keeps moving), none cancelled.
    const fates = before.map((id) => venue.engine.getOrder(ACCOUNT.accountId, SYMBOL, id)?.status);
    expect(fates.filter((status) => status === 'CANCELED' || status === 'EXPIRED')).toEqual([]);
    expect(fates.every((status) => status !== undefined)).toBe(true);
    expect(
      (await api<Cluster>(a, '/api/cluster')).body.instances.find((entry) => entry.instanceId === 'api-b')?.mode,
    ).toBe('activated');

    expect((await api(a, `${PATH}/claim`, { method: 'POST' })).status).toBe(200);
    const drained = await api<{ handedOver: string[] }>(b, '/api/instance/drain', { method: 'POST' });
    expect(drained.body.handedOver).toEqual([`binance:${SYMBOL}`]);
    await eventually(
      () => owner(b),
      (entry) => entry?.owner === 'api-a' && entry.state === 'running',
      'A owns the symbol again',
      20_000,
    );

    expect((await api(a, '/api/symbols/binance/NOPEUSDT/pause', { method: 'POST' })).status).toBe(404);
    const types = (
      await api<Page<{ details: { action: string } }>>(a, '/api/events?type=operator.action&limit=1000')
    ).body.items.map((event) => event.details.action);
    expect(types).toEqual(expect.arrayContaining(['cancel-orders', 'hand-over', 'claim', 'drain']));
  });
});
