/**
 * Every degradation visible (issue 14 items 5 and 6), end to end on two QuantMesh processes of the
 * cluster fixture sharing PostgreSQL (through a FaultProxy) and a Redis lock:
 *  - `wrong-key` trades ETHUSDT with an API key the venue does not know: its runner faults, and
 *    `/health` answers 503 naming `binance:ETHUSDT faulted` (`/healthz` stays 200), the
 *    `quantmesh_symbol_state` gauge reads 1 for `faulted`, and `symbol-faulted` reaches the webhook;
 *  - the database is cut and refused: `database-unavailable` reaches the webhook, the spool (a small
 *    `max_spool_bytes`) fills past half and `spool-high` follows; restored: `database-recovered`.
 * The alerts carry no secret: neither the webhook's token nor the API secret reach a log line.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/decimal.js';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { until } from '../harness/until.js';
import { startCluster } from './cluster-fixture.js';

const alertOf = (alerts: readonly Record<string, unknown>[], kind: string, instanceId: string) =>
  alerts.find((alert) => alert.kind === kind && alert.instanceId === instanceId);

describe('degradations are visible: /health, quantmesh_symbol_state and alerts', () => {
  const cleanup = cleanupAfterAll();

  it('a faulted symbol answers 503 naming it, and database loss, spool growth and recovery are alerted', async () => {
    const cluster = await startCluster(
      {
        name: 'degraded',
        lock: 'redis',
        leaseTtlMs: 3000,
        maxSpoolBytes: 32_768,
        symbols: simSymbolsNamed(['BTCUSDT', 'ETHUSDT']).map((symbol) => ({ ...symbol, volatility: 3 })),
        grid: (symbol) =>
          `price_interval: "${symbol === 'BTCUSDT' ? '50' : '3'}", order_quantity: "130", buy_window_size: 4, sell_window_size: 4, reconcile_interval: 2s`,
        nodes: [
          { id: 'trading', symbols: ['BTCUSDT'] },
          { id: 'wrong-key', symbols: ['ETHUSDT'], apiKey: 'not-a-key-of-the-venue' },
        ],
      },
      cleanup,
    );
    const [trading, wrongKey] = [cluster.node('trading'), cluster.node('wrong-key')];
    const { webhook } = cluster;
    await cluster.startAll();
    await until(async () => (await trading.trading()).includes('BTCUSDT'), 'BTCUSDT trading', 90_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}; trading's last output:\n${trading.output().slice(-4000)}`);
      },
    );

    // The wrong key: the runner faults; /health says which symbol and why, liveness stays up.
    await until(
      async () => (await fetch(`http://127.0.0.1:${wrongKey.webPort}/health`)).status === 503,
      'wrong-key /health 503',
      60_000,
    );
    const report = (await (await fetch(`http://127.0.0.1:${wrongKey.webPort}/health`)).json()) as {
      healthy: boolean;
      components: { name: string; healthy: boolean; cause?: string }[];
    };
    expect(report.healthy).toBe(false);
    expect(report.components.find((component) => component.name === 'symbols')).toMatchObject({
      healthy: false,
      cause: expect.stringContaining('binance:ETHUSDT faulted'),
    });
    expect((await fetch(`http://127.0.0.1:${wrongKey.webPort}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${wrongKey.webPort}/metrics`)).text();
    expect(metrics).toContain('quantmesh_symbol_state{exchange="binance",symbol="ETHUSDT",state="faulted"} 1');
    expect(metrics).toContain('quantmesh_symbol_state{exchange="binance",symbol="ETHUSDT",state="running"} 0');
    await until(
      () => alertOf(webhook.received, 'symbol-faulted', 'wrong-key') !== undefined,
      'the symbol-faulted alert',
      10_000,
    );
    // The right key's symbol is not faulted and never was.
    expect(alertOf(webhook.received, 'symbol-faulted', 'trading')).toBeUndefined();
    expect(alertOf(webhook.received, 'symbol-faulted', 'wrong-key')).toMatchObject({
      exchange: 'binance',
      symbol: 'ETHUSDT',
      message: expect.stringContaining('faulted'),
    });
    // The healthy instance stays healthy.
    expect((await fetch(`http://127.0.0.1:${trading.webPort}/health`)).status).toBe(200);

    // The database goes away: alerted once it failed two pings; the spool grows and is alerted.
    cluster.databaseProxy.refuse();
    cluster.databaseProxy.cut();
    await until(
      () => alertOf(webhook.received, 'database-unavailable', 'trading') !== undefined,
      'the database-unavailable alert',
      30_000,
    );
    expect(alertOf(webhook.received, 'database-unavailable', 'trading')).not.toHaveProperty('symbol');
    // The spool grows with what the venue reports (fills, order changes): the market is moved
    // through BTCUSDT's resting orders, just past the farthest buy, then the farthest sell, and so
    // on, so the venue fills some whatever its random walk does (a calm walk once left the spool
    // under half its size for minutes and the test ran out of time).
    let side: 'BUY' | 'SELL' = 'BUY';
    const sweep = setInterval(() => {
      const prices = cluster.venue.engine
        .restingOrders('BTCUSDT')
        .filter((order) => order.side === side && order.price !== undefined)
        .map((order) => order.price!);
      if (prices.length > 0) {
        const farthest = prices.reduce((a, b) => (side === 'BUY' ? (b.lt(a) ? b : a) : b.gt(a) ? b : a));
        cluster.venue.engine.setPrice('BTCUSDT', side === 'BUY' ? farthest.sub(dec(5)) : farthest.add(dec(5)));
      }
      side = side === 'BUY' ? 'SELL' : 'BUY';
    }, 3000);
    try {
      await until(
        () => alertOf(webhook.received, 'spool-high', 'trading') !== undefined,
        'the spool-high alert',
        240_000,
      );
    } finally {
      clearInterval(sweep);
    }
    expect(alertOf(webhook.received, 'spool-high', 'trading')).toMatchObject({
      message: expect.stringContaining('max_spool_bytes (32768)'),
    });

    cluster.databaseProxy.restore();
    await until(
      () => alertOf(webhook.received, 'database-recovered', 'trading') !== undefined,
      'the database-recovered alert',
      30_000,
    );
    // Each kind once per instance: the rate limit and the transitions keep them from repeating.
    const kinds = webhook.received.filter((alert) => alert.instanceId === 'trading').map((alert) => alert.kind);
    expect(kinds.filter((kind) => kind === 'database-unavailable')).toHaveLength(1);

    expect(await trading.stop()).toBe(0);
    expect(await wrongKey.stop()).toBe(0);
    const logs = trading.output() + wrongKey.output();
    expect(logs).not.toContain(webhook.token);
    expect(logs).not.toContain(cluster.account.apiSecret);
  }, 400_000);
});
