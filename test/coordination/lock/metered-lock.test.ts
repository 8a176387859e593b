/** MeteredLock (R9): each outcome moves its counter, holds are timed, and no key reaches a label. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MemoryLock } from '../../../src/coordination/lock/memory/memory-lock.js';
import { MeteredLock } from '../../../src/coordination/lock/metered-lock.js';
import { LockTimeoutError } from '../../../src/coordination/lock/errors.js';
import { createDistributedLock } from '../../../src/coordination/lock/create-distributed-lock.js';

/** A sample's value; `name` may be a histogram's `<name>_count` or `<name>_sum`. */
async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const base = name.replace(/_(count|sum)$/, '');
  const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === base);
  const sample = (metric?.values ?? []).find(
    (entry) =>
      ((entry as { metricName?: string }).metricName ?? base) === name &&
      Object.entries(labels).every(([key, label]) => entry.labels[key] === label),
  );
  return sample?.value ?? 0;
}

describe('metered lock', () => {
  it('counts acquired, busy and timeout, times holds, and counts lost locks and failed renewals', async () => {
    const registry = new Registry();
    const lock = new MeteredLock(new MemoryLock({ prefix: 'qm:' }), registry);
    const held = (await lock.tryLock('order:sim:BTCUSDT:7', 5000))!;
    expect(await lock.tryLock('order:sim:BTCUSDT:7', 5000)).toBeUndefined();
    await expect(lock.lock('order:sim:BTCUSDT:7', 5000, { timeoutMs: 50 })).rejects.toBeInstanceOf(LockTimeoutError);
    await held.unlock();

    const short = (await lock.tryLock('order:sim:ETHUSDT', 100))!;
    await new Promise<void>((resolve) => short.signal.addEventListener('abort', () => resolve(), { once: true }));
    await expect(short.extend(100)).rejects.toThrow();

    expect(await value(registry, 'quantmesh_lock_acquire_total', { backend: 'memory', status: 'acquired' })).toBe(2);
    expect(await value(registry, 'quantmesh_lock_acquire_total', { backend: 'memory', status: 'busy' })).toBe(1);
    expect(await value(registry, 'quantmesh_lock_acquire_total', { backend: 'memory', status: 'timeout' })).toBe(1);
    expect(await value(registry, 'quantmesh_lock_hold_duration_seconds_count', { backend: 'memory' })).toBe(2);
    // Acquire latency by outcome: the timed-out lock waited its 50 ms.
    const latency = (status: string) =>
      value(registry, 'quantmesh_lock_acquire_duration_seconds_count', { backend: 'memory', status });
    expect([await latency('acquired'), await latency('busy'), await latency('timeout')]).toEqual([2, 1, 1]);
    const waited = await value(registry, 'quantmesh_lock_acquire_duration_seconds_sum', {
      backend: 'memory',
      status: 'timeout',
    });
    expect(waited).toBeGreaterThanOrEqual(0.045);
    expect(await value(registry, 'quantmesh_lock_lost_total', { backend: 'memory' })).toBe(1);
    expect(await value(registry, 'quantmesh_lock_renewal_failures_total', { backend: 'memory' })).toBe(1);
    const exposition = await registry.metrics();
    expect(exposition).not.toContain('BTCUSDT');
    expect(exposition).toContain('quantmesh_lock_acquire_total{backend="memory",status="acquired"} 2');
  });

  it('counts backend failures as error, and shares one set of metrics per registry', async () => {
    const registry = new Registry();
    const unreachable = await createDistributedLock({
      type: 'redis',
      redis: { addr: '127.0.0.1:1', commandTimeoutMs: 200 },
    });
    const first = new MeteredLock(unreachable, registry);
    const second = new MeteredLock(new MemoryLock(), registry);
    await expect(first.tryLock('k', 1000)).rejects.toThrow();
    await (await second.tryLock('k', 1000))!.unlock();
    expect(await value(registry, 'quantmesh_lock_acquire_total', { backend: 'redis', status: 'error' })).toBe(1);
    expect(await value(registry, 'quantmesh_lock_acquire_total', { backend: 'memory', status: 'acquired' })).toBe(1);
    await first.close();
  });
});
