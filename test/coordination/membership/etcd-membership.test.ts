/**
 * EtcdMembership on a real etcd (R6): join and leave, a member that stops heartbeating (its process
 * gone: client closed without leaving) drops out after its lease TTL while a live one stays past
 * it, a watch delivers every change of the set, and a watch whose connection was cut re-reads the
 * set on reconnect.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MembershipLostError } from '../../../src/coordination/membership/errors.js';
import { EtcdMembership } from '../../../src/coordination/membership/etcd/etcd-membership.js';
import { startEtcd } from '../../harness/etcd.js';
import { FaultProxy } from '../../harness/fault-proxy.js';

const etcd = await startEtcd();
afterAll(() => etcd.close());

const TTL_MS = 2000;
const HEARTBEAT_MS = 500;
const membershipOn = (prefix: string, endpoint = etcd.endpoint) =>
  new EtcdMembership({ endpoints: [endpoint], prefix, ttlMs: TTL_MS, heartbeatMs: HEARTBEAT_MS, callTimeoutMs: 1000 });

/** Collects the sets a watch delivers; `until(set)` resolves once that set arrived (an event, no sleeps). */
function watcher() {
  const seen: string[][] = [];
  const waits: Array<{ want: string; resolve: () => void }> = [];
  return {
    seen,
    onChange(members: readonly string[]) {
      seen.push([...members]);
      for (const wait of waits.filter((entry) => entry.want === members.join(','))) wait.resolve();
    },
    until(members: string[], timeoutMs = 20_000): Promise<void> {
      if (seen.at(-1)?.join(',') === members.join(',')) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the set ${members.join(',')} never arrived: ${JSON.stringify(seen)}`)),
          timeoutMs,
        );
        waits.push({
          want: members.join(','),
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

describe('EtcdMembership', () => {
  it('join registers a member, leave removes it at once; the watch sees both', async () => {
    const prefix = `/qm-members-${randomUUID()}/`;
    const a = membershipOn(prefix);
    const b = membershipOn(prefix);
    const controller = new AbortController();
    try {
      const seen = watcher();
      await a.watch(seen.onChange, controller.signal);
      await seen.until([]);
      const termA = await a.join('a');
      const termB = await b.join('b');
      await seen.until(['a', 'b']);
      expect(await b.members()).toEqual(['a', 'b']);
      await termB.leave();
      expect(termB.lost.aborted).toBe(true);
      expect(termB.lost.reason).toBeInstanceOf(MembershipLostError);
      await seen.until(['a']);
      expect(await a.members()).toEqual(['a']);
      expect(termA.lost.aborted).toBe(false);
    } finally {
      controller.abort();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a member that stops heartbeating drops out after its lease TTL; a heartbeating one stays', async () => {
    const prefix = `/qm-members-${randomUUID()}/`;
    const live = membershipOn(prefix);
    const dying = membershipOn(prefix);
    const controller = new AbortController();
    try {
      const seen = watcher();
      await live.watch(seen.onChange, controller.signal);
      const liveTerm = await live.join('live');
      await dying.join('dying');
      await seen.until(['dying', 'live']);
      // As a killed process: no more heartbeats, and no leave.
      await dying.close();
      const stoppedAt = performance.now();
      await seen.until(['live'], TTL_MS + 3000);
      const goneAfterMs = performance.now() - stoppedAt;
      // etcd counts whole seconds and checks expiry about every 500 ms.
      expect(goneAfterMs).toBeGreaterThan(TTL_MS - HEARTBEAT_MS - 100);
      expect(goneAfterMs).toBeLessThan(TTL_MS + 2000);
      // The live member outlived several TTLs of heartbeats.
      expect(liveTerm.lost.aborted).toBe(false);
      expect(await live.members()).toEqual(['live']);
    } finally {
      controller.abort();
      await Promise.all([live.close(), dying.close()]);
    }
  });

  it('a watch whose connection was cut re-reads the set on reconnect', async () => {
    const prefix = `/qm-members-${randomUUID()}/`;
    const proxy = await FaultProxy.start('127.0.0.1', etcd.port);
    const watching = membershipOn(prefix, `http://${proxy.host}:${proxy.port}`);
    const joining = membershipOn(prefix);
    const controller = new AbortController();
    const troubles: unknown[] = [];
    try {
      const seen = watcher();
      await watching.watch(seen.onChange, controller.signal, (error) => troubles.push(error));
      await seen.until([]);
      proxy.refuse();
      proxy.cut();
      const term = await joining.join('while-cut');
      proxy.restore();
      await seen.until(['while-cut'], 30_000);
      expect(troubles.length).toBeGreaterThan(0);
      await term.leave();
      await seen.until([]);
    } finally {
      controller.abort();
      await Promise.all([watching.close(), joining.close()]);
      await proxy.close();
    }
  });

  it('a member whose heartbeats cannot reach etcd for a whole TTL loses its term', async () => {
    const prefix = `/qm-members-${randomUUID()}/`;
    const proxy = await FaultProxy.start('127.0.0.1', etcd.port);
    const cutOff = membershipOn(prefix, `http://${proxy.host}:${proxy.port}`);
    try {
      const term = await cutOff.join('cut-off');
      proxy.blackhole();
      proxy.cut();
      await new Promise<void>((resolve) => term.lost.addEventListener('abort', () => resolve(), { once: true }));
      expect(term.lost.reason).toBeInstanceOf(MembershipLostError);
      proxy.restore();
    } finally {
      await cutOff.close();
      await proxy.close();
    }
  });
});
