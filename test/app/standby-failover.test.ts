/**
 * Hot standby failover end to end (R1, R10 "instance down", Invariants 1 and 4): instance A
 * (active) and instance B (`--standby`) run as child processes with the same symbol, sharing
 * PostgreSQL and a Redis lock, both trading one sim-venue through the ccxt adapter (the cluster
 * fixture). Once A has working orders it is killed with SIGKILL; B must take BTCUSDT over within
 * one lease TTL plus a margin and trade it, and the venue's own record must show:
 *  1. no client order id accepted twice, and no order refused as a duplicate client order id;
 *  2. no grid slot with two working orders at the same time, across both owners;
 * while the webhook (an HTTP server of this test) received B's activation alert naming the symbol,
 * and no log line carries the webhook's token.
 */
import { describe, expect, it } from 'vitest';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { until } from '../harness/until.js';
import { startCluster } from './cluster-fixture.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { logRecords } from './quantmesh-process.js';
import { idsAcceptedTwice, slotOverlaps } from './venue-record.js';

const SYMBOL = 'BTCUSDT';
const LEASE_TTL_MS = 3000;
/** Past the lease: B's lock wait backs off ≤ 50 ms, then it loads, reconciles and trades. */
const ACTIVATION_MARGIN_MS = 4000;

describe('hot standby failover (SIGKILL of the active instance)', () => {
  const cleanup = cleanupAfterAll();

  it('the standby takes the symbol over within the lease TTL, alerts, and no order is duplicated', async () => {
    const cluster = await startCluster(
      {
        name: 'failover',
        lock: 'redis',
        leaseTtlMs: LEASE_TTL_MS,
        symbols: simSymbolsNamed([SYMBOL]).map((symbol) => ({ ...symbol, volatility: 3 })),
        grid: () =>
          'price_interval: "50", order_quantity: "130", buy_window_size: 6, sell_window_size: 6, reconcile_interval: 2s',
        nodes: [{ id: 'failover-a' }, { id: 'failover-b', standby: true }],
      },
      cleanup,
    );
    const [a, b] = [cluster.node('failover-a'), cluster.node('failover-b')];
    const { venue, account, record, webhook } = cluster;

    await cluster.startAll();
    const standbyRunningAt = performance.now();

    // A trades; B waits (and, past its own lease TTL, campaigns without winning).
    await until(async () => (await a.status()).symbols[0]?.workingOrders! > 0, 'A has working orders', 30_000);
    expect((await a.status()).mode).toBe('active');
    expect((await a.status()).symbols[0]).toMatchObject({ symbol: SYMBOL, ownership: 'owned', state: 'running' });
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, LEASE_TTL_MS + 500 - (performance.now() - standbyRunningAt))),
    );
    expect(await b.status()).toMatchObject({
      mode: 'standby',
      symbols: [{ symbol: SYMBOL, ownership: 'waiting', state: 'ready', workingOrders: 0 }],
    });
    expect(venue.engine.openOrders(account.accountId, SYMBOL).length).toBeGreaterThan(0);

    await a.kill();
    const killedAt = performance.now();
    await b.process.waitForLine(/ownership won/, LEASE_TTL_MS + ACTIVATION_MARGIN_MS);
    const activatedAfterMs = performance.now() - killedAt;
    expect(activatedAfterMs).toBeLessThan(LEASE_TTL_MS + ACTIVATION_MARGIN_MS);

    // B trades the symbol: running, with working orders of its own grid at the venue.
    await until(async () => (await b.trading()).includes(SYMBOL), 'B trading', 20_000);
    expect(await b.status()).toMatchObject({ mode: 'activated', symbols: [{ symbol: SYMBOL, ownership: 'owned' }] });
    await until(
      () => webhook.received.some((alert) => alert.kind === 'standby-activated'),
      'the activation alert',
      5000,
    );
    const acceptedAtTakeover = record.acceptedIds.length;
    // Some trading under the new owner: fills, re-quotes, a periodic reconciliation.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await b.stop()).toBe(0);

    expect(webhook.received.find((alert) => alert.kind === 'standby-activated')).toMatchObject({
      instanceId: b.id,
      exchange: 'binance',
      symbol: SYMBOL,
    });
    expect(record.acceptedIds.length, b.output().slice(-3000)).toBeGreaterThan(acceptedAtTakeover);
    // 1. No client order id accepted twice, none even sent twice.
    expect(idsAcceptedTwice(record)).toEqual([]);
    expect(cluster.refused.filter((summary) => summary.code === -4116)).toEqual([]);
    // 2. No slot with two working orders at once, across both owners.
    expect(slotOverlaps(record)).toEqual([]);
    // B's clean stop cancelled the grid's orders, the adopted ones of A included.
    expect(venue.engine.openOrders(account.accountId, SYMBOL)).toEqual([]);
    // Alerts are logged as warnings; the webhook token never reaches a log line.
    expect(logRecords(b.output(), (line) => line.alert === 'standby-activated').length).toBeGreaterThan(0);
    expect(a.output() + b.output()).not.toContain(webhook.token);
  }, 400_000);
});
