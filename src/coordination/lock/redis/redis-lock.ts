/**
 * RedisLock (R2, lock half of Invariant 1). One node: `SET key owner NX PX ttl` and `INCR key#fence`
 * in ONE script, so the fencing token is handed out exactly when the key is taken, and increases for
 * as long as Redis keeps its data. Release and extend are compare-and-act scripts on the random owner.
 *
 * Several independent nodes (`addrs`): Redlock. The lock is held when a majority acquired it within
 * the lease (local deadline = sent + ttl - drift); the token is the largest counter among that
 * majority, written back to it (sync script) before the handle is returned, so any later majority
 * meets a node that has seen it and its token is larger. That holds while no node loses acknowledged
 * writes (AOF with fsync always) and node clocks run at a normal rate; a node restarted empty, or a
 * failover that loses writes, can give two holders, which the fenced intent in the database and the
 * deterministic client order ids at the venue catch (docs/locks.md).
 *
 * Sentinel (`sentinel`) and Cluster (`cluster`) are one node each to this class: one primary holds
 * a key. In a cluster the key and its fencing counter are hash-tagged (`{key}`, `{key}#fence`) so
 * one script can touch both; the handle's key, which the fenced intents record, stays `prefix + key`
 * in every mode.
 *
 * A closed connection to any node ends every handle of this lock: the node may have restarted and
 * forgotten the key, so nobody may keep acting on it (fail safe, Invariant 4).
 */
import { randomUUID } from 'node:crypto';
import type { DistributedLock, LockHandle, LockOptions } from '../distributed-lock.js';
import { LockBackendUnavailableError } from '../errors.js';
import { type LeaseOperations, LeasedLockHandle } from '../leased-lock-handle.js';
import { HeldLocks } from '../held-locks.js';
import { assertValidTtl, leaseEnd, monotonicNow } from '../lease-clock.js';
import { Backoff, sleep } from '../backoff.js';
import { waitForLock } from '../wait-for-lock.js';
import { abortable } from '../abortable.js';
import { type RedisEndpoint, RedisNode, type RedisNodeOptions } from './redis-node.js';

export interface RedisLockOptions extends Omit<RedisNodeOptions, 'endpoint'> {
  readonly prefix?: string;
  /** One server (`host:port`). */
  readonly addr?: string;
  /** Independent servers for a Redlock quorum (use an odd number, e.g. 3 or 5). */
  readonly addrs?: readonly string[];
  /** A primary found through Redis Sentinel. */
  readonly sentinel?: {
    readonly sentinels: readonly string[];
    readonly masterName: string;
    readonly sentinelPassword?: string;
  };
  /** A Redis Cluster, reached through any of these seed nodes (`host:port`). */
  readonly cluster?: readonly string[];
}

interface Attempt {
  readonly handle?: LockHandle;
  /** When busy: the smallest remaining lease among the holders' nodes, a hint for the backoff. */
  readonly busyForMs?: number;
}

export class RedisLock implements DistributedLock {
  readonly backend = 'redis';
  readonly #prefix: string;
  /** Cluster mode: keys carry a hash tag so a key and its counter share a slot. */
  readonly #hashTagged: boolean;
  readonly #nodes: RedisNode[];
  readonly #quorum: number;
  readonly #held = new HeldLocks();

  constructor(options: RedisLockOptions) {
    const endpoints = redisEndpoints(options);
    this.#prefix = options.prefix ?? '';
    this.#hashTagged = options.cluster !== undefined;
    this.#nodes = endpoints.map(
      (endpoint) =>
        new RedisNode({ ...options, endpoint }, (error) =>
          this.#held.loseAll('connection to a redis node closed', error),
        ),
    );
    this.#quorum = Math.floor(endpoints.length / 2) + 1;
  }

  async lock(key: string, ttlMs: number, options?: LockOptions): Promise<LockHandle> {
    assertValidTtl(ttlMs);
    const fullKey = this.#prefix + key;
    const backoff = new Backoff();
    let busyForMs: number | undefined;
    return waitForLock(fullKey, options, {
      attempt: async () => {
        const result = await this.#attempt(fullKey, ttlMs);
        busyForMs = result.busyForMs;
        return result.handle;
      },
      waitForChange: (signal) => sleep(backoff.next(busyForMs), signal),
    });
  }

  async tryLock(key: string, ttlMs: number): Promise<LockHandle | undefined> {
    assertValidTtl(ttlMs);
    return (await this.#attempt(this.#prefix + key, ttlMs)).handle;
  }

  /** On every node, so any later majority (Redlock) meets raised counters: all must answer. */
  async raiseTokenFloor(key: string, floor: bigint): Promise<void> {
    const replies = await settleEach(this.#nodes, (node) =>
      node.call((client) => client.qmRaiseFloor(`${this.#storedKey(this.#prefix + key)}#fence`, floor.toString())),
    );
    if (replies.some((reply) => reply.status === 'rejected')) throw unavailable(replies);
  }

  async ping(signal?: AbortSignal): Promise<void> {
    const answers = await Promise.allSettled(
      this.#nodes.map((node) =>
        abortable(
          node.call((client) => client.ping()),
          signal,
        ),
      ),
    );
    this.#requireQuorum(answers.filter((answer) => answer.status === 'fulfilled').length, answers);
  }

  async close(): Promise<void> {
    await this.#held.releaseAll();
    await Promise.all(this.#nodes.map((node) => node.close()));
  }

  #storedKey(key: string): string {
    return this.#hashTagged ? `{${key}}` : key;
  }

  async #attempt(key: string, ttlMs: number): Promise<Attempt> {
    const storedKey = this.#storedKey(key);
    const fenceKey = `${storedKey}#fence`;
    const owner = randomUUID();
    const sentAt = monotonicNow();
    const replies = await settleEach(this.#nodes, (node) =>
      node.call((client) => client.qmAcquire(storedKey, fenceKey, owner, ttlMs)),
    );
    const holders: RedisNode[] = [];
    let token = 0n;
    let busyForMs: number | undefined;
    replies.forEach((reply, index) => {
      if (reply.status !== 'fulfilled') return;
      const [acquired, value] = reply.value;
      if (acquired === 1) {
        holders.push(this.#nodes[index]!);
        const counter = BigInt(value);
        if (counter > token) token = counter;
      } else {
        busyForMs = Math.min(busyForMs ?? value, value);
      }
    });
    const operations = new RedisLease(storedKey, owner, holders, this.#nodes.length, this.#quorum);
    const won =
      holders.length >= this.#quorum &&
      // One node needs no sync: its counter already holds the token.
      (this.#nodes.length === 1 || (await this.#syncToken(storedKey, fenceKey, owner, token, holders))) &&
      leaseEnd(sentAt, ttlMs) > monotonicNow();
    if (won) {
      const handle = new LeasedLockHandle(key, token, leaseEnd(sentAt, ttlMs), operations, {
        backend: this.backend,
        onEnd: this.#held.forget,
      });
      this.#held.add(handle);
      return { handle };
    }
    if (holders.length > 0) await operations.release().catch(() => false);
    this.#requireQuorum(replies.filter((reply) => reply.status === 'fulfilled').length, replies);
    return busyForMs === undefined ? {} : { busyForMs };
  }

  async #syncToken(
    key: string,
    fenceKey: string,
    owner: string,
    token: bigint,
    holders: RedisNode[],
  ): Promise<boolean> {
    const replies = await settleEach(holders, (node) =>
      node.call((client) => client.qmSyncToken(key, fenceKey, owner, token.toString())),
    );
    return replies.filter((reply) => reply.status === 'fulfilled' && reply.value === 1).length >= this.#quorum;
  }

  #requireQuorum(answered: number, replies: ReadonlyArray<PromiseSettledResult<unknown>>): void {
    if (answered < this.#quorum) throw unavailable(replies);
  }
}

/** Extend and release of one acquisition: compare-and-act scripts on the nodes that granted it. */
class RedisLease implements LeaseOperations {
  readonly #key: string;
  readonly #owner: string;
  readonly #holders: readonly RedisNode[];
  readonly #nodeCount: number;
  readonly #quorum: number;

  constructor(key: string, owner: string, holders: readonly RedisNode[], nodeCount: number, quorum: number) {
    this.#key = key;
    this.#owner = owner;
    this.#holders = holders;
    this.#nodeCount = nodeCount;
    this.#quorum = quorum;
  }

  async extend(ttlMs: number): Promise<number | undefined> {
    const sentAt = monotonicNow();
    return (await this.#count((node) => node.call((client) => client.qmExtend(this.#key, this.#owner, ttlMs))))
      ? leaseEnd(sentAt, ttlMs)
      : undefined;
  }

  release(): Promise<boolean> {
    return this.#count((node) => node.call((client) => client.qmRelease(this.#key, this.#owner)));
  }

  /** True when a majority did it, false when so many refused that no majority can; else unavailable. */
  async #count(run: (node: RedisNode) => Promise<number>): Promise<boolean> {
    const replies = await settleEach(this.#holders, run);
    let done = 0;
    let refused = 0;
    for (const reply of replies) {
      if (reply.status !== 'fulfilled') continue;
      if (reply.value === 1) done += 1;
      else refused += 1;
    }
    if (done >= this.#quorum) return true;
    if (refused > this.#nodeCount - this.#quorum) return false;
    throw unavailable(replies);
  }
}

/** Exactly one of addr, addrs, sentinel and cluster says where the keys live (the configuration checks it too). */
export function redisEndpoints(options: RedisLockOptions): RedisEndpoint[] {
  const given = [
    options.addr,
    options.addrs?.length ? options.addrs : undefined,
    options.sentinel,
    options.cluster,
  ].filter((value) => value !== undefined);
  if (given.length > 1) throw new RangeError('redis lock: give one of addr, addrs, sentinel or cluster');
  if (options.sentinel !== undefined) return [{ kind: 'sentinel', ...options.sentinel }];
  if (options.cluster !== undefined) return [{ kind: 'cluster', nodes: options.cluster }];
  const addrs = options.addrs?.length ? options.addrs : [options.addr ?? '127.0.0.1:6379'];
  return addrs.map((addr) => ({ kind: 'server', addr }));
}

/** Fewer than a majority answered: the first failure is the cause. */
function unavailable(replies: ReadonlyArray<PromiseSettledResult<unknown>>): LockBackendUnavailableError {
  const failure = replies.find((reply) => reply.status === 'rejected');
  return new LockBackendUnavailableError('redis', {
    cause: failure?.status === 'rejected' ? failure.reason : undefined,
  });
}

/**
 * Promise.allSettled over the nodes; one node (the usual deployment) is awaited directly, which
 * spares the per-call promise bookkeeping on the lock's hot path.
 */
async function settleEach<T>(
  nodes: readonly RedisNode[],
  run: (node: RedisNode) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  if (nodes.length !== 1) return Promise.allSettled(nodes.map(run));
  try {
    return [{ status: 'fulfilled', value: await run(nodes[0]!) }];
  } catch (reason) {
    return [{ status: 'rejected', reason }];
  }
}
