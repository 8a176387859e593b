/**
 * Hot standby failover end to end (R1, R10 "instance down", Invariants 1 and 4): instance A
 * (active) and instance B (`--standby`) run as child processes with the same symbol, sharing
 * PostgreSQL and a Redis lock, both trading one sim-venue through the ccxt adapter. Once A has
 * working orders it is killed with SIGKILL; B must take BTCUSDT over within one lease TTL plus a
 * margin and trade it, and the venue's own record must show:
 *  1. no client order id accepted twice, and no order refused as a duplicate client order id;
 *  2. no grid slot with two working orders at the same time, across both owners;
 * while the webhook (an HTTP server of this test) received B's activation alert naming the symbol,
 * and no log line carries the webhook's token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { type SimVenueServer, startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { freePort } from '../harness/free-port.js';
import { type TestDatabase, createPostgresDatabase } from '../harness/postgres.js';
import { sharedRedis } from '../harness/redis.js';
import { cleanupAfterAll, sharedPostgresYaml, logRecords, simVenueTradingYaml, startQuantMesh } from './quantmesh-process.js';
import { idsAcceptedTwice, recordVenueOrders, slotOverlaps } from './venue-record.js';
import { until } from '../harness/until.js';

const SYMBOL = 'BTCUSDT';
const LEASE_TTL_MS = 3000;
/** Past the lease: B's lock wait backs off ≤ 50 ms, then it loads, reconciles and trades. */
const ACTIVATION_MARGIN_MS = 4000;
const ACCOUNT = { apiKey: 'failover-key', apiSecret: 'failover-secret', accountId: 'failover-account' };
const WEBHOOK_TOKEN = 'hook-token-7f3a91';

interface Instance {
  readonly id: string;
  readonly dir: string;
  readonly webPort: number;
}

function configYaml(instance: Instance, venue: SimVenueServer, database: TestDatabase, redis: { url: string; prefix: string }, webhookUrl: string): string {
  return `${sharedPostgresYaml(instance.id, instance.dir, database.url)}distributed_lock:
  enabled: true
  type: redis
  prefix: "${redis.prefix}"
  default_ttl: 5s
  redis:
    addr: ${new URL(redis.url).host}
coordination:
  lease_ttl: ${LEASE_TTL_MS}ms
  heartbeat_interval: 1s
${simVenueTradingYaml(venue.url, ACCOUNT, SYMBOL)}notifications:
  webhook:
    url: ${webhookUrl}
    timeout: 2s
web:
  port: ${instance.webPort}
`;
}

interface SymbolStatus { symbol: string; state: string; ownership: string; workingOrders: number }
interface Status { mode: string; symbols: SymbolStatus[] }

async function status(instance: Instance): Promise<Status> {
  return (await fetch(`http://127.0.0.1:${instance.webPort}/api/status`)).json() as Promise<Status>;
}

describe('hot standby failover (SIGKILL of the active instance)', () => {
  const cleanup = cleanupAfterAll();

  it('the standby takes the symbol over within the lease TTL, alerts, and no order is duplicated', async () => {
    const root = await mkdtemp(join(tmpdir(), 'qm-failover-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const database = await createPostgresDatabase();
    cleanup.push(() => database.drop());
    const redis = await sharedRedis();
    const symbols = simSymbolsNamed([SYMBOL]).map((symbol) => ({ ...symbol, volatility: 3 }));
    const venue = await startSimVenueServer({
      seed: 20261124, symbols, accounts: [ACCOUNT], stepIntervalMs: 25,
      onRequestError: (summary) => refused.push(summary),
    });
    cleanup.push(() => venue.close());
    const refused: { code: number; msg: string }[] = [];
    const record = recordVenueOrders(venue, ACCOUNT.accountId);

    const alerts: Record<string, unknown>[] = [];
    const webhook: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
      request.on('end', () => {
        if (request.url === `/hooks/${WEBHOOK_TOKEN}`) alerts.push(JSON.parse(body) as Record<string, unknown>);
        response.writeHead(204).end();
      });
    });
    const webhookPort = await freePort();
    await new Promise<void>((resolve) => webhook.listen(webhookPort, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => webhook.close(resolve)));
    const webhookUrl = `http://127.0.0.1:${webhookPort}/hooks/${WEBHOOK_TOKEN}`;

    const a: Instance = { id: 'failover-a', dir: join(root, 'a'), webPort: await freePort() };
    const b: Instance = { id: 'failover-b', dir: join(root, 'b'), webPort: await freePort() };
    for (const instance of [a, b]) {
      await writeFile(join(root, `${instance.id}.yaml`), configYaml(instance, venue, database, redis, webhookUrl));
    }

    const active = startQuantMesh(['--config', join(root, `${a.id}.yaml`)], root);
    cleanup.push(() => active.kill());
    await active.waitForLine(/running; send SIGINT/, 60_000);
    const standby = startQuantMesh(['--config', join(root, `${b.id}.yaml`), '--standby'], root);
    cleanup.push(() => standby.kill());
    await standby.waitForLine(/running; send SIGINT/, 60_000);
    const standbyRunningAt = performance.now();

    // A trades; B waits (and, past its own lease TTL, campaigns without winning).
    await until(async () => (await status(a)).symbols[0]?.workingOrders! > 0, 'A has working orders', 30_000);
    expect((await status(a)).mode).toBe('active');
    expect((await status(a)).symbols[0]).toMatchObject({ symbol: SYMBOL, ownership: 'owned', state: 'running' });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, LEASE_TTL_MS + 500 - (performance.now() - standbyRunningAt))));
    expect(await status(b)).toMatchObject({ mode: 'standby', symbols: [{ symbol: SYMBOL, ownership: 'waiting', state: 'ready', workingOrders: 0 }] });
    expect(venue.engine.openOrders(ACCOUNT.accountId, SYMBOL).length).toBeGreaterThan(0);

    await active.kill();
    const killedAt = performance.now();
    await standby.waitForLine(/ownership won/, LEASE_TTL_MS + ACTIVATION_MARGIN_MS);
    const activatedAfterMs = performance.now() - killedAt;
    expect(activatedAfterMs).toBeLessThan(LEASE_TTL_MS + ACTIVATION_MARGIN_MS);

    // B trades the symbol: running, with working orders of its own grid at the venue.
    await until(async () => {
      const symbol = (await status(b)).symbols[0]!;
      return symbol.state === 'running' && symbol.workingOrders > 0;
    }, 'B trading', 20_000);
    expect(await status(b)).toMatchObject({ mode: 'activated', symbols: [{ symbol: SYMBOL, ownership: 'owned' }] });
    await until(() => alerts.some((alert) => alert.kind === 'standby-activated'), 'the activation alert', 5000);
    const acceptedAtTakeover = record.acceptedIds.length;
    // Some trading under the new owner: fills, re-quotes, a periodic reconciliation.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    standby.signal('SIGINT');
    expect(await standby.exited).toBe(0);

    expect(alerts.find((alert) => alert.kind === 'standby-activated')).toMatchObject({ instanceId: b.id, exchange: 'binance', symbol: SYMBOL });
    expect(record.acceptedIds.length, standby.output().slice(-3000)).toBeGreaterThan(acceptedAtTakeover);
    // 1. No client order id accepted twice, none even sent twice.
    expect(idsAcceptedTwice(record)).toEqual([]);
    expect(refused.filter((summary) => summary.code === -4116)).toEqual([]);
    // 2. No slot with two working orders at once, across both owners.
    expect(slotOverlaps(record)).toEqual([]);
    // B's clean stop cancelled the grid's orders, the adopted ones of A included.
    expect(venue.engine.openOrders(ACCOUNT.accountId, SYMBOL)).toEqual([]);
    // Alerts are logged as warnings; the webhook token never reaches a log line.
    expect(logRecords(standby.output(), (line) => line.alert === 'standby-activated').length).toBeGreaterThan(0);
    expect(active.output() + standby.output()).not.toContain(WEBHOOK_TOKEN);
  }, 180_000);
});
