/** EtcdConfigCentre on a real etcd (R7): get/put, compare-and-swap, watch order, watch across an etcd restart, close. */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigChange } from '../../../src/coordination/config-centre/config-centre.js';
import { EtcdConfigCentre } from '../../../src/coordination/config-centre/etcd/etcd-config-centre.js';
import { createEtcdClient } from '../../../src/coordination/etcd/etcd-client.js';
import { ConfigRevisionConflictError, InvalidConfigNameError } from '../../../src/coordination/config-centre/errors.js';
import { startEtcd } from '../../harness/etcd.js';
import { FaultProxy } from '../../harness/fault-proxy.js';

const etcd = await startEtcd();
afterAll(() => etcd.close());

const centreOn = (endpoint: string, prefix = `/qm-test-${randomUUID()}/`) =>
  new EtcdConfigCentre({ endpoints: [endpoint], prefix, callTimeoutMs: 1000 });

/** Collects what a watch delivers; `next(n)` resolves once n changes arrived (each change is an event: no sleeps). */
function collector() {
  const changes: ConfigChange[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  return {
    changes,
    onChange(change: ConfigChange) {
      changes.push(change);
      if (waiting !== undefined && changes.length >= waiting.count) waiting.resolve();
    },
    until(count: number, timeoutMs = 20_000): Promise<void> {
      if (changes.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `only ${changes.length} of ${count} changes arrived: ${JSON.stringify(changes.map((c) => c.text))}`,
              ),
            ),
          timeoutMs,
        );
        waiting = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
  };
}

describe('EtcdConfigCentre', () => {
  it('get returns undefined for a name never written, then what put wrote at the revision put returned', async () => {
    const centre = centreOn(etcd.endpoint);
    try {
      expect(await centre.get('instance-1')).toBeUndefined();
      const revision = await centre.put('instance-1', 'a: 1\n');
      expect(await centre.get('instance-1')).toEqual({ text: 'a: 1\n', revision });
      const next = await centre.put('instance-1', 'a: 2\n');
      expect(next).toBeGreaterThan(revision);
      expect(await centre.get('instance-1')).toEqual({ text: 'a: 2\n', revision: next });
    } finally {
      await centre.close();
    }
  });

  it('a compare-and-swap put that lost the race is refused with the winning revision and writes nothing', async () => {
    const centre = centreOn(etcd.endpoint);
    try {
      const first = await centre.put('cas', 'v1', { expectRevision: 0n });
      await expect(centre.put('cas', 'again', { expectRevision: 0n })).rejects.toMatchObject({
        code: 'QM_CONFIG_CENTRE_CONFLICT',
        expectedRevision: 0n,
        actualRevision: first,
      });
      const second = await centre.put('cas', 'v2', { expectRevision: first });
      // A writer that read `first` and writes after `second` loses.
      const lost = await centre.put('cas', 'stale', { expectRevision: first }).catch((error: unknown) => error);
      expect(lost).toBeInstanceOf(ConfigRevisionConflictError);
      expect((lost as ConfigRevisionConflictError).actualRevision).toBe(second);
      expect(await centre.get('cas')).toEqual({ text: 'v2', revision: second });
    } finally {
      await centre.close();
    }
  });

  it('refuses a name that cannot be a key', async () => {
    const centre = centreOn(etcd.endpoint);
    try {
      await expect(centre.get('../other')).rejects.toBeInstanceOf(InvalidConfigNameError);
    } finally {
      await centre.close();
    }
  });

  it('a watch delivers the current document, then every change in order, a delete included', async () => {
    const prefix = `/qm-order-${randomUUID()}/`;
    const writer = centreOn(etcd.endpoint, prefix);
    const reader = centreOn(etcd.endpoint, prefix);
    const controller = new AbortController();
    try {
      const initial = await writer.put('watched', 'v0');
      const seen = collector();
      await reader.watch('watched', seen.onChange, controller.signal);
      const revisions = [initial];
      for (const text of ['v1', 'v2', 'v3']) revisions.push(await writer.put('watched', text));
      await seen.until(4);
      expect(seen.changes).toEqual(
        ['v0', 'v1', 'v2', 'v3'].map((text, index) => ({ text, revision: revisions[index] })),
      );
      // The port has no delete (an operator's etcdctl may): a watch reports it as a change without text.
      const operator = createEtcdClient({ endpoints: [etcd.endpoint], callTimeoutMs: 1000 });
      const deleted = await operator.delete().key(`${prefix}watched`).exec();
      operator.close();
      await seen.until(5);
      expect(seen.changes[4]).toEqual({ text: undefined, revision: BigInt(deleted.header.revision) });
    } finally {
      controller.abort();
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('a watch from a revision delivers only later changes', async () => {
    const centre = centreOn(etcd.endpoint);
    const controller = new AbortController();
    try {
      const read = await centre.put('after', 'old');
      const seen = collector();
      await centre.watch('after', seen.onChange, controller.signal, { afterRevision: read });
      const revision = await centre.put('after', 'new');
      await seen.until(1);
      expect(seen.changes).toEqual([{ text: 'new', revision }]);
    } finally {
      controller.abort();
      await centre.close();
    }
  });

  it('a watch whose connection was cut delivers the change made while it was cut', async () => {
    const prefix = `/qm-cut-${randomUUID()}/`;
    const proxy = await FaultProxy.start('127.0.0.1', etcd.port);
    const watching = centreOn(`http://${proxy.host}:${proxy.port}`, prefix);
    const writer = centreOn(etcd.endpoint, prefix);
    const controller = new AbortController();
    try {
      await writer.put('cut', 'before');
      const seen = collector();
      await watching.watch('cut', seen.onChange, controller.signal);
      await seen.until(1);
      proxy.refuse();
      proxy.cut();
      const during = await writer.put('cut', 'while-cut');
      proxy.restore();
      await seen.until(2, 30_000);
      expect(seen.changes).toEqual([
        { text: 'before', revision: seen.changes[0]!.revision },
        { text: 'while-cut', revision: during },
      ]);
    } finally {
      controller.abort();
      await Promise.all([watching.close(), writer.close()]);
      await proxy.close();
    }
  });

  it('a watch across an etcd restart delivers the change made before it reconnected, and closing stops it', async () => {
    const own = await startEtcd();
    const prefix = '/qm-restart/';
    const watching = centreOn(own.endpoint, prefix);
    const controller = new AbortController();
    const troubles: unknown[] = [];
    try {
      await watching.put('survivor', 'before');
      const seen = collector();
      await watching.watch('survivor', seen.onChange, controller.signal, {
        onTrouble: (error) => troubles.push(error),
      });
      await seen.until(1);
      await own.stop();
      await own.start();
      // Written before the watcher's stream is back (etcd3 reconnects with a backoff).
      const writer = centreOn(own.endpoint, prefix);
      const during = await writer.put('survivor', 'while-reconnecting');
      await seen.until(2, 30_000);
      expect(seen.changes.map((change) => change.text)).toEqual(['before', 'while-reconnecting']);
      expect(seen.changes[1]!.revision).toBe(during);
      expect(troubles.length).toBeGreaterThan(0);

      controller.abort();
      await writer.put('survivor', 'after-close');
      // A change written after the abort must not arrive; a later watch proves the write reached etcd first.
      const proof = collector();
      const second = new AbortController();
      await writer.watch('survivor', proof.onChange, second.signal);
      await proof.until(1);
      second.abort();
      expect(proof.changes[0]!.text).toBe('after-close');
      expect(seen.changes.map((change) => change.text)).toEqual(['before', 'while-reconnecting']);
      await writer.close();
    } finally {
      controller.abort();
      await watching.close();
      await own.close();
    }
  });
});
