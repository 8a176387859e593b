/**
 * One etcd lease per EtcdLock, kept alive at a third of its TTL (like clientv3/concurrency's Session).
 * Every lock taken through the session is attached to its lease, so:
 * - the session's local deadline (keepalive SENT + TTL - drift, lease-clock.ts) is every handle's
 *   deadline, and each successful keepalive moves them all;
 * - when a keepalive finds the lease gone (etcd forgot it, e.g. restarted after it expired) or the
 *   deadline passes without a renewal (etcd unreachable, process paused), the session ends: every
 *   handle is signalled as lost, the lease is revoked best effort (so its keys go at once if etcd still
 *   has them) and EtcdLock opens a fresh session for later acquisitions;
 * - a release etcd did not confirm also ends the session (etcd-lock.ts): the undeleted key would
 *   otherwise live as long as our keepalives do.
 */
import type { Etcd3, Lease } from 'etcd3';
import type { LeasedLockHandle } from '../leased-lock-handle.js';
import { HeldLocks } from '../held-locks.js';
import { leaseEnd, monotonicNow } from '../lease-clock.js';

export class EtcdSession {
  readonly #lease: Lease;
  readonly #ttlMs: number;
  readonly #callTimeoutMs: number;
  readonly #held = new HeldLocks();
  readonly #keepaliveTimer: NodeJS.Timeout;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #validUntil: number;
  #ended = false;

  private constructor(
    readonly id: string,
    lease: Lease,
    ttlMs: number,
    sentAt: number,
    callTimeoutMs: number,
  ) {
    this.#lease = lease;
    this.#ttlMs = ttlMs;
    this.#callTimeoutMs = callTimeoutMs;
    this.#validUntil = leaseEnd(sentAt, ttlMs);
    this.#armDeadline();
    this.#keepaliveTimer = setInterval(() => void this.keepalive().catch(() => undefined), ttlMs / 3);
    this.#keepaliveTimer.unref();
  }

  /** Grants the lease; rejects when etcd cannot be reached. */
  static async open(client: Etcd3, ttlSeconds: number, callTimeoutMs: number): Promise<EtcdSession> {
    const sentAt = monotonicNow();
    const lease = client.lease(ttlSeconds, { autoKeepAlive: false, deadline: Date.now() + callTimeoutMs });
    const id = await lease.grant();
    return new EtcdSession(id, lease, ttlSeconds * 1000, sentAt, callTimeoutMs);
  }

  /** True until the session ended or its lease may have run out. */
  get alive(): boolean {
    if (!this.#ended && monotonicNow() >= this.#validUntil)
      this.end('session lease may have expired (no keepalive within its TTL)');
    return !this.#ended;
  }

  get validUntil(): number {
    return this.#validUntil;
  }

  /** Ties a handle's life to the session: it is prolonged by keepalives and lost with the session. */
  adopt(handle: LeasedLockHandle): void {
    if (!this.alive) {
      handle.lose('etcd session ended');
      return;
    }
    this.#held.add(handle);
  }

  /** Called from the handle's `onEnd`: an ended handle is no longer prolonged or signalled. */
  forget(handle: LeasedLockHandle): void {
    this.#held.forget(handle);
  }

  /** Renews the lease now; ends the session when etcd says the lease is gone. */
  async keepalive(): Promise<void> {
    if (!this.alive) throw new Error('etcd session ended');
    const sentAt = monotonicNow();
    let ttlSeconds: number;
    try {
      const response = await this.#lease.keepaliveOnce({ deadline: Date.now() + this.#callTimeoutMs });
      ttlSeconds = Number(response.TTL);
    } catch (error) {
      // A lease etcd no longer knows is final; other failures are retried until the deadline.
      if ((error as Error).name === 'EtcdLeaseInvalidError') this.end('etcd lease is gone', error);
      throw error;
    }
    if (!this.alive) return;
    this.#validUntil = leaseEnd(sentAt, Math.min(ttlSeconds * 1000, this.#ttlMs));
    this.#armDeadline();
    this.#held.prolongAll(this.#validUntil);
  }

  /** Ends the session: signals every handle and revokes the lease (best effort). Idempotent. */
  end(reason: string, cause?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#keepaliveTimer);
    clearTimeout(this.#deadlineTimer);
    this.#held.loseAll(reason, cause);
    void this.#lease.revoke({ deadline: Date.now() + this.#callTimeoutMs }).catch(() => undefined);
  }

  #armDeadline(): void {
    clearTimeout(this.#deadlineTimer);
    // Timers may fire a little early: check, and wait again for the rest if the deadline is ahead.
    this.#deadlineTimer = setTimeout(
      () => {
        if (this.alive) this.#armDeadline();
      },
      Math.max(0, Math.ceil(this.#validUntil - monotonicNow())),
    );
    this.#deadlineTimer.unref();
  }
}
