/**
 * Dynamic allocation end to end (R6, R10 "instance down", Invariant 4): three instances run as
 * child processes with the same six symbols, sharing PostgreSQL, with membership and ownership
 * leases in one etcd, all trading one sim-venue through the ccxt adapter. The six symbols (chosen
 * so rendezvous hashing gives two to each) are spread two per instance; then one instance is
 * killed with SIGKILL, and its two symbols must be owned and traded by the other two within the
 * lease TTL plus a margin, every symbol owned by exactly one instance, and the venue's own record
 * must show no client order id accepted twice (none refused as a duplicate either).
 */
import { describe, expect, it } from 'vitest';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { until } from '../harness/until.js';
import { type ClusterNode, startCluster } from './cluster-fixture.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { idsAcceptedTwice } from './venue-record.js';

const LEASE_TTL_MS = 3000;
/** Past the lease (etcd counts whole seconds and expires leases about every 500 ms): the survivors rebalance, win, load and trade. */
const TAKEOVER_MARGIN_MS = 5000;
/** What rendezvous hashing gives each of the three instances (see src/coordination/allocation/rendezvous.ts). */
const EXPECTED: Record<string, readonly string[]> = {
  'dyn-a': ['BBBUSDT', 'EEEUSDT'],
  'dyn-b': ['HHHUSDT', 'IIIUSDT'],
  'dyn-c': ['AAAUSDT', 'CCCUSDT'],
};
const SYMBOLS = Object.values(EXPECTED).flat().sort();

describe('dynamic allocation over three instances (SIGKILL of one)', () => {
  const cleanup = cleanupAfterAll();

  it("spreads six symbols two per instance, and the survivors take a killed instance's two over with no order duplicated", async () => {
    const cluster = await startCluster(
      {
        name: 'dynamic',
        lock: 'etcd',
        allocation: 'dynamic',
        leaseTtlMs: LEASE_TTL_MS,
        symbols: simSymbolsNamed(SYMBOLS),
        grid: () =>
          'price_interval: "0.2", order_quantity: "20", buy_window_size: 4, sell_window_size: 4, reconcile_interval: 2s',
        nodes: Object.keys(EXPECTED).map((id) => ({ id })),
      },
      cleanup,
    );
    const { record } = cluster;
    const [a, b, c] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    await Promise.all(cluster.nodes.map((node) => node.start()));

    // Two symbols each, all trading; every instance sees the three members and the rest unassigned.
    for (const node of cluster.nodes) {
      await until(
        async () => (await node.trading()).join() === [...EXPECTED[node.id]!].sort().join(),
        `${node.id} trading its two symbols`,
        30_000,
      );
    }
    for (const node of cluster.nodes) {
      const seen = await node.status();
      expect(seen.allocation).toEqual({ mode: 'dynamic', members: ['dyn-a', 'dyn-b', 'dyn-c'] });
      expect(
        seen.symbols
          .filter((symbol) => symbol.ownership === 'unassigned')
          .map((symbol) => symbol.symbol)
          .sort(),
      ).toEqual(SYMBOLS.filter((symbol) => !EXPECTED[node.id]!.includes(symbol)));
    }

    await c.kill();
    const killedAt = performance.now();
    await until(
      async () => [...(await a.owned()), ...(await b.owned())].sort().join() === SYMBOLS.join(),
      'the survivors owning all six symbols',
      LEASE_TTL_MS + TAKEOVER_MARGIN_MS,
    ).catch((error: Error) => {
      const events = (output: string) =>
        output
          .split('\n')
          .filter((line) => /allocation|ownership|campaign/.test(line))
          .slice(-12)
          .join('\n');
      throw new Error(`${error.message}; a: ${events(a.output())}; b: ${events(b.output())}`);
    });
    expect(performance.now() - killedAt).toBeLessThan(LEASE_TTL_MS + TAKEOVER_MARGIN_MS);

    // Each symbol owned by exactly one survivor, which kept its own two; both trade what they own.
    const [ownedA, ownedB] = [await a.owned(), await b.owned()];
    expect([...ownedA, ...ownedB].sort()).toEqual(SYMBOLS);
    expect(ownedA.filter((symbol) => ownedB.includes(symbol))).toEqual([]);
    expect(ownedA).toEqual(expect.arrayContaining([...EXPECTED[a.id]!]));
    expect(ownedB).toEqual(expect.arrayContaining([...EXPECTED[b.id]!]));
    expect([...ownedA, ...ownedB]).toEqual(expect.arrayContaining([...EXPECTED[c.id]!]));
    for (const node of [a, b]) {
      expect((await node.status()).allocation.members).toEqual(['dyn-a', 'dyn-b']);
      const mine = await node.owned();
      await until(async () => (await node.trading()).join() === mine.join(), `${node.id} trading all it owns`, 45_000);
    }
    const acceptedAtTakeover = record.acceptedIds.length;
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const exits = await Promise.all([a.stop(), b.stop()]);
    expect(exits).toEqual([0, 0]);
    expect(record.acceptedIds.length).toBeGreaterThanOrEqual(acceptedAtTakeover);
    // No client order id accepted twice, none even sent twice.
    expect(idsAcceptedTwice(record)).toEqual([]);
    expect(cluster.refused.filter((summary) => summary.code === -4116)).toEqual([]);
  }, 400_000);
});
