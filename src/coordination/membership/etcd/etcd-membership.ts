/**
 * EtcdMembership (R6): each member is the key `<prefix><instanceId>` attached to its own etcd lease
 * (TTL = `coordination.lease_ttl`, rounded up to whole seconds as etcd counts them), kept alive by a
 * keepalive every `coordination.heartbeat_interval`. etcd deletes the key when the lease runs out,
 * so a killed instance leaves the set one TTL after its last heartbeat, with nobody's help.
 *
 * Invariants:
 * - A term's `lost` aborts as soon as etcd says the lease is gone, or when no keepalive succeeded for
 *   a whole TTL on the local monotonic clock (etcd may have expired it meanwhile): the instance then
 *   stops counting itself a member before the others can have stopped counting it.
 * - `watch` re-reads the whole set on every change and on every reconnect: the set it delivers is
 *   always one etcd actually held, and a change made while disconnected is not missed; an etcd that
 *   came back with fewer revisions (restarted empty) gets a fresh watch, not a resumed one.
 */
import type { Etcd3, Lease, Watcher } from 'etcd3';
import { abortable } from '../../lock/abortable.js';
import { sleep } from '../../lock/backoff.js';
import { monotonicNow } from '../../lock/lease-clock.js';
import { DEFAULT_ETCD_CALL_TIMEOUT_MS, type EtcdConnectionOptions, createEtcdClient } from '../../etcd/etcd-client.js';
import { type EtcdHeader, EtcdStoreHistory } from '../../etcd/store-history.js';
import { MembershipLostError, MembershipUnavailableError } from '../errors.js';
import type { Membership, MembershipTerm } from '../membership.js';

export interface EtcdMembershipOptions extends EtcdConnectionOptions {
  /** The members' directory, ending in `/` (e.g. `/quantmesh/members/`). */
  readonly prefix: string;
  /** Lease TTL (`coordination.lease_ttl`), ms; etcd grants whole seconds, so it is rounded up. */
  readonly ttlMs: number;
  /** Keepalive period (`coordination.heartbeat_interval`), ms; shorter than the TTL. */
  readonly heartbeatMs: number;
}

export class EtcdMembership implements Membership {
  readonly backend = 'etcd';
  readonly #options: EtcdMembershipOptions;
  readonly #client: Etcd3;
  readonly #callTimeoutMs: number;
  readonly #closed = new AbortController();

  constructor(options: EtcdMembershipOptions) {
    if (options.heartbeatMs >= options.ttlMs)
      throw new RangeError(
        `heartbeat ${options.heartbeatMs} ms must be shorter than the lease TTL ${options.ttlMs} ms`,
      );
    this.#options = options;
    this.#callTimeoutMs = options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS;
    this.#client = createEtcdClient(options);
  }

  async join(instanceId: string, signal?: AbortSignal): Promise<MembershipTerm> {
    const lease = this.#client.lease(Math.ceil(this.#options.ttlMs / 1000), { autoKeepAlive: false });
    lease.on('lost', () => undefined); // reported through the term's signal, never as an unhandled event
    try {
      await this.#call(() =>
        abortable(
          lease
            .put(this.#options.prefix + instanceId)
            .value(new Date().toISOString())
            .options(this.#deadline())
            .exec(),
          signal,
        ),
      );
    } catch (error) {
      lease.release();
      throw error;
    }
    return new EtcdMembershipTerm(instanceId, lease, this.#options, this.#closed.signal);
  }

  async members(signal?: AbortSignal): Promise<readonly string[]> {
    const keys = await this.#call(() =>
      abortable(this.#client.getAll().prefix(this.#options.prefix).options(this.#deadline()).keys(), signal),
    );
    return keys.map((key) => key.slice(this.#options.prefix.length)).sort();
  }

  async watch(
    onChange: (members: readonly string[]) => void,
    signal: AbortSignal,
    onTrouble: (error: unknown) => void = () => undefined,
  ): Promise<void> {
    if (this.#closed.signal.aborted)
      throw new MembershipUnavailableError(this.backend, { cause: new Error('membership closed') });
    let last: string | undefined;
    let reading = Promise.resolve();
    // Reads run one after the other, so the sets are delivered in the order etcd held them.
    const reread = () => {
      reading = reading.then(async () => {
        if (signal.aborted) return;
        try {
          const members = await this.members(signal);
          const text = members.join('\n');
          if (text === last || signal.aborted) return;
          last = text;
          onChange(members);
        } catch (error) {
          if (!signal.aborted) onTrouble(error);
        }
      });
    };
    // The watch resumes after a reconnect from the last revision it saw. An etcd that came back
    // as another store (restarted empty, restored from an older snapshot: store-history.ts) holds
    // that revision only in its future, so the resumed watch would stay silent until the new store
    // caught up: the members that join it meanwhile (every one, after a wipe) would never be
    // delivered, and the symbols rendezvous hashing gives them by everyone else's set would be
    // owned by nobody (issue 14: fills booked at the venue under no owner, never stored). Such a
    // watcher is replaced by a fresh one from the store's current revision, then the set is read again.
    let current: Watcher | undefined;
    const open = async (): Promise<void> => {
      const watcher = await abortable(this.#client.watch().prefix(this.#options.prefix).create(), signal);
      if (signal.aborted || this.#closed.signal.aborted) return void watcher.cancel().catch(() => undefined);
      current = watcher;
      // create() resolved on the first 'connected': the revision the watch starts after.
      const history = new EtcdStoreHistory(BigInt(watcher.lastRevision() ?? 0) - 1n);
      const afresh = (reason: string) => {
        if (current !== watcher) return; // already replaced
        onTrouble(new Error(reason));
        current = undefined;
        void watcher.cancel().catch(() => undefined);
        void reopen();
      };
      watcher.on('put', reread);
      watcher.on('delete', reread);
      watcher.on('data', (response: { header: EtcdHeader }) => {
        const reason = history.follow(response.header);
        if (reason !== undefined) afresh(reason);
      });
      watcher.on('disconnected', (error: unknown) => onTrouble(error));
      // Every later 'connected' is a reconnect.
      watcher.on('connected', (response: { header: EtcdHeader }) => {
        const reason = history.follow(response.header);
        if (reason === undefined) reread();
        else afresh(reason);
      });
      watcher.on('error', (error: unknown) => onTrouble(error));
      reread();
    };
    const reopen = async (): Promise<void> => {
      while (!signal.aborted && !this.#closed.signal.aborted && current === undefined) {
        try {
          return await open();
        } catch (error) {
          if (signal.aborted) return;
          onTrouble(error);
          await sleep(1000, signal).catch(() => undefined);
        }
      }
    };
    try {
      await open();
    } catch (error) {
      throw signal.aborted ? error : new MembershipUnavailableError(this.backend, { cause: error });
    }
    const end = () => void current?.cancel().catch(() => undefined);
    if (signal.aborted) return end();
    signal.addEventListener('abort', end, { once: true });
    this.#closed.signal.addEventListener('abort', end, { once: true });
    await reading;
  }

  async close(): Promise<void> {
    if (this.#closed.signal.aborted) return;
    this.#closed.abort(new Error('membership closed'));
    this.#client.close();
  }

  #deadline(): { deadline: number } {
    return { deadline: Date.now() + this.#callTimeoutMs };
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new MembershipUnavailableError(this.backend, { cause: error });
    }
  }
}

/** One registration: its heartbeat loop, and its `lost` signal. */
class EtcdMembershipTerm implements MembershipTerm {
  readonly #ended = new AbortController();
  readonly #instanceId: string;
  readonly #lease: Lease;
  readonly #heartbeats: Promise<void>;

  constructor(instanceId: string, lease: Lease, options: EtcdMembershipOptions, closed: AbortSignal) {
    this.#instanceId = instanceId;
    this.#lease = lease;
    const onClosed = () => this.#end(new MembershipLostError(instanceId, 'membership closed'));
    closed.addEventListener('abort', onClosed, { once: true });
    this.#heartbeats = this.#heartbeat(options).finally(() => closed.removeEventListener('abort', onClosed));
  }

  get lost(): AbortSignal {
    return this.#ended.signal;
  }

  async leave(): Promise<void> {
    const wasActive = !this.#ended.signal.aborted;
    this.#end(new MembershipLostError(this.#instanceId, 'left'));
    await this.#heartbeats;
    // Revoking deletes the key at once, so the others rebalance without waiting for the TTL.
    if (wasActive) await this.#lease.revoke({ deadline: Date.now() + 2000 }).catch(() => this.#lease.release());
  }

  #end(reason: Error): void {
    if (!this.#ended.signal.aborted) this.#ended.abort(reason);
  }

  async #heartbeat(options: EtcdMembershipOptions): Promise<void> {
    const signal = this.#ended.signal;
    let lastAck = monotonicNow();
    while (!signal.aborted) {
      await sleep(options.heartbeatMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      const sentAt = monotonicNow();
      try {
        await abortable(
          this.#lease.keepaliveOnce({
            deadline: Date.now() + Math.min(options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS, options.ttlMs),
          }),
          signal,
        );
        lastAck = sentAt;
      } catch (error) {
        if (signal.aborted) return;
        if (this.#lease.revoked())
          return this.#end(new MembershipLostError(this.#instanceId, 'etcd says the lease is gone', { cause: error }));
        if (monotonicNow() - lastAck >= options.ttlMs)
          return this.#end(
            new MembershipLostError(this.#instanceId, 'no heartbeat succeeded for a whole lease TTL', { cause: error }),
          );
      }
    }
  }
}
