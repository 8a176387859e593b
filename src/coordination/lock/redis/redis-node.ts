/**
 * One Redis server as RedisLock sees it: a few ioredis connections (round-robin), the lock scripts
 * registered on each, and a callback when any connection closes (the server may have restarted and
 * forgotten our keys, so every lock held through it must be treated as lost).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { acquireScript, extendScript, releaseScript, syncTokenScript } from './redis-scripts.js';

export interface RedisNodeOptions {
  /** `host:port`. */
  readonly addr: string;
  readonly password?: string;
  readonly username?: string;
  readonly db?: number;
  /** Connections to this node (default 1; ioredis pipelines many commands over one). */
  readonly poolSize?: number;
  readonly tls?: boolean | Record<string, unknown>;
  /** Bound on one command, including waiting for a reconnect (default 1,000 ms). */
  readonly commandTimeoutMs?: number;
}

type ScriptReply = [number, number];

interface LockScripts {
  qmAcquire(lockKey: string, fenceKey: string, owner: string, ttlMs: number): Promise<ScriptReply>;
  qmRelease(lockKey: string, owner: string): Promise<number>;
  qmExtend(lockKey: string, owner: string, ttlMs: number): Promise<number>;
  qmSyncToken(lockKey: string, fenceKey: string, owner: string, token: string): Promise<number>;
}

type ScriptedRedis = Redis & LockScripts;

export class RedisNode {
  readonly #clients: ScriptedRedis[];
  #next = 0;

  constructor(options: RedisNodeOptions, onConnectionClosed: (error?: unknown) => void) {
    const [host, port] = splitAddr(options.addr);
    const redisOptions: RedisOptions = {
      host,
      port,
      password: options.password,
      username: options.username,
      db: options.db ?? 0,
      tls: options.tls === true ? {} : options.tls === false ? undefined : options.tls,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      connectTimeout: options.commandTimeoutMs ?? 1000,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(50 * times, 1000),
    };
    this.#clients = Array.from({ length: Math.max(1, options.poolSize ?? 1) }, () => {
      const client = new Redis(redisOptions) as ScriptedRedis;
      client.defineCommand('qmAcquire', { numberOfKeys: 2, lua: acquireScript });
      client.defineCommand('qmRelease', { numberOfKeys: 1, lua: releaseScript });
      client.defineCommand('qmExtend', { numberOfKeys: 1, lua: extendScript });
      client.defineCommand('qmSyncToken', { numberOfKeys: 2, lua: syncTokenScript });
      // Errors surface on the commands; the event is only a hint that the link broke.
      let lastError: unknown;
      client.on('error', (error) => { lastError = error; });
      client.on('close', () => onConnectionClosed(lastError));
      return client;
    });
  }

  /** Round-robin over the node's connections. */
  get client(): ScriptedRedis {
    const client = this.#clients[this.#next % this.#clients.length]!;
    this.#next += 1;
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.quit().catch(() => client.disconnect())));
  }
}

function splitAddr(addr: string): [string, number] {
  const at = addr.lastIndexOf(':');
  if (at <= 0) return [addr, 6379];
  const port = Number(addr.slice(at + 1));
  if (!Number.isInteger(port) || port <= 0) throw new RangeError(`redis addr must be host:port, got ${addr}`);
  return [addr.slice(0, at), port];
}
