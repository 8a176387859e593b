/**
 * The chaos suite's faults: each one is real (a signal to a QuantMesh process, or a FaultProxy
 * mode in front of the database or the venue), chosen and sized by the seeded random, and returns
 * how to heal it. The list is closed and typed: a kind is `ready` (injected by the suite), or a
 * named slot that is not injected yet — `issue-15` for a lock-backend fault still to come,
 * `not-built` for faults that need a venue hook the sim venue does not have yet. The lock-backend
 * outages put the cluster into degraded single-instance mode and back (docs/locks.md); the
 * `database` scenario has no backend of its own to lose, so they skip it.
 */
import type { SeededRandom } from '../../src/exchange/sim/seeded-random.js';
import type { Cluster, ClusterNode } from '../app/cluster-fixture.js';

export const FAULT_KINDS = {
  'kill-restart': 'ready',
  'pause-past-lease': 'ready',
  'database-cut': 'ready',
  'database-stall': 'ready',
  'database-slow': 'ready',
  'venue-cut': 'ready',
  'venue-reply-lost': 'ready',
  /** Late and duplicated user-stream events: the sim venue has no hook to hold back or repeat a frame. */
  'stream-late-duplicate': 'not-built',
  /** Lock backend unreachable for every instance (its proxy refuses), data kept, for 20–40 s. */
  'lock-down': 'ready',
  /** Lock backend killed, and started again empty after 20–40 s (Redis without persistence, a fresh etcd). */
  'lock-down-empty': 'ready',
  /** Lock backend stalled (blackholed through its proxy): issue 15. */
  'lock-stall': 'issue-15',
} as const satisfies Record<string, 'ready' | 'not-built' | 'issue-15'>;

export type FaultKind = keyof typeof FAULT_KINDS;
export type ReadyFaultKind = { [K in FaultKind]: (typeof FAULT_KINDS)[K] extends 'ready' ? K : never }[FaultKind];
export const READY_FAULT_KINDS = (Object.keys(FAULT_KINDS) as FaultKind[]).filter(
  (kind): kind is ReadyFaultKind => FAULT_KINDS[kind] === 'ready',
);

/** One injected fault, for the report and the evidence. */
export interface InjectedFault {
  readonly kind: ReadyFaultKind;
  /** The node it hit, for process faults. */
  readonly node?: string | undefined;
  readonly startedAt: number;
  /** How long it lasted (ms), when it has a duration. */
  readonly durationMs?: number | undefined;
}

export interface ActiveFault {
  readonly fault: InjectedFault;
  /** Ends the fault (restarts, continues, restores) and resolves once it is healed. */
  heal(): Promise<void>;
}

export interface FaultContext {
  readonly cluster: Cluster;
  readonly random: SeededRandom;
  readonly leaseTtlMs: number;
  /** Nodes up and not hit by another fault now. */
  readonly availableNodes: () => ClusterNode[];
}

function between(random: SeededRandom, low: number, high: number): number {
  return Math.round(low + random.next() * (high - low));
}

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[Math.floor(random.next() * items.length)]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Injects `kind` at once and returns its healer, or undefined when no node can take it now. */
export async function injectFault(kind: ReadyFaultKind, context: FaultContext): Promise<ActiveFault | undefined> {
  const { cluster, random, leaseTtlMs } = context;
  const startedAt = Date.now();
  const timed = (
    durationMs: number,
    heal: () => void | Promise<void>,
    extra: Partial<InjectedFault> = {},
  ): ActiveFault => ({
    fault: { kind, startedAt, durationMs, ...extra },
    async heal() {
      await sleep(Math.max(0, startedAt + durationMs - Date.now()));
      await heal();
    },
  });
  switch (kind) {
    case 'kill-restart': {
      const nodes = context.availableNodes();
      if (nodes.length === 0) return undefined;
      const node = pick(random, nodes);
      await node.kill();
      return { fault: { kind, node: node.id, startedAt }, heal: () => node.start() };
    }
    case 'pause-past-lease': {
      const nodes = context.availableNodes();
      if (nodes.length === 0) return undefined;
      const node = pick(random, nodes);
      node.pause();
      return timed(leaseTtlMs + between(random, 500, 2500), () => node.resume(), { node: node.id });
    }
    case 'database-cut': {
      cluster.databaseProxy.refuse();
      cluster.databaseProxy.cut();
      return timed(between(random, 500, 3000), () => cluster.databaseProxy.restore());
    }
    case 'database-stall': {
      cluster.databaseProxy.blackhole();
      return timed(between(random, 1000, 4000), () => {
        // Stalled connections stay stuck; cutting them lets the pools reconnect.
        cluster.databaseProxy.cut();
        cluster.databaseProxy.restore();
      });
    }
    case 'database-slow': {
      cluster.databaseProxy.delay(between(random, 50, 400));
      return timed(between(random, 2000, 6000), () => cluster.databaseProxy.restore());
    }
    case 'venue-cut': {
      cluster.venueProxy.cut();
      return timed(0, () => undefined);
    }
    case 'lock-down': {
      const proxy = cluster.lockProxy;
      if (proxy === undefined) return undefined;
      proxy.refuse();
      proxy.cut();
      return timed(between(random, 20_000, 40_000), () => proxy.restore());
    }
    case 'lock-down-empty': {
      const server = cluster.lockServer;
      if (server === undefined) return undefined;
      await server.stop();
      return timed(between(random, 20_000, 40_000), () =>
        'startEmpty' in server ? server.startEmpty() : server.start(),
      );
    }
    case 'venue-reply-lost': {
      cluster.venueProxy.dropReplies();
      return timed(between(random, 500, 2000), () => {
        cluster.venueProxy.cut();
        cluster.venueProxy.restore();
      });
    }
  }
}
