/**
 * EtcdLock (R2, lock half of Invariant 1). Acquire is ONE transaction: "if the key's create revision
 * is 0 (no such key), put it attached to this process's session lease". The fencing token is the
 * revision of that put, which etcd makes strictly increasing cluster-wide and keeps across restarts.
 * Waiters WATCH the key from the revision they saw and try again when it is deleted (released, or
 * its lease expired), never polling. Release and extend compare the key's mod revision with the
 * token, so only the holder acts.
 *
 * The lease is the session's (etcd-session.ts, default TTL 10 s), not per lock: `ttlMs` of `lock`
 * and `extend` only needs to be valid; a handle holds for as long as the session lives.
 *
 * Fencing continuity: a fresh etcd starts its revisions again at 1, so the token is the revision
 * plus a per-key base (`<key>#fence-base`, read in the acquiring transaction, 0 when absent) that
 * `raiseTokenFloor` lifts. The base only grows and is read at the revision of the put, so tokens
 * still strictly increase.
 */
import type { Etcd3 } from 'etcd3';
import { DEFAULT_ETCD_CALL_TIMEOUT_MS, type EtcdConnectionOptions, createEtcdClient } from '../../etcd/etcd-client.js';
import type { DistributedLock, LockHandle, LockOptions } from '../distributed-lock.js';
import { LeasedLockHandle } from '../leased-lock-handle.js';
import { HeldLocks } from '../held-locks.js';
import { assertValidTtl } from '../lease-clock.js';
import { waitForLock } from '../wait-for-lock.js';
import { callBackend } from '../backend-call.js';
import { abortable } from '../abortable.js';
import { EtcdSession } from './etcd-session.js';
import { EtcdKeyWatch } from './etcd-key-watch.js';

export interface EtcdLockOptions extends EtcdConnectionOptions {
  readonly prefix?: string;
  /** TTL of the session lease, whole seconds (default 10; etcd refuses less than its minimum, usually 2). */
  readonly sessionTtlSeconds?: number;
}

export class EtcdLock implements DistributedLock {
  readonly backend = 'etcd';
  readonly #client: Etcd3;
  readonly #prefix: string;
  readonly #sessionTtlSeconds: number;
  readonly #callTimeoutMs: number;
  readonly #held = new HeldLocks();
  #session: Promise<EtcdSession> | undefined;

  constructor(options: EtcdLockOptions) {
    this.#prefix = options.prefix ?? '';
    this.#sessionTtlSeconds = options.sessionTtlSeconds ?? 10;
    this.#callTimeoutMs = options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS;
    this.#client = createEtcdClient(options);
  }

  async lock(key: string, ttlMs: number, options?: LockOptions): Promise<LockHandle> {
    assertValidTtl(ttlMs);
    const fullKey = this.#prefix + key;
    let watchFrom = 0n;
    let watch: Promise<EtcdKeyWatch> | undefined;
    return waitForLock(fullKey, options, {
      attempt: async () => {
        const result = await this.#attempt(fullKey);
        watchFrom = result.watchFrom ?? 0n;
        return result.handle;
      },
      waitForChange: async (signal) => {
        watch ??= EtcdKeyWatch.open(this.#client, fullKey, watchFrom, signal);
        const current = await watch.catch((error: unknown) => {
          watch = undefined;
          throw error;
        });
        await current.free(signal);
        // A broken watch is replaced from the next revision the next attempt sees.
        if (current.broken) {
          current.close();
          watch = undefined;
        }
      },
      close: () =>
        void watch?.then(
          (current) => current.close(),
          () => undefined,
        ),
    });
  }

  async tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    assertValidTtl(ttlMs);
    return (await this.#attempt(this.#prefix + key)).handle;
  }

  async raiseTokenFloor(key: string, floor: bigint): Promise<void> {
    const baseKey = `${this.#prefix + key}#fence-base`;
    const deadline = () => ({ deadline: Date.now() + this.#callTimeoutMs });
    for (;;) {
      const read = await callBackend(this.backend, () => this.#client.get(baseKey).options(deadline()).exec());
      const current = read.kvs[0];
      const base = current === undefined ? 0n : BigInt(current.value.toString());
      // The next acquisition's revision is above this one: with this base its token already exceeds the floor.
      const revision = BigInt(read.header.revision);
      if (revision + base >= floor) return;
      const raised = floor - revision;
      const write = this.#client.put(baseKey).value(raised.toString());
      const guarded =
        current === undefined
          ? this.#client.if(baseKey, 'Create', '==', 0)
          : this.#client.if(baseKey, 'Mod', '==', current.mod_revision);
      // Lost a race with another raise: read again and decide again.
      if ((await callBackend(this.backend, () => guarded.then(write).options(deadline()).commit())).succeeded) return;
    }
  }

  async ping(signal?: AbortSignal): Promise<void> {
    await callBackend(this.backend, () =>
      abortable(
        this.#client
          .get(`${this.#prefix}ping`)
          .options({ deadline: Date.now() + this.#callTimeoutMs })
          .string(),
        signal,
      ),
    );
  }

  async close(): Promise<void> {
    await this.#held.releaseAll();
    const session = await this.#session?.catch(() => undefined);
    session?.end('lock closed');
    this.#client.close();
  }

  async #currentSession(): Promise<EtcdSession> {
    const pending = this.#session ?? EtcdSession.open(this.#client, this.#sessionTtlSeconds, this.#callTimeoutMs);
    this.#session = pending;
    const session = await callBackend(this.backend, () => pending).catch((error: unknown) => {
      if (this.#session === pending) this.#session = undefined;
      throw error;
    });
    if (session.alive) return session;
    if (this.#session === pending) this.#session = undefined;
    return this.#currentSession();
  }

  async #attempt(key: string): Promise<{ handle?: LockHandle; watchFrom?: bigint }> {
    const session = await this.#currentSession();
    const response = await callBackend(this.backend, () =>
      this.#client
        // Only a key that does not exist may be taken: its create revision is 0.
        .if(key, 'Create', '==', 0)
        // Attached to the session lease: the key goes when the session dies, whatever the holder does.
        .then(this.#client.put(key).value(session.id).lease(session.id), this.#client.get(`${key}#fence-base`))
        // Otherwise read it, so a waiter watches from the revision it saw and misses no delete.
        .else(this.#client.get(key))
        .options({ deadline: Date.now() + this.#callTimeoutMs })
        .commit(),
    );
    if (!response.succeeded) return { watchFrom: BigInt(response.header.revision) + 1n };
    const revision = BigInt(response.header.revision);
    const base = response.responses[1]?.response_range.kvs[0]?.value.toString();
    const token = revision + (base === undefined ? 0n : BigInt(base));
    const handle = new LeasedLockHandle(
      key,
      token,
      session.validUntil,
      {
        extend: async () => {
          await session.keepalive();
          return (await this.#ifStillHeld(key, revision)) ? session.validUntil : undefined;
        },
        release: async () => {
          try {
            return await this.#ifStillHeld(key, revision, true);
          } catch (error) {
            // The key may still be there, attached to a lease our keepalives would keep alive for
            // ever: end the session, so the key goes with its lease (revoked now, or at its TTL).
            session.end('etcd did not confirm a release', error);
            throw error;
          }
        },
      },
      {
        backend: this.backend,
        onEnd: (ended) => {
          this.#held.forget(ended);
          session.forget(ended);
        },
      },
    );
    this.#held.add(handle);
    session.adopt(handle);
    return { handle };
  }

  /** True when the key still carries the revision of our put (its mod revision); deletes it when `release`. */
  async #ifStillHeld(key: string, revision: bigint, release = false): Promise<boolean> {
    const response = await callBackend(this.backend, () =>
      this.#client
        .if(key, 'Mod', '==', revision.toString())
        .then(...(release ? [this.#client.delete().key(key)] : []))
        .options({ deadline: Date.now() + this.#callTimeoutMs })
        .commit(),
    );
    return response.succeeded;
  }
}
