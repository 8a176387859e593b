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

/** Collects what a watch delivers; `until(n)` resolves once n changes arrived, `untilText` once one with that text did (each change is an event: no sleeps). */
function collector() {
  const changes: ConfigChange[] = [];
  const waiting = new Set<() => void>();
  const wait = (done: () => boolean, what: () => string, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        waiting.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiting.delete(check);
        reject(new Error(`${what()}: ${JSON.stringify(changes.map((c) => c.text))}`));
      }, timeoutMs);
      waiting.add(check);
      check();
    });
  return {
    changes,
    onChange(change: ConfigChange) {
      changes.push(change);
      for (const check of [...waiting]) check();
    },
    until(count: number, timeoutMs = 20_000): Promise<void> {
      return wait(
        () => changes.length >= count,
        () => `only ${changes.length} of ${count} changes arrived`,
        timeoutMs,
      );
    },
    untilText(text: string, timeoutMs = 30_000): Promise<void> {
      return wait(
        () => changes.some((change) => change.text === text),
        () => `no change to ${JSON.stringify(text)} arrived`,
        timeoutMs,
      );
    },
  };
}

/** Puts `count` keys outside the test's prefix: revisions move on as a cluster's lock keys move them. */
async function advanceRevisions(endpoint: string, count: number): Promise<void> {
  const client = createEtcdClient({ endpoints: [endpoint], callTimeoutMs: 1000 });
  try {
    for (let index = 0; index < count; index += 1) await client.put(`/qm-other-${randomUUID()}`).value('x');
  } finally {
    client.close();
  }
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
  // Issue 14: an etcd restarted on a wiped data dir counts revisions from 1 again, below the one the
  // watch saw; it dropped the new store's document as already seen and waited for its old revision.
  it('a watch across an etcd restarted empty delivers the change written to the new store (its revisions below the watch)', async () => {
    const own = await startEtcd();
    const prefix = '/qm-wiped/';
    const watching = centreOn(own.endpoint, prefix);
    const controller = new AbortController();
    const troubles: unknown[] = [];
    let writer: EtcdConfigCentre | undefined;
    try {
      // Revisions well above what the new store reaches in this test.
      await advanceRevisions(own.endpoint, 30);
      const before = await watching.put('wiped', 'before');
      const seen = collector();
      await watching.watch('wiped', seen.onChange, controller.signal, { onTrouble: (error) => troubles.push(error) });
      await seen.untilText('before');

      await own.stop();
      await own.startEmpty();
      writer = centreOn(own.endpoint, prefix);
      const after = await writer.put('wiped', 'after-wipe');
      expect(after).toBeLessThan(before);
      await seen.untilText('after-wipe');
      // The reconnect's read may find the wiped store empty first (a delete); nothing else arrives.
      expect(seen.changes.filter((change) => change.text !== undefined)).toEqual([
        { text: 'before', revision: before },
        { text: 'after-wipe', revision: after },
      ]);
      expect(troubles.map(String).join('\n')).toContain('a wiped or restored store');

      // And the watch goes on following the new store.
      const next = await writer.put('wiped', 'next');
      await seen.untilText('next');
      expect(seen.changes.at(-1)).toEqual({ text: 'next', revision: next });
    } finally {
      controller.abort();
      await Promise.all([watching.close(), writer?.close()]);
      await own.close();
    }
  }, 90_000);

  it("a watch whose stream comes back to a wiped etcd already past its revision delivers the new store's document", async () => {
    const own = await startEtcd();
    const prefix = '/qm-wiped-past/';
    const proxy = await FaultProxy.start('127.0.0.1', own.port);
    const watching = centreOn(`http://${proxy.host}:${proxy.port}`, prefix);
    const controller = new AbortController();
    let writer: EtcdConfigCentre | undefined;
    try {
      const before = await watching.put('wiped', 'before');
      const seen = collector();
      await watching.watch('wiped', seen.onChange, controller.signal);
      await seen.untilText('before');

      // The watch's stream stays away while etcd comes back empty and the new store moves past
      // `before`: its headers then look like the old store's, only the document tells them apart.
      proxy.refuse();
      proxy.cut();
      await own.stop();
      await own.startEmpty();
      writer = centreOn(own.endpoint, prefix);
      const after = await writer.put('wiped', 'after-wipe');
      await advanceRevisions(own.endpoint, Number(before) + 5);
      expect(after).toBeLessThanOrEqual(before);
      proxy.restore();
      await seen.untilText('after-wipe');
      expect(seen.changes).toEqual([
        { text: 'before', revision: before },
        { text: 'after-wipe', revision: after },
      ]);
    } finally {
      controller.abort();
      await Promise.all([watching.close(), writer?.close()]);
      await proxy.close();
      await own.close();
    }
  }, 90_000);
});
