/**
 * One chaos run against one cluster: three QuantMesh processes (two active + one `--standby` under
 * static allocation, or three under dynamic allocation) on one lock backend, seeded-random faults
 * one at a time or two overlapping, then a clean stop of every instance and the audit
 * (chaos-audit.ts). Between faults the run waits until every symbol trades again; a fault after
 * which the cluster does not recover within RECOVERY_MS is reported (`unrecovered`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dec } from '../../src/domain/decimal.js';
import { SeededRandom } from '../../src/exchange/sim/seeded-random.js';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import {
  type Cluster,
  type ClusterNode,
  type ClusterOptions,
  type LockBackend,
  startCluster,
} from '../app/cluster-fixture.js';
import type { TeardownSteps } from '../harness/teardown.js';
import { until } from '../harness/until.js';
import { type AuditReport, auditCluster, violationCount } from './chaos-audit.js';
import { type ActiveFault, type InjectedFault, type ReadyFaultKind, injectFault } from './chaos-faults.js';

export type ChaosScenarioName = 'redis' | 'etcd' | 'database' | 'etcd-dynamic';

export const CHAOS_SCENARIOS: Readonly<
  Record<ChaosScenarioName, { lock: LockBackend; allocation: 'static' | 'dynamic' }>
> = {
  redis: { lock: 'redis', allocation: 'static' },
  etcd: { lock: 'etcd', allocation: 'static' },
  database: { lock: 'database', allocation: 'static' },
  'etcd-dynamic': { lock: 'etcd', allocation: 'dynamic' },
};

export interface ChaosRunOptions {
  readonly seed: number;
  /** Stop injecting after this many faults or this long, whichever comes first. */
  readonly maxFaults: number;
  readonly maxMinutes: number;
  readonly kinds: readonly ReadyFaultKind[];
  /** Chance that a second fault starts while the first is still on. */
  readonly overlapChance: number;
  /** Partial fills at the venue throughout (at most this base quantity per order and tick). */
  readonly partialFills?: string | undefined;
  readonly log?: ((line: string) => void) | undefined;
}

export interface ChaosResult {
  readonly scenario: ChaosScenarioName;
  readonly seed: number;
  readonly faults: readonly InjectedFault[];
  readonly audit: AuditReport;
  /** From a process fault on an owner until an instance ran each of its symbols under a term won after it. */
  readonly failoverMs: readonly { readonly kind: string; readonly ms: number }[];
  readonly unrecovered: readonly string[];
  readonly ordersPerMinute: number;
  /** Instances whose final stop timed out (the cluster then started once more before the audit). */
  readonly stopsTimedOut: number;
}

const LEASE_TTL_MS = 3000;
/** Every symbol trading again after a fault healed; past it the fault counts as unrecovered. */
const RECOVERY_MS = 90_000;
const STATIC_SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const DYNAMIC_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const PRICE_INTERVAL: Record<string, string> = { BTCUSDT: '50', ETHUSDT: '3', SOLUSDT: '0.2' };

export function chaosClusterOptions(
  scenario: ChaosScenarioName,
  options: Pick<ChaosRunOptions, 'seed' | 'partialFills'>,
): ClusterOptions {
  const { lock, allocation } = CHAOS_SCENARIOS[scenario];
  const symbols = allocation === 'dynamic' ? DYNAMIC_SYMBOLS : STATIC_SYMBOLS;
  return {
    name: `chaos-${scenario}`,
    lock,
    allocation,
    leaseTtlMs: LEASE_TTL_MS,
    seed: options.seed,
    symbols: simSymbolsNamed(symbols).map((symbol) => ({ ...symbol, volatility: 3 })),
    grid: (symbol) =>
      `price_interval: "${PRICE_INTERVAL[symbol]}", order_quantity: "130", buy_window_size: 4, sell_window_size: 4, reconcile_interval: 2s`,
    nodes:
      allocation === 'dynamic'
        ? [{ id: 'chaos-a' }, { id: 'chaos-b' }, { id: 'chaos-c' }]
        : [
            { id: 'chaos-a', symbols: ['BTCUSDT'] },
            { id: 'chaos-b', symbols: ['ETHUSDT'] },
            { id: 'chaos-c', standby: true },
          ],
    venue: options.partialFills === undefined ? undefined : { liquidityPerTick: dec(options.partialFills) },
  };
}

export async function runChaosScenario(
  scenario: ChaosScenarioName,
  options: ChaosRunOptions,
  teardown: TeardownSteps,
): Promise<ChaosResult> {
  const log = options.log ?? (() => undefined);
  const clusterOptions = chaosClusterOptions(scenario, options);
  const symbols = clusterOptions.symbols.map((symbol) => symbol.symbol);
  const cluster = await startCluster(clusterOptions, teardown);
  await startNodes(cluster);
  await everySymbolTrading(cluster, symbols, RECOVERY_MS);
  log(`chaos ${scenario}: cluster trading ${symbols.join(', ')}`);

  const random = new SeededRandom(options.seed);
  const busy = new Set<string>();
  const restarting = new Set<Promise<void>>();
  const faults: InjectedFault[] = [];
  const failoverMs: { kind: string; ms: number }[] = [];
  const unrecovered: string[] = [];
  const context = {
    cluster,
    random,
    leaseTtlMs: LEASE_TTL_MS,
    availableNodes: () => cluster.nodes.filter((node) => !busy.has(node.id)),
  };
  const deadline = performance.now() + options.maxMinutes * 60_000;
  const acceptedBefore = cluster.record.acceptedIds.length;
  const phaseStarted = performance.now();

  const inject = async (): Promise<{ active: ActiveFault; failover: Promise<void> } | undefined> => {
    const kind = options.kinds[Math.floor(random.next() * options.kinds.length)]!;
    const owners = await ownersNow(cluster);
    const active = await injectFault(kind, context);
    if (active === undefined) return undefined;
    faults.push(active.fault);
    const victim = active.fault.node;
    if (victim !== undefined) busy.add(victim);
    log(`chaos ${scenario}: fault ${faults.length} ${kind}${victim === undefined ? '' : ` on ${victim}`}`);
    const lost =
      victim === undefined ? [] : [...owners].filter(([, owner]) => owner === victim).map(([symbol]) => symbol);
    const failover = Promise.all(
      lost.map(async (symbol) => {
        const started = active.fault.startedAt;
        // Traded again under a term won after the fault: by another node, or (dynamic allocation
        // gives a rejoining member its share back) by the victim once its fault healed.
        const askable = () => cluster.nodes.filter((node) => node.id !== victim || !busy.has(node.id));
        await until(
          async () => (await Promise.all(askable().map((node) => runningHere(node, symbol, started)))).some(Boolean),
          `${symbol} taken over`,
          LEASE_TTL_MS + RECOVERY_MS,
        ).then(
          () => {
            failoverMs.push({ kind, ms: Date.now() - started });
          },
          () => undefined,
        );
      }),
    ).then(() => undefined);
    return { active, failover };
  };

  while (faults.length < options.maxFaults && performance.now() < deadline) {
    const first = await inject();
    if (first === undefined) continue;
    const second =
      faults.length < options.maxFaults && random.next() < options.overlapChance ? await inject() : undefined;
    for (const injected of [first, second]) {
      if (injected === undefined) continue;
      const healing = injected.active.heal().finally(() => {
        if (injected.active.fault.node !== undefined) busy.delete(injected.active.fault.node);
      });
      restarting.add(healing);
      void healing.finally(() => restarting.delete(healing)).catch(() => undefined);
    }
    await Promise.all([first.failover, second?.failover, ...restarting]);
    const healedAt = Date.now();
    await everySymbolTrading(cluster, symbols, RECOVERY_MS).catch(() => {
      unrecovered.push(
        `after fault ${faults.length} (${faults
          .slice(-2)
          .map((fault) => fault.kind)
          .join(
            ' + ',
          )}), healed ${new Date(healedAt).toISOString()}: not every symbol trading within ${RECOVERY_MS} ms`,
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 500 + Math.floor(random.next() * 1500)));
  }
  const minutes = (performance.now() - phaseStarted) / 60_000;
  const ordersPerMinute = (cluster.record.acceptedIds.length - acceptedBefore) / Math.max(minutes, 1 / 60);

  // A lock fault's last heal returns once the degraded survivor trades everything; the layout comes
  // back after the settling period, through handovers. A stop inside one finds no owner to cancel.
  await layoutRestored(cluster, symbols, RECOVERY_MS).catch(() => {
    unrecovered.push(
      `before the final stop: the configured layout (no instance degraded, every symbol trading) not back within ${RECOVERY_MS} ms`,
    );
  });
  await stopAll(cluster.nodes);
  // A stop that timed out (its cancels behind a venue fault's backlog) leaves orders resting, and
  // they keep filling with nobody running; the promise is "the next start reconciles what is left"
  // (docs/engine.md), so the cluster starts once more, fault-free, and stops again for the audit.
  const stopsTimedOut = cluster.nodes.filter((node) => node.output().includes('stop timed out')).length;
  const leftWorking = workingAtVenue(cluster);
  if (stopsTimedOut > 0 || leftWorking > 0) {
    log(
      `chaos ${scenario}: ${stopsTimedOut} stop(s) timed out, ${leftWorking} order(s) left working; starting the cluster once more to reconcile`,
    );
    await startNodes(cluster);
    await everySymbolTrading(cluster, symbols, RECOVERY_MS);
    await stopAll(cluster.nodes);
  }
  // QM_CHAOS_LOG_DIR keeps every instance's output, to read the evidence lines against.
  const logDir = process.env['QM_CHAOS_LOG_DIR'];
  if (logDir !== undefined && logDir !== '') {
    await mkdir(logDir, { recursive: true });
    for (const node of cluster.nodes) await writeFile(join(logDir, `${scenario}-${node.id}.log`), node.output());
  }
  const audit = await auditCluster(cluster, symbols);
  return { scenario, seed: options.seed, faults, audit, failoverMs, unrecovered, ordersPerMinute, stopsTimedOut };
}

/** `chaos redis: N faults, 0 duplicate ids, …`: the run's one summary line. */
export function summaryLine(result: ChaosResult): string {
  const { audit } = result;
  const byKind = new Map<string, number>();
  for (const fault of result.faults) byKind.set(fault.kind, (byKind.get(fault.kind) ?? 0) + 1);
  const seconds = (ms: number | undefined) => (ms === undefined ? '-' : (ms / 1000).toFixed(1));
  const spread = (samples: readonly { ms: number }[]) => {
    const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
    return `${seconds(sorted[Math.floor((sorted.length - 1) / 2)])}/${seconds(sorted.at(-1))} s (${sorted.length})`;
  };
  const kinds = [...new Set(result.failoverMs.map((sample) => sample.kind))].sort();
  const perKind = kinds.map((kind) => `${kind} ${spread(result.failoverMs.filter((sample) => sample.kind === kind))}`);
  const failover = `failover p50/max ${spread(result.failoverMs)}${perKind.length > 0 ? ` [${perKind.join('; ')}]` : ''}`;
  return (
    `chaos ${result.scenario}: ${result.faults.length} faults (${[...byKind].map(([kind, count]) => `${kind} ${count}`).join(', ')}), ` +
    `${audit.duplicateIds.length} duplicate ids, ${audit.overlaps.length} overlaps, ${audit.slotImbalances.length} slot imbalances, ` +
    `${audit.fillMismatches.length} fill mismatches, ${audit.positionMismatches.length} position mismatches, ${result.unrecovered.length} unrecovered, ` +
    `${failover}, ${Math.round(result.ordersPerMinute)} orders/min, ${audit.acceptedOrders} orders, ${audit.venueFills} fills, ` +
    `${result.stopsTimedOut} stops timed out, seed ${result.seed}`
  );
}

export function resultViolations(result: ChaosResult): number {
  return violationCount(result.audit) + result.unrecovered.length;
}

/** Whether `node` trades `symbol` under a term it won at or after `since` (wall clock). */
async function runningHere(node: ClusterNode, symbol: string, since: number): Promise<boolean> {
  const status = await node.status().catch(() => undefined);
  return (
    status?.symbols.some(
      (entry) =>
        entry.symbol === symbol &&
        entry.ownership === 'owned' &&
        entry.state === 'running' &&
        (entry.ownedSince ?? 0) >= since,
    ) ?? false
  );
}

async function ownersNow(cluster: Cluster): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (const node of cluster.nodes) {
    for (const symbol of await node.owned().catch(() => [])) owners.set(symbol, node.id);
  }
  return owners;
}

async function everySymbolTrading(cluster: Cluster, symbols: readonly string[], timeoutMs: number): Promise<void> {
  await until(
    async () => {
      const trading = new Set((await Promise.all(cluster.nodes.map((node) => node.trading().catch(() => [])))).flat());
      return symbols.every((symbol) => trading.has(symbol));
    },
    `every symbol trading (${symbols.join(', ')})`,
    timeoutMs,
  );
}

/** The first start migrates the fresh database; the others then start together. */
async function startNodes(cluster: Cluster): Promise<void> {
  await cluster.nodes[0]!.start();
  await Promise.all(cluster.nodes.slice(1).map((node) => node.start()));
}

/** Every symbol trading and no instance in degraded mode: the configured layout is back. */
async function layoutRestored(cluster: Cluster, symbols: readonly string[], timeoutMs: number): Promise<void> {
  await until(
    async () => {
      const modes = await Promise.all(cluster.nodes.map((node) => node.status().then((status) => status.mode)));
      return modes.every((mode) => !mode.startsWith('degraded'));
    },
    'every instance out of degraded mode',
    timeoutMs,
  );
  await everySymbolTrading(cluster, symbols, timeoutMs);
}

/** Orders the venue still holds open (after the final stop: left to nobody). */
function workingAtVenue(cluster: Cluster): number {
  return [...cluster.record.orders.values()].filter((order) => order.closedAt === undefined).length;
}

/** SIGINT to every instance (cancel_on_exit, spool flushed); one that does not exit in time is killed. */
async function stopAll(nodes: readonly ClusterNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      node.resume();
      const exited = node.stop();
      const bounded = await Promise.race([
        exited,
        new Promise((resolve) => setTimeout(() => resolve('timeout'), 90_000)),
      ]);
      if (bounded === 'timeout') await node.kill();
    }),
  );
}
