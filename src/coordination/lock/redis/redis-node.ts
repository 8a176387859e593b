/**
 * One Redis deployment as RedisLock sees it: a server, a Sentinel-managed primary (connections
 * follow a failover; the failover itself closes them), or a Redis Cluster; a few ioredis
 * connections (round-robin), the lock scripts registered on each, and a callback when any
 * connection closes or a cluster node goes away (the server may have restarted, or a replica that
 * never received our keys may have been promoted, so every lock held through it must be treated as lost).
 *
 * Commands are bounded without a timer per command (ioredis' `commandTimeout` arms and clears one
 * for every command, a measurable share of a lock's cost): each connection counts its outstanding
 * commands and stamps every answer, and one watchdog per node breaks off a connection that has had
 * commands outstanding and no answer for `commandTimeoutMs`. A connection answers in order, so "no
 * answer for that long" means "the oldest command has waited that long". Breaking it off closes it
 * (every lock held through it is signalled lost) and rejects what was pending. A silent connection
 * is therefore noticed between 1 and 1.25 bounds; while not connected, `connectTimeout` (the same
 * bound) ends each attempt, and every close rejects what waited for it.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { monotonicNow } from '../lease-clock.js';
import { acquireScript, extendScript, raiseFloorScript, releaseScript, syncTokenScript } from './redis-scripts.js';

/** Where the lock's keys live. */
export type RedisEndpoint =
  | { readonly kind: 'server'; readonly addr: string }
  /** A primary found through Redis Sentinel (`sentinels` are `host:port`). */
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly string[];
      readonly masterName: string;
      readonly sentinelPassword?: string;
    }
  /** A Redis Cluster reached through any of its `nodes` (`host:port` seeds). */
  | { readonly kind: 'cluster'; readonly nodes: readonly string[] };

export interface RedisNodeOptions {
  readonly endpoint: RedisEndpoint;
  readonly password?: string;
  readonly username?: string;
  readonly db?: number;
  /** Connections to this node (default 1; ioredis pipelines many commands over one). */
  readonly poolSize?: number;
  readonly tls?: boolean | Record<string, unknown>;
  /** Bound on one command: a connection silent that long with commands outstanding is broken off (default 1,000 ms). */
  readonly commandTimeoutMs?: number;
}

type ScriptReply = [number, number];

interface LockScripts {
  qmAcquire(lockKey: string, fenceKey: string, owner: string, ttlMs: number): Promise<ScriptReply>;
  qmRelease(lockKey: string, owner: string): Promise<number>;
  qmExtend(lockKey: string, owner: string, ttlMs: number): Promise<number>;
  qmSyncToken(lockKey: string, fenceKey: string, owner: string, token: string): Promise<number>;
  qmRaiseFloor(fenceKey: string, floor: string): Promise<number>;
}

type ScriptedRedis = (Redis | Cluster) & LockScripts;

/** One connection and what the watchdog needs to know about it. */
interface Link {
  readonly client: ScriptedRedis;
  /** Commands sent and not answered yet. */
  pending: number;
  /** Monotonic ms of the last answer, or of the first command sent after a quiet time. */
  lastAnswerAt: number;
}

export class RedisNode {
  readonly #links: Link[];
  readonly #watchdog: NodeJS.Timeout;
  readonly #commandTimeoutMs: number;
  #next = 0;

  constructor(options: RedisNodeOptions, onConnectionClosed: (error?: unknown) => void) {
    const commandTimeoutMs = options.commandTimeoutMs ?? 1000;
    this.#commandTimeoutMs = commandTimeoutMs;
    const connection: RedisOptions = {
      password: options.password,
      username: options.username,
      tls: options.tls === true ? {} : options.tls === false ? undefined : options.tls,
      connectTimeout: commandTimeoutMs,
      // A closed connection rejects what it had pending at once (its outcome is in doubt), and
      // nothing in doubt is sent again behind the caller's back after a reconnect. Commands sent
      // while reconnecting wait for the connection, bounded by connectTimeout.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) => Math.min(50 * times, 1000),
    };
    this.#links = Array.from({ length: Math.max(1, options.poolSize ?? 1) }, () => {
      const client = connect(options.endpoint, connection, options.db ?? 0) as ScriptedRedis;
      client.defineCommand('qmAcquire', { numberOfKeys: 2, lua: acquireScript });
      client.defineCommand('qmRelease', { numberOfKeys: 1, lua: releaseScript });
      client.defineCommand('qmExtend', { numberOfKeys: 1, lua: extendScript });
      client.defineCommand('qmSyncToken', { numberOfKeys: 2, lua: syncTokenScript });
      client.defineCommand('qmRaiseFloor', { numberOfKeys: 1, lua: raiseFloorScript });
      // Errors surface on the commands; the event is only a hint that the link broke.
      let lastError: unknown;
      client.on('error', (error) => {
        lastError = error;
      });
      client.on('close', () => onConnectionClosed(lastError));
      // A cluster keeps its client open while one node's connection breaks or the node leaves the slot map.
      client.on('node error', (error) => onConnectionClosed(error));
      client.on('-node', () => onConnectionClosed(lastError));
      return { client, pending: 0, lastAnswerAt: 0 };
    });
    this.#watchdog = setInterval(
      () => {
        for (const link of this.#links) {
          // In any state: a connection that connected but never got ready (its handshake unanswered) is broken off too.
          if (link.pending > 0 && monotonicNow() - link.lastAnswerAt > commandTimeoutMs) link.client.disconnect(true);
        }
      },
      Math.max(10, Math.floor(commandTimeoutMs / 4)),
    );
    this.#watchdog.unref();
  }

  /** Runs one command on the next connection (round-robin), under the watchdog's bound. */
  async call<T>(command: (client: ScriptedRedis) => Promise<T>): Promise<T> {
    const link = this.#links[this.#next % this.#links.length]!;
    this.#next += 1;
    if (link.pending === 0) link.lastAnswerAt = monotonicNow();
    link.pending += 1;
    try {
      if (link.client instanceof Cluster && link.client.status !== 'ready')
        await ready(link.client, this.#commandTimeoutMs);
      return await command(link.client);
    } finally {
      link.pending -= 1;
      link.lastAnswerAt = monotonicNow();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#watchdog);
    await Promise.all(this.#links.map(({ client }) => client.quit().catch(() => client.disconnect())));
  }
}

function connect(endpoint: RedisEndpoint, connection: RedisOptions, db: number): Redis | Cluster {
  switch (endpoint.kind) {
    case 'server': {
      const [host, port] = splitAddr(endpoint.addr);
      return new Redis({ ...connection, host, port, db });
    }
    case 'sentinel':
      return new Redis({
        ...connection,
        db,
        name: endpoint.masterName,
        role: 'master',
        sentinels: endpoint.sentinels.map((addr) => {
          const [host, port] = splitAddr(addr, 26379);
          return { host, port };
        }),
        sentinelPassword: endpoint.sentinelPassword,
        // Subscribes to the sentinels' +switch-master, so a failover closes our connections (and
        // ends every lock held through them) instead of leaving them on a demoted primary.
        failoverDetector: true,
        sentinelRetryStrategy: (times) => Math.min(50 * times, 1000),
      });
    case 'cluster':
      // A cluster has no database numbers: the configuration refuses `db` other than 0 with `cluster`.
      return new Cluster(
        endpoint.nodes.map((addr) => {
          const [host, port] = splitAddr(addr);
          return { host, port };
        }),
        {
          redisOptions: connection,
          clusterRetryStrategy: (times) => Math.min(50 * times, 1000),
          // Redirections are answers, not resends: a MOVED/ASK reply means the command did not run there.
          maxRedirections: 16,
          retryDelayOnFailover: 100,
          retryDelayOnClusterDown: 100,
          scaleReads: 'master',
          // A cluster client queues commands while it (re)discovers the slots, with no bound of its
          // own; RedisNode.call waits for readiness within the command bound instead.
          enableOfflineQueue: false,
          slotsRefreshTimeout: connection.connectTimeout,
        },
      );
  }
}

/** Resolves when the cluster client is ready; rejects after `timeoutMs` or when it ends. */
function ready(client: Cluster, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady).off('end', onEnd);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = () => done();
    const onEnd = () => done(new Error('redis cluster connection ended'));
    const timer = setTimeout(
      () => done(new Error(`redis cluster not ready within ${timeoutMs} ms (status ${client.status})`)),
      timeoutMs,
    );
    client.on('ready', onReady).on('end', onEnd);
  });
}

function splitAddr(addr: string, defaultPort = 6379): [string, number] {
  const at = addr.lastIndexOf(':');
  if (at <= 0) return [addr, defaultPort];
  const port = Number(addr.slice(at + 1));
  if (!Number.isInteger(port) || port <= 0) throw new RangeError(`redis addr must be host:port, got ${addr}`);
  return [addr.slice(0, at), port];
}
