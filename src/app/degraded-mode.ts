/**
 * Degraded single-instance mode (R10 "Redis 故障", the design's 场景 1; docs/locks.md "Degraded mode").
 * When the configured lock backend (Redis or etcd) stays unreachable for `graceMs` (a third of a lease
 * TTL), this instance stops acting on every symbol and says so (`degraded-standby`); the instances
 * then elect one survivor through the shared database, which trades every symbol it configures
 * (`degraded-leader`) on the database's lock until the backend has been healthy for `settleMs`
 * (a third of a lease TTL); then the configured layout comes back by itself, each symbol handed over
 * without cancelling anything.
 *
 * Why it is safe:
 * - The survivor holds the lease `degraded:leader` on the database's lock (a lease row with fencing,
 *   the `database` backend). Its symbol leases and order locks are then taken from the database's
 *   lock too, under the same prefix, so each key's fence is one sequence across both backends.
 * - A partition is not an outage: the survivor leads only once the instance registry shows every
 *   other instance `degraded-standby` (it stopped acting itself), stopped, or silent for one lease
 *   TTL. An instance that alone lost the backend finds the others still active and leads nothing.
 * - An instance leaves `degraded-standby` only while it holds the leader lease itself, and it
 *   publishes its new mode before letting go of it, so a survivor never reads a stale standby.
 * - An instance whose configuration lacks a symbol another instance lists waits one more lease TTL
 *   before it stands, so the survivor is one that can trade every symbol whenever one exists.
 */
import type { Logger } from 'pino';
import { sleep } from '../coordination/lock/backoff.js';
import type { LockHandle } from '../coordination/lock/distributed-lock.js';
import { monotonicNow } from '../coordination/lock/lease-clock.js';
import type { RoutedLock } from '../coordination/lock/routed-lock.js';
import type { AlertKind } from '../observability/alert-kinds.js';
import type { AlertNotifier } from '../observability/alert-notifier.js';
import type { InstanceSnapshot } from '../server/cluster-view.js';
import type { Database } from '../storage/database.js';
import type { InstanceRecord } from '../storage/records.js';
import type { InstanceOwnership } from './instance-ownership.js';

/** The survivor's lease on the database's lock. */
export const DEGRADED_LEADER_KEY = 'degraded:leader';

export type DegradedRole = 'degraded-standby' | 'degraded-leader';

export interface DegradedModeOptions {
  readonly lock: RoutedLock;
  readonly ownership: Pick<InstanceOwnership, 'suspend' | 'resume'>;
  readonly registry: Pick<Database, 'getInstances'>;
  readonly instanceId: string;
  /** `coordination.lease_ttl`. */
  readonly ttlMs: number;
  /** `exchange:symbol` of every symbol this instance configures. */
  readonly symbols: readonly string[];
  readonly alerts: AlertNotifier;
  readonly logger: Logger;
  /** Writes this instance's snapshot into the registry now; false when it could not. */
  readonly publish: () => Promise<boolean>;
}

export class DegradedMode {
  readonly #options: DegradedModeOptions;
  readonly #stopped = new AbortController();
  #role: DegradedRole | undefined;
  #leader: LockHandle | undefined;
  #unreachableSince: number | undefined;
  #healthySince: number | undefined;
  #standbySince = 0;
  /** Failed pings in a row: one is not an outage. */
  #failedProbes = 0;
  /** The probe loop, once started. */
  #loopDone: Promise<void> = Promise.resolve();
  /** Mode changes run one at a time, in order (the loop's steps and a lost survivor lease). */
  #changes: Promise<void> = Promise.resolve();

  constructor(options: DegradedModeOptions) {
    this.#options = options;
  }

  /** A third of a lease TTL of an unreachable backend begins degraded mode. */
  get graceMs(): number {
    return Math.floor(this.#options.ttlMs / 3);
  }

  /** A third of a lease TTL of a healthy backend ends it. */
  get settleMs(): number {
    return Math.floor(this.#options.ttlMs / 3);
  }

  /** How often the backend is pinged (each ping is bounded by it too), and the election retried. */
  get probeMs(): number {
    return Math.max(100, Math.floor(this.#options.ttlMs / 10));
  }

  /** The role while degraded; undefined in the configured layout. */
  get role(): DegradedRole | undefined {
    return this.#role;
  }

  /**
   * Call before the campaigns start: an instance started while a survivor leads joins as
   * `degraded-standby` instead of campaigning beside it. Then probes until `stop`.
   */
  async start(): Promise<void> {
    if (await this.#leaderHeldElsewhere()) await this.#enterStandby('a degraded survivor leads the cluster');
    this.#loopDone = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped.abort(new Error('degraded mode stopped'));
    await this.#loopDone;
    await this.#changes;
    await this.#leader?.unlock().catch(() => undefined);
  }

  async #loop(): Promise<void> {
    const stop = this.#stopped.signal;
    while (!stop.aborted) {
      try {
        const healthy = await this.#probe();
        await this.#serialised(() => this.#step(healthy));
      } catch (error) {
        this.#options.logger.warn({ err: error }, 'degraded mode: check failed; checking again');
      }
      await sleep(this.probeMs, stop).catch(() => undefined);
    }
  }

  async #probe(): Promise<boolean> {
    const now = monotonicNow();
    try {
      // Bounded by the grace: a backend slower than that is as good as down; a shorter bound would flap under load.
      await this.#options.lock.configured.ping(
        AbortSignal.any([AbortSignal.timeout(this.graceMs), this.#stopped.signal]),
      );
      this.#unreachableSince = undefined;
      this.#failedProbes = 0;
      this.#healthySince ??= now;
      return true;
    } catch {
      this.#healthySince = undefined;
      this.#unreachableSince ??= now;
      this.#failedProbes += 1;
      return false;
    }
  }

  async #step(healthy: boolean): Promise<void> {
    const now = monotonicNow();
    if (this.#role === undefined) {
      if (!healthy && this.#failedProbes >= 2 && now - this.#unreachableSince! >= this.graceMs) {
        this.#alert('lock-backend-lost', `the lock backend (${this.#options.lock.configured.backend}) is unreachable`);
        await this.#enterStandby('the lock backend is unreachable');
        await this.#stand(monotonicNow());
      }
      return;
    }
    const settled = healthy && now - this.#healthySince! >= this.settleMs;
    if (this.#stopped.signal.aborted) return;
    if (this.#role === 'degraded-leader') {
      if (this.#leader?.signal.aborted !== false) return this.#stepDown('the survivor lease was lost');
      if (settled) return this.#leave();
      await this.#leader.extend(this.#options.ttlMs).catch(() => this.#stepDown('the survivor lease was not renewed'));
      return;
    }
    if (settled) return this.#rejoin();
    if (!healthy) await this.#stand(now);
  }

  /** Stops acting on every symbol (runners released, nothing cancelled), then says so. */
  async #enterStandby(why: string): Promise<void> {
    this.#options.logger.warn({ why }, 'degraded mode: this instance stops acting on every symbol (degraded-standby)');
    await this.#options.ownership.suspend();
    this.#options.lock.routeTo('configured');
    this.#role = 'degraded-standby';
    this.#standbySince = monotonicNow();
    await this.#options.publish();
  }

  /** Tries to become the survivor: the leader lease, then the registry's proof that nobody else acts. */
  async #stand(now: number): Promise<void> {
    const { lock, ttlMs, instanceId, logger } = this.#options;
    const records = await this.#options.registry.getInstances();
    const others = records.filter((record) => record.instanceId !== instanceId);
    const missing = missingSymbols(others, this.#options.symbols);
    if (missing.length > 0 && now - this.#standbySince < ttlMs) return;
    const handle = await lock.database.tryLock(DEGRADED_LEADER_KEY, ttlMs).catch(() => undefined);
    if (handle === undefined) return;
    // Read again under the lease: an instance rejoins the layout only while holding it.
    const acting = stillActing(await this.#options.registry.getInstances(), instanceId, ttlMs, Date.now());
    if (acting.length > 0 || handle.signal.aborted) {
      logger.info(
        { acting },
        'degraded mode: other instances still act; this one leads nothing (a partition, not an outage)',
      );
      await handle.unlock().catch(() => undefined);
      return;
    }
    this.#leader = handle;
    lock.routeTo('database');
    this.#role = 'degraded-leader';
    this.#options.ownership.resume('degraded-leader');
    handle.signal.addEventListener(
      'abort',
      () => void this.#serialised(() => this.#stepDown('the survivor lease ended')),
      {
        once: true,
      },
    );
    if (missing.length > 0)
      logger.warn({ missing }, 'degraded mode: no instance configures every symbol; these stay untraded');
    this.#alert(
      'degraded-mode-entered',
      `${instanceId} is the degraded survivor and trades every symbol it configures`,
    );
    await this.#options.publish();
  }

  /** The survivor lease ended while leading: stop acting at once and stand again. */
  async #stepDown(why: string): Promise<void> {
    if (this.#role !== 'degraded-leader') return;
    this.#leader = undefined;
    await this.#enterStandby(why);
  }

  /** The backend is back: hand every symbol over (nothing cancelled), then let the layout return. */
  async #leave(): Promise<void> {
    const leader = this.#leader!;
    this.#leader = undefined;
    this.#role = 'degraded-standby';
    await this.#options.ownership.suspend();
    this.#options.lock.routeTo('configured');
    await this.#resumeLayout(leader);
  }

  /** A standby whose backend has settled rejoins the layout once no survivor leads. */
  async #rejoin(): Promise<void> {
    const handle = await this.#options.lock.database
      .tryLock(DEGRADED_LEADER_KEY, this.#options.ttlMs)
      .catch(() => undefined);
    if (handle !== undefined) await this.#resumeLayout(handle);
  }

  /** Under the leader lease: campaign in the configured layout, publish it, then let the lease go. */
  async #resumeLayout(leader: LockHandle): Promise<void> {
    this.#options.ownership.resume('configured');
    this.#role = undefined;
    if (!(await this.#options.publish())) {
      // Unpublished, a survivor could read this instance as a standby: stay one.
      await this.#enterStandby('the instance registry could not be written');
    } else {
      this.#alert('degraded-mode-left', `${this.#options.instanceId} is back in the configured layout`);
    }
    await leader.unlock().catch(() => undefined);
  }

  async #leaderHeldElsewhere(): Promise<boolean> {
    const handle = await this.#options.lock.database
      .tryLock(DEGRADED_LEADER_KEY, this.#options.ttlMs)
      .catch(() => undefined);
    if (handle === undefined)
      return (await this.#options.registry.getInstances().catch(() => [])).some(
        (record) => (record.snapshot as unknown as InstanceSnapshot).mode === 'degraded-leader',
      );
    await handle.unlock().catch(() => undefined);
    return false;
  }

  #serialised(change: () => Promise<void>): Promise<void> {
    const next = this.#changes.then(change);
    this.#changes = next.catch(() => undefined);
    return next;
  }

  #alert(kind: AlertKind, message: string): void {
    this.#options.alerts.notify({
      kind,
      instanceId: this.#options.instanceId,
      time: new Date().toISOString(),
      message,
    });
  }
}

/**
 * Other instances that may still act on a symbol: neither stopped, nor `degraded-standby`, nor
 * silent for one lease TTL (heartbeat times are the writers' wall clocks, compared with `now`).
 */
function stillActing(records: readonly InstanceRecord[], instanceId: string, ttlMs: number, now: number): string[] {
  return records
    .filter((record) => record.instanceId !== instanceId)
    .filter((record) => {
      const snapshot = record.snapshot as unknown as InstanceSnapshot;
      return !snapshot.stopped && snapshot.mode !== 'degraded-standby' && now - record.heartbeatAt <= ttlMs;
    })
    .map((record) => record.instanceId);
}

/** Symbols other instances report that this instance does not configure. */
function missingSymbols(others: readonly InstanceRecord[], mine: readonly string[]): string[] {
  const configured = new Set(mine);
  const reported = others.flatMap((record) =>
    ((record.snapshot as unknown as InstanceSnapshot).symbols ?? []).map(
      (status) => `${status.exchange}:${status.symbol}`,
    ),
  );
  return [...new Set(reported)].filter((symbol) => !configured.has(symbol));
}
