/**
 * Faults heal, and a symbol that cannot heal here moves (issue 14 item 5), on two QuantMesh
 * processes sharing PostgreSQL and a Redis lock: `broken` (active) owns ETHUSDT with an API key the
 * venue refuses; `standby` (`--standby`) has the right one.
 *  - `broken`'s runner faults; its engine tries it again with backoff (each try logged), while
 *    `/health` answers 503 naming the symbol and cause, `quantmesh_symbol_state{state="faulted"}`
 *    reads 1 and `symbol-faulted` reaches the webhook;
 *  - after `coordination.orphan_timeout` (4 s here) `broken` hands the ownership over (alerted
 *    `ownership-lost`), the standby takes ETHUSDT over (alerted `standby-activated`) and trades it.
 */
import { describe, expect, it } from 'vitest';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { until } from '../harness/until.js';
import { startCluster } from './cluster-fixture.js';
import { logRecords } from './quantmesh-process.js';

const ORPHAN_TIMEOUT_MS = 4000;

describe('coordination.orphan_timeout', () => {
  const cleanup = cleanupAfterAll();

  it('a symbol faulted past the orphan timeout is handed over and a standby trades it', async () => {
    const cluster = await startCluster(
      {
        name: 'orphan',
        lock: 'redis',
        leaseTtlMs: 3000,
        orphanTimeoutMs: ORPHAN_TIMEOUT_MS,
        symbols: simSymbolsNamed(['ETHUSDT']),
        grid: () =>
          'price_interval: "3", order_quantity: "130", buy_window_size: 3, sell_window_size: 3, reconcile_interval: 2s',
        nodes: [
          { id: 'broken', apiKey: 'not-a-key-of-the-venue' },
          { id: 'standby', standby: true },
        ],
      },
      cleanup,
    );
    const [broken, standby] = [cluster.node('broken'), cluster.node('standby')];
    const { webhook } = cluster;
    const alerted = (kind: string, instanceId: string) =>
      webhook.received.find((alert) => alert.kind === kind && alert.instanceId === instanceId);
    await broken.start();

    // Faulted: visible in /health, the state gauge and an alert.
    const symbolsHealth = async () => {
      const response = await fetch(`http://127.0.0.1:${broken.webPort}/health`);
      const report = (await response.json()) as { components: { name: string; cause?: string }[] };
      return { status: response.status, cause: report.components.find((c) => c.name === 'symbols')?.cause ?? '' };
    };
    await until(
      async () => (await symbolsHealth()).cause.includes('binance:ETHUSDT faulted'),
      '/health naming ETHUSDT faulted',
      90_000,
    );
    expect((await symbolsHealth()).status).toBe(503);
    expect(await (await fetch(`http://127.0.0.1:${broken.webPort}/metrics`)).text()).toContain(
      'quantmesh_symbol_state{exchange="binance",symbol="ETHUSDT",state="faulted"} 1',
    );
    await until(() => alerted('symbol-faulted', 'broken') !== undefined, 'symbol-faulted', 20_000);

    await standby.start();
    // Retried with backoff meanwhile, then handed over after the orphan timeout.
    await until(() => alerted('ownership-lost', 'broken') !== undefined, 'ownership-lost', 60_000);
    const retries = logRecords(
      broken.output(),
      (record) => record.msg === 'symbol faulted: it starts again after a pause',
    );
    expect(retries.length).toBeGreaterThanOrEqual(2);
    const delays = retries.map((record) => record.retryInMs as number);
    // Backing off: each try waits longer than the first (jittered to 50–100 % of a doubling delay).
    expect(Math.max(...delays)).toBeGreaterThan(delays[0]!);
    expect(alerted('ownership-lost', 'broken')).toMatchObject({
      symbol: 'ETHUSDT',
      message: expect.stringContaining('coordination.orphan_timeout'),
    });

    await until(() => alerted('standby-activated', 'standby') !== undefined, 'standby-activated', 60_000);
    await until(async () => (await standby.trading()).includes('ETHUSDT'), 'the standby trading ETHUSDT', 90_000);
    expect(await broken.owned()).toEqual([]);

    expect(await standby.stop()).toBe(0);
    expect(await broken.stop()).toBe(0);
  }, 400_000);
});
