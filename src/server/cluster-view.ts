/**
 * The cluster as every instance answers it (R12): built from the instance registry in the shared
 * database, never from this instance's memory, so any instance behind nginx gives the same view.
 * A symbol's owner is the instance that reported holding its lease in a heartbeat still within one
 * lease TTL; an instance without a heartbeat for one lease TTL is `missing` (it crashed, or its
 * database writes fail), and its claims are ignored.
 */
import type { SymbolStatus } from '../engine/symbol-summary.js';
import type { HealthReport } from '../observability/health.js';
import type { InstanceRecord } from '../storage/records.js';
import type { InstanceMode } from './instance-status.js';

/** What an instance writes into the registry at each heartbeat. */
export interface InstanceSnapshot {
  readonly url?: string | undefined;
  readonly version: string;
  readonly mode: InstanceMode;
  readonly startedAt: string;
  readonly stopped: boolean;
  readonly allocation: 'static' | 'dynamic';
  readonly leaseTtlMs: number;
  readonly health: HealthReport;
  readonly symbols: readonly (SymbolStatus & { readonly ownedSince?: number | undefined })[];
}

export interface ClusterInstance {
  readonly instanceId: string;
  readonly url?: string | undefined;
  readonly version: string;
  readonly mode: InstanceMode;
  readonly state: 'running' | 'stopped' | 'missing';
  readonly startedAt: string;
  readonly heartbeatAt: number;
  readonly allocation: string;
  readonly health: HealthReport;
  /** `exchange:symbol` of every symbol it owns. */
  readonly owned: readonly string[];
}

export type ClusterSymbol = SymbolStatus & {
  readonly ownedSince?: number | undefined;
  readonly owner: string | null;
  readonly leaseExpiresBy?: number | undefined;
};

export interface ClusterView {
  readonly generatedAt: number;
  readonly instances: readonly ClusterInstance[];
  /** Every symbol any instance configures: as its owner reports it, or as the freshest instance that has it does. */
  readonly symbols: readonly ClusterSymbol[];
  /**
   * Degraded single-instance mode (the lock backend is lost): the survivor trading every symbol
   * (null while none is elected) and the running instances acting on nothing; null when no running
   * instance reports a degraded mode.
   */
  readonly degraded: { readonly survivor: string | null; readonly standbys: readonly string[] } | null;
}

export function clusterView(records: readonly InstanceRecord[], now: number): ClusterView {
  const reports = records.map((record) => ({ record, snapshot: record.snapshot as unknown as InstanceSnapshot }));
  const live = (entry: (typeof reports)[number]) =>
    !entry.snapshot.stopped && now - entry.record.heartbeatAt <= entry.snapshot.leaseTtlMs;
  const symbols = new Map<string, ClusterSymbol>();
  // Freshest first: a symbol nobody owns is shown as the latest reporter saw it.
  for (const entry of [...reports].sort((a, b) => b.record.heartbeatAt - a.record.heartbeatAt)) {
    for (const status of entry.snapshot.symbols) {
      const key = `${status.exchange}:${status.symbol}`;
      const owns = status.ownership === 'owned' && live(entry);
      if (owns)
        symbols.set(key, {
          ...status,
          owner: entry.record.instanceId,
          leaseExpiresBy: entry.record.heartbeatAt + entry.snapshot.leaseTtlMs,
        });
      else if (!symbols.has(key))
        symbols.set(key, { ...status, ownership: 'waiting', ownedSince: undefined, owner: null });
    }
  }
  const instances = reports.map(({ record, snapshot }): ClusterInstance => {
    const state = snapshot.stopped ? 'stopped' : live({ record, snapshot }) ? 'running' : 'missing';
    return {
      instanceId: record.instanceId,
      url: snapshot.url,
      version: snapshot.version,
      mode: snapshot.mode,
      state,
      startedAt: snapshot.startedAt,
      heartbeatAt: record.heartbeatAt,
      allocation: snapshot.allocation,
      health: snapshot.health,
      owned: [...symbols.values()]
        .filter((symbol) => symbol.owner === record.instanceId)
        .map((symbol) => `${symbol.exchange}:${symbol.symbol}`),
    };
  });
  const running = instances.filter((instance) => instance.state === 'running');
  const survivor = running.find((instance) => instance.mode === 'degraded-leader')?.instanceId ?? null;
  const standbys = running.filter((instance) => instance.mode === 'degraded-standby').map((i) => i.instanceId);
  return {
    generatedAt: now,
    instances,
    degraded: survivor === null && standbys.length === 0 ? null : { survivor, standbys },
    symbols: [...symbols.values()].sort((a, b) =>
      `${a.exchange}:${a.symbol}`.localeCompare(`${b.exchange}:${b.symbol}`),
    ),
  };
}
