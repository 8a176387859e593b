/**
 * EtcdMembership's watch across an etcd that comes back empty (the chaos suite's `lock-down-empty`
 * under dynamic allocation, issue 14): the new store counts revisions from 1 again, below the one the
 * watch had resumed from, so a watch that merely resumes never hears of the members that join the
 * new store. In the chaos run every instance then kept a different, stale set, a symbol was assigned
 * to an instance whose own set left it nothing, nobody owned it, and the fills its resting orders
 * booked were never stored. The watch must deliver the members that join after the wipe.
 */
import { randomUUID } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { afterAll, expect, it } from 'vitest';
import { EtcdMembership } from '../../../src/coordination/membership/etcd/etcd-membership.js';
import { startEtcd } from '../../harness/etcd.js';

const etcd = await startEtcd();
afterAll(() => etcd.close());

const membershipOn = (prefix: string) =>
  new EtcdMembership({ endpoints: [etcd.endpoint], prefix, ttlMs: 2000, heartbeatMs: 500, callTimeoutMs: 1000 });

/** Resolves once `onChange` delivered `want` (no sleeps); rejects with every set seen after `timeoutMs`. */
function sets() {
  const seen: string[] = [];
  let wake: () => void = () => undefined;
  return {
    seen,
    onChange(members: readonly string[]) {
      seen.push(members.join(','));
      wake();
    },
    async until(want: readonly string[], timeoutMs = 30_000): Promise<void> {
      const deadline = performance.now() + timeoutMs;
      while (seen.at(-1) !== want.join(',')) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`the set [${want.join(',')}] never arrived; seen ${JSON.stringify(seen)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
  };
}

it('a watch delivers the members that join an etcd restarted empty (its revisions below the watch)', async () => {
  const prefix = `/qm-members-${randomUUID()}/`;
  const watching = membershipOn(prefix);
  const before = membershipOn(prefix);
  const controller = new AbortController();
  const seen = sets();
  let after: EtcdMembership | undefined;
  try {
    // Revisions well above what the new store will reach in this test (lock keys do this in a cluster).
    const client = new Etcd3({ hosts: etcd.endpoint });
    for (let index = 0; index < 30; index += 1) await client.put(`/qm-other-${randomUUID()}`).value('x');
    client.close();
    await watching.watch(seen.onChange, controller.signal);
    await before.join('a');
    await seen.until(['a']);

    await etcd.stop();
    await etcd.startEmpty();
    // The reconnect's read: the wiped store holds nobody.
    await seen.until([]);
    after = membershipOn(prefix);
    await after.join('b');
    await seen.until(['b']);
    expect(await watching.members()).toEqual(['b']);
  } finally {
    controller.abort();
    await Promise.all([watching.close(), before.close(), after?.close()]);
  }
}, 90_000);
