/** The cluster view from the instance registry: owners only from live heartbeats, missing and stopped instances, one entry per symbol. */
import { expect, it } from 'vitest';
import { type InstanceSnapshot, clusterView } from '../../src/server/cluster-view.js';
import type { InstanceRecord } from '../../src/storage/records.js';

const TTL = 3000;
const symbol = (ownership: 'owned' | 'waiting' | 'unassigned', price: string) => ({
  exchange: 'sim',
  symbol: 'BTCUSDT',
  state: ownership === 'owned' ? 'running' : 'ready',
  ownership,
  price,
  position: '0',
  workingOrders: 3,
  realizedPnl: '0',
  fees: '0',
  tradeCount: 0,
});

function record(
  instanceId: string,
  heartbeatAt: number,
  symbols: InstanceSnapshot['symbols'],
  stopped = false,
  mode: InstanceSnapshot['mode'] = 'active',
): InstanceRecord {
  const snapshot: InstanceSnapshot = {
    version: '1',
    mode,
    startedAt: '2026-12-01T00:00:00.000Z',
    stopped,
    allocation: 'static',
    leaseTtlMs: TTL,
    health: { healthy: true, components: [] },
    symbols,
  };
  return { instanceId, heartbeatAt, snapshot: snapshot as unknown as Record<string, unknown> };
}

it('names the owner from a live heartbeat, with the lease running out one TTL after it', () => {
  const view = clusterView(
    [record('a', 10_000, [symbol('owned', '100')]), record('b', 10_500, [symbol('waiting', '101')])],
    11_000,
  );
  expect(view.symbols).toEqual([
    expect.objectContaining({ owner: 'a', ownership: 'owned', price: '100', leaseExpiresBy: 13_000 }),
  ]);
  expect(view.instances.map((instance) => [instance.instanceId, instance.state, instance.owned])).toEqual([
    ['a', 'running', ['sim:BTCUSDT']],
    ['b', 'running', []],
  ]);
});

it('ignores the claim of an instance silent for longer than one lease TTL and shows it missing', () => {
  const view = clusterView(
    [record('a', 1_000, [symbol('owned', '100')]), record('b', 10_500, [symbol('waiting', '101')])],
    11_000,
  );
  expect(view.symbols).toEqual([expect.objectContaining({ owner: null, ownership: 'waiting', price: '101' })]);
  expect(view.instances.find((instance) => instance.instanceId === 'a')).toMatchObject({ state: 'missing', owned: [] });
});

it('shows a cleanly stopped instance as stopped and owning nothing, even with a fresh last word', () => {
  const view = clusterView([record('a', 10_900, [symbol('owned', '100')], true)], 11_000);
  expect(view.instances).toEqual([expect.objectContaining({ instanceId: 'a', state: 'stopped', owned: [] })]);
  expect(view.symbols[0]).toMatchObject({ owner: null });
});

it('shows degraded mode: the running survivor and standbys; a missing instance does not count; null otherwise', () => {
  expect(clusterView([record('a', 10_000, [symbol('owned', '100')])], 11_000).degraded).toBeNull();
  const view = clusterView(
    [
      record('a', 10_000, [symbol('owned', '100')], false, 'degraded-leader'),
      record('b', 10_500, [symbol('waiting', '101')], false, 'degraded-standby'),
      record('c', 1_000, [symbol('waiting', '101')], false, 'degraded-standby'),
    ],
    11_000,
  );
  expect(view.degraded).toEqual({ survivor: 'a', standbys: ['b'] });
  expect(view.symbols[0]).toMatchObject({ owner: 'a' });
  const electing = clusterView([record('b', 10_500, [symbol('waiting', '101')], false, 'degraded-standby')], 11_000);
  expect(electing.degraded).toEqual({ survivor: null, standbys: ['b'] });
});
