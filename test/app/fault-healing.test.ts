/**
 * A fault heals by itself once its cause is gone (issue 14 items 5 and 6, docs/reliability.md
 * finding 7), on one QuantMesh process with a small spool (`storage.max_spool_bytes` 4 KiB) in front
 * of its PostgreSQL database (through a FaultProxy):
 *  - the database is cut: `database-unavailable`; fills and reports fill the spool (`spool-high`)
 *    until a store is refused and the runner faults (`symbol-faulted`, `/health` 503);
 *  - the database returns: `database-recovered`; the spool drains, the engine starts the symbol
 *    again (`symbol-recovered`) and it trades;
 *  - a fill the venue books and never reports moves its position: `position-drift`.
 * Every alert comes from a real fault and reaches the test's webhook receiver.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/decimal.js';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { until } from '../harness/until.js';
import { startCluster } from './cluster-fixture.js';

const SYMBOL = 'ETHUSDT';

describe('faults heal', () => {
  const cleanup = cleanupAfterAll();

  it('a runner faulted by a full spool trades again once the database drained it, and each step is alerted', async () => {
    const cluster = await startCluster(
      {
        name: 'heal',
        lock: 'redis',
        leaseTtlMs: 3000,
        maxSpoolBytes: 4096,
        symbols: simSymbolsNamed([SYMBOL]).map((symbol) => ({ ...symbol, volatility: 0.3 })),
        grid: () =>
          'price_interval: "1.5", order_quantity: "130", buy_window_size: 4, sell_window_size: 4, reconcile_interval: 2s',
        nodes: [{ id: 'healer' }],
      },
      cleanup,
    );
    const healer = cluster.node('healer');
    const { webhook, venue, account } = cluster;
    const alerted = (kind: string) => webhook.received.find((alert) => alert.kind === kind);
    const symbolHealth = async () => {
      const response = await fetch(`http://127.0.0.1:${healer.webPort}/health`);
      const report = (await response.json()) as { components: { name: string; cause?: string }[] };
      return { status: response.status, cause: report.components.find((c) => c.name === 'symbols')?.cause ?? '' };
    };
    await cluster.startAll();
    await until(async () => (await healer.trading()).includes(SYMBOL), `${SYMBOL} trading`, 120_000);

    const resting = (side: 'BUY' | 'SELL') =>
      venue.engine
        .restingOrders(SYMBOL)
        .filter((order) => order.side === side && order.price !== undefined)
        .map((order) => order.price!);
    // Before the cut the grid holds a full window of resting orders (the fills the outage books)
    // and its first writes are in the database: the spool fills from the outage's fills, not from
    // a start that happened to race the cut.
    await until(
      () => resting('BUY').length + resting('SELL').length >= 4,
      'a full window of resting orders before the cut',
      120_000,
    );

    cluster.databaseProxy.refuse();
    cluster.databaseProxy.cut();
    await until(() => alerted('database-unavailable') !== undefined, 'database-unavailable', 30_000);
    // The market sweeps through the resting orders until the spool is full and a store is refused.
    let down = true;
    await until(
      async () => {
        const side = down ? 'BUY' : 'SELL';
        const prices = resting(side);
        if (prices.length > 0) {
          const farthest = prices.reduce((a, b) => (down ? (b.lt(a) ? b : a) : b.gt(a) ? b : a));
          venue.engine.setPrice(SYMBOL, down ? farthest.sub(dec('0.15')) : farthest.add(dec('0.15')));
        }
        down = !down;
        return (await symbolHealth()).cause.includes(`binance:${SYMBOL} faulted`);
      },
      'the runner faulted on a full spool',
      240_000,
    );
    expect(await symbolHealth()).toMatchObject({ status: 503, cause: expect.stringContaining('spool is full') });
    await until(() => alerted('symbol-faulted') !== undefined, 'symbol-faulted', 20_000);
    await until(() => alerted('spool-high') !== undefined, 'spool-high', 20_000);

    // The cause goes away: the spool drains and the symbol starts again by itself.
    cluster.databaseProxy.restore();
    await until(() => alerted('database-recovered') !== undefined, 'database-recovered', 30_000);
    await until(() => alerted('symbol-recovered') !== undefined, 'symbol-recovered', 120_000);
    await until(async () => (await healer.trading()).includes(SYMBOL), `${SYMBOL} trading again`, 120_000);
    expect((await symbolHealth()).status).toBe(200);
    expect(healer.output()).toContain('symbol starting again after a fault');

    // A venue-side fill nobody reports: the next reconciliation finds the drift.
    venue.engine.bookUnreportedFill(account.accountId, SYMBOL, 'BUY', dec('0.05'));
    await until(() => alerted('position-drift') !== undefined, 'position-drift', 120_000).catch(
      async (error: Error) => {
        const status = await healer.status().catch(() => undefined);
        throw new Error(
          `${error.message}; status ${JSON.stringify(status?.symbols)}; last output:\n${healer.output().slice(-3000)}`,
        );
      },
    );
    expect(alerted('position-drift')).toMatchObject({ symbol: SYMBOL, instanceId: 'healer' });

    expect(await healer.stop()).toBe(0);
  }, 600_000);
});
