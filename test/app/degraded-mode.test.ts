/**
 * Degraded single-instance mode end to end (issue 15 acceptance; R10, the design's 场景 1): three
 * instances share PostgreSQL and a lock backend of the test's own — A active for BTCUSDT, B active
 * for ETHUSDT, C a `--standby` configuring both — trading one sim venue.
 *  - Outage (every instance's link to the backend cut, data kept; or the backend SIGKILLed and
 *    restarted empty): within one lease TTL + 1 s one instance (C, the only one configuring every
 *    symbol) owns every symbol as `degraded-leader`, the others report `degraded-standby`, and every
 *    order the venue accepted meanwhile was recorded by C; once the backend is back the layout
 *    returns within two lease TTLs (A owns BTCUSDT, B ETHUSDT, C nothing) and places again.
 *  - Partition (only A's link cut): A stops acting and stands by, but the others still act, so A leads
 *    nothing: C takes BTCUSDT through the backend as a standby does, and no instance is degraded-leader.
 * Afterwards the venue's record and the database agree (chaos audit): no client order id twice, no
 * slot with two working orders, positions equal.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { auditCluster, evidenceLines } from '../chaos/chaos-audit.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { projectRoot } from '../harness/child-process.js';
import type { FaultProxy } from '../harness/fault-proxy.js';
import type { OwnedRedis } from '../harness/redis.js';
import { eventually, until } from '../harness/until.js';
import { type Cluster, type ClusterNode, type LockBackend, startCluster } from './cluster-fixture.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const LEASE_TTL_MS = 3000;

async function startThree(
  name: string,
  lock: LockBackend,
  cleanup: ReturnType<typeof cleanupAfterAll>,
  perNode = false,
  orphanTimeoutMs?: number,
) {
  const cluster = await startCluster(
    {
      name,
      lock,
      leaseTtlMs: LEASE_TTL_MS,
      lockProxyPerNode: perNode,
      orphanTimeoutMs,
      symbols: simSymbolsNamed(SYMBOLS).map((symbol) => ({ ...symbol, volatility: 3 })),
      // As the chaos suite trades them: order_quantity is in quote currency.
      grid: (symbol) =>
        `price_interval: "${symbol === 'BTCUSDT' ? '50' : '3'}", order_quantity: "130", buy_window_size: 4, sell_window_size: 4, reconcile_interval: 2s`,
      nodes: [
        { id: `${name}-a`, symbols: ['BTCUSDT'] },
        { id: `${name}-b`, symbols: ['ETHUSDT'] },
        { id: `${name}-c`, standby: true },
      ],
    },
    cleanup,
  );
  const [a, b, c] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  await cluster.startAll();
  for (const [node, symbol] of [
    [a, 'BTCUSDT'],
    [b, 'ETHUSDT'],
  ] as const)
    await until(async () => (await node.trading()).includes(symbol), `${node.id} trading ${symbol}`, 180_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}; its log:\n${node.output().slice(-5000)}`);
      },
    );
  return { cluster, a, b, c };
}

/** Each node's output and the fault's times, for reading an audit failure against the logs. */
async function keepLogs(name: string, nodes: readonly ClusterNode[], times: Record<string, number>): Promise<void> {
  const dir = join(projectRoot, 'test-artifacts/degraded-mode', name);
  await mkdir(dir, { recursive: true });
  for (const node of nodes) await writeFile(join(dir, `${node.id}.log`), node.output());
  const lines = Object.entries(times).map(([what, time]) => `${what} ${new Date(time).toISOString()}`);
  await writeFile(join(dir, 'times.txt'), `${lines.join('\n')}\n`);
}

/** Every connection through the proxy closed, and new ones refused, until `restore`. */
function unreachable(proxy: FaultProxy): void {
  proxy.refuse();
  proxy.cut();
}

/**
 * Per symbol, the instances that recorded an order intent between `from` and `to` (epoch ms, the
 * instances' clocks on this host). The venue accepts no order without its intent recorded first, so
 * these are every instance that placed in the window. Intents, not venue acceptance times: an order
 * an old owner sent under its still valid lease may reach a loaded venue after the survivor's election.
 */
async function placersBetween(cluster: Cluster, from: number, to: number): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: cluster.database.url });
  await client.connect();
  try {
    const rows = (
      await client.query<{ symbol: string; instance_id: string }>(
        'select distinct symbol, instance_id from order_intents where created_at between $1 and $2 order by 1, 2',
        [from, to],
      )
    ).rows;
    const placers: Record<string, string[]> = {};
    for (const row of rows) (placers[row.symbol] ??= []).push(row.instance_id);
    return placers;
  } finally {
    await client.end();
  }
}

async function outageAndRecovery(
  name: string,
  lock: LockBackend,
  cleanup: ReturnType<typeof cleanupAfterAll>,
  fault: 'cut' | 'restart-empty',
): Promise<void> {
  const { cluster, a, b, c } = await startThree(name, lock, cleanup);
  const lockServer = cluster.lockServer as OwnedRedis;
  const faultAt = Date.now();
  let restoredAt = 0;
  // Kept also when an assertion fails (the teardown runs in any case).
  cleanup.push(() => keepLogs(name, [a, b, c], { fault: faultAt, restored: restoredAt }));

  if (fault === 'cut') unreachable(cluster.lockProxy!);
  else await lockServer.stop();
  await until(
    async () => {
      const status = await c.status();
      return status.mode === 'degraded-leader' && status.symbols.every((symbol) => symbol.ownership === 'owned');
    },
    'C the degraded survivor owning every symbol',
    30_000,
  );
  const survivorAfterMs = Date.now() - faultAt;
  expect((await a.status()).mode).toBe('degraded-standby');
  expect((await b.status()).mode).toBe('degraded-standby');
  expect(await a.owned()).toEqual([]);
  expect(await b.owned()).toEqual([]);
  await until(async () => (await c.trading()).length === SYMBOLS.length, 'C trading every symbol', 20_000).catch(
    async (error: Error) => {
      throw new Error(`${error.message}; ${JSON.stringify(await c.status())}; C's log:\n${c.output().slice(-8000)}`);
    },
  );
  const tradingAfterMs = Date.now() - faultAt;
  console.log(
    `degraded mode (${lock}, ${fault}): survivor after ${survivorAfterMs} ms, trading after ${tradingAfterMs} ms`,
  );
  const health = await fetch(`http://127.0.0.1:${c.webPort}/health`);
  expect(health.status).toBe(503);
  expect(JSON.stringify(await health.json())).toContain('degraded-leader');
  const metrics = await (await fetch(`http://127.0.0.1:${a.webPort}/metrics`)).text();
  expect(metrics).toMatch(/^quantmesh_degraded 1$/m);
  const cluster_ = (await (await fetch(`http://127.0.0.1:${a.webPort}/api/cluster`)).json()) as {
    degraded: { survivor: string | null; standbys: string[] } | null;
  };
  expect(cluster_.degraded).toEqual({ survivor: c.id, standbys: [a.id, b.id].sort() });
  // Some trading by the survivor alone.
  const acceptedBefore = cluster.record.acceptedIds.length;
  await until(
    () => cluster.record.acceptedIds.length > acceptedBefore + 2,
    'orders placed by the survivor',
    20_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; C's log:\n${c.output().slice(-6000)}`);
  });

  restoredAt = Date.now();
  if (fault === 'cut') cluster.lockProxy!.restore();
  else await lockServer.start();
  await until(
    async () =>
      (await a.owned()).join() === 'BTCUSDT' &&
      (await b.owned()).join() === 'ETHUSDT' &&
      (await c.owned()).length === 0 &&
      (await c.status()).mode === 'standby',
    'the configured layout back',
    30_000,
  );
  const layoutAfterMs = Date.now() - restoredAt;
  const placedAgain = cluster.record.acceptedIds.length;
  await until(() => cluster.record.acceptedIds.length > placedAgain, 'an order placed in the layout again', 20_000);
  const placedAfterMs = Date.now() - restoredAt;
  console.log(
    `degraded mode (${lock}, ${fault}): survivor owns every symbol ${survivorAfterMs} ms after the fault (trading ${tradingAfterMs} ms); layout back ${layoutAfterMs} ms after recovery, first placement ${placedAfterMs} ms; lease TTL ${LEASE_TTL_MS} ms`,
  );
  // From the survivor's election to the backend's return only the survivor places, on any symbol.
  const electedAt = Date.parse(
    String(
      cluster.webhook.received.find((alert) => alert.kind === 'degraded-mode-entered' && alert.instanceId === c.id)
        ?.time,
    ),
  );
  const placers = await placersBetween(cluster, electedAt, restoredAt);
  expect(Object.keys(placers).length).toBeGreaterThan(0);
  for (const instances of Object.values(placers)) expect(instances).toEqual([c.id]);
  const kinds = (id: string) =>
    cluster.webhook.received.filter((alert) => alert.instanceId === id).map((alert) => alert.kind);
  expect(kinds(a.id)).toEqual(expect.arrayContaining(['lock-backend-lost', 'degraded-mode-left']));
  expect(kinds(c.id)).toEqual(
    expect.arrayContaining(['lock-backend-lost', 'degraded-mode-entered', 'degraded-mode-left']),
  );
  expect(kinds(a.id)).not.toContain('degraded-mode-entered');

  for (const node of [a, b, c]) expect(await node.stop()).toBe(0);
  const audit = await auditCluster(cluster, SYMBOLS);
  expect(audit.duplicateIds, evidenceLines(audit).join('\n')).toEqual([]);
  expect(audit.overlaps, evidenceLines(audit).join('\n')).toEqual([]);
  expect(audit.positionMismatches, evidenceLines(audit).join('\n')).toEqual([]);
  // The acceptance's bounds (R10): a survivor within one TTL + 1 s, the layout back within two TTLs.
  expect(survivorAfterMs).toBeLessThanOrEqual(LEASE_TTL_MS + 1000);
  expect(layoutAfterMs).toBeLessThanOrEqual(2 * LEASE_TTL_MS);
  if (fault === 'restart-empty') expect(placedAfterMs).toBeLessThanOrEqual(LEASE_TTL_MS + layoutAfterMs);
}

describe('degraded single-instance mode', () => {
  const cleanup = cleanupAfterAll();

  it('Redis unreachable for every instance: one survivor trades every symbol; the layout returns', async () => {
    await outageAndRecovery('degr-cut', 'redis', cleanup, 'cut');
  }, 600_000);

  it('Redis killed and restarted empty: the same, and fencing resumes above the recorded tokens', async () => {
    await outageAndRecovery('degr-empty', 'redis', cleanup, 'restart-empty');
  }, 600_000);

  it('etcd unreachable for every instance: one survivor trades every symbol; the layout returns', async () => {
    await outageAndRecovery('degr-etcd', 'etcd', cleanup, 'cut');
  }, 600_000);

  it('no survivor can be elected (the database is cut too): after orphan_timeout the last owners cancel their buys', async () => {
    const orphanTimeoutMs = 8000;
    const { cluster, a, b, c } = await startThree('degr-orph', 'redis', cleanup, false, orphanTimeoutMs);
    const { venue, account } = cluster;
    const buys = () =>
      SYMBOLS.flatMap((symbol) => venue.engine.openOrders(account.accountId, symbol)).filter((o) => o.side === 'BUY');
    expect(buys().length).toBeGreaterThan(0);
    const faultAt = Date.now();
    // Kept when the case fails too: the logs are the evidence.
    cleanup.push(() => keepLogs('degr-orph', [a, b, c], { fault: faultAt }));
    unreachable(cluster.lockProxy!);
    unreachable(cluster.databaseProxy);
    await until(() => buys().length === 0, 'no resting buy left', orphanTimeoutMs + 30_000);
    // Gone by a cancel, or filled meanwhile (the market moves on during the outage): only the
    // cancels are the orphan watch's, and none may come before orphan_timeout.
    const cancelledAfter = [...cluster.record.orders.values()]
      .filter((order) => order.clientOrderId.includes('.B.') && order.closedAs === 'CANCELED')
      .map((order) => order.closedTime! - faultAt)
      .filter((after) => after > 0);
    console.log(
      `orphaned buys cancelled ${cancelledAfter.join(', ')} ms after the fault (orphan_timeout ${orphanTimeoutMs} ms)`,
    );
    expect(cancelledAfter.length).toBeGreaterThan(0);
    expect(Math.min(...cancelledAfter)).toBeGreaterThanOrEqual(orphanTimeoutMs);
    // Nothing new was placed meanwhile: no instance could prove it owns a symbol.
    const placedMeanwhile = [...cluster.record.orders.values()].filter((order) => order.acceptedTime > faultAt + 500);
    expect(placedMeanwhile.map((order) => order.clientOrderId)).toEqual([]);

    cluster.lockProxy!.restore();
    cluster.databaseProxy.restore();
    await until(
      async () => (await a.owned()).join() === 'BTCUSDT' && (await b.owned()).join() === 'ETHUSDT',
      'the configured layout back',
      60_000,
    );
    await until(() => buys().length > 0, 'buys placed again by the owners', 30_000);
    for (const node of [a, b, c]) expect(await node.stop()).toBe(0);
    const audit = await auditCluster(cluster, SYMBOLS);
    expect(audit.duplicateIds, evidenceLines(audit).join('\n')).toEqual([]);
    expect(audit.overlaps, evidenceLines(audit).join('\n')).toEqual([]);
  }, 600_000);

  it('a partition is not an outage: an instance that alone lost Redis leads nothing', async () => {
    const { cluster, a, b, c } = await startThree('degr-part', 'redis', cleanup, true);
    unreachable(a.lockProxy!);
    await until(async () => (await a.status()).mode === 'degraded-standby', 'A standing by', 20_000);
    // C takes BTCUSDT over through Redis, as a standby does for a lost owner; B keeps ETHUSDT.
    await until(async () => (await c.trading()).includes('BTCUSDT'), 'C trading BTCUSDT', 30_000);
    const cutFor = await eventually(
      async () => ({ a: await a.status(), b: await b.owned(), c: await c.status() }),
      () => true,
      'statuses',
    );
    expect(cutFor.a.mode).toBe('degraded-standby');
    expect(cutFor.a.symbols.every((symbol) => symbol.ownership !== 'owned')).toBe(true);
    expect(cutFor.b).toEqual(['ETHUSDT']);
    expect(cutFor.c.mode).toBe('activated');
    // Well past the grace and a survivor's election: A still leads nothing (B and C act).
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_TTL_MS));
    expect((await a.status()).mode).toBe('degraded-standby');
    expect(await a.owned()).toEqual([]);
    expect(cluster.webhook.received.map((alert) => alert.kind)).not.toContain('degraded-mode-entered');

    a.lockProxy!.restore();
    await until(async () => (await a.status()).mode === 'active', 'A back in the layout', 30_000);
    for (const node of [a, b, c]) expect(await node.stop()).toBe(0);
    const audit = await auditCluster(cluster, SYMBOLS);
    expect(audit.duplicateIds, evidenceLines(audit).join('\n')).toEqual([]);
    expect(audit.overlaps, evidenceLines(audit).join('\n')).toEqual([]);
  }, 600_000);
});
