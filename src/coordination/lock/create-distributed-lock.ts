/**
 * The factory the composition root maps `distributed_lock` of the YAML config to (R2, R5). Backends
 * are loaded on demand: a process pays only for the client library it uses. Secrets in the options
 * (passwords, DSNs) never appear in errors thrown from here.
 */
import type { Kysely } from 'kysely';
import type { DistributedLock } from './distributed-lock.js';
import type { SqlLockDialect } from './sql/sql-lock-statements.js';

export interface RedisBackendOptions {
  readonly addr?: string;
  /** Several independent servers: Redlock quorum (docs/locks.md). */
  readonly addrs?: readonly string[];
  /** A primary found through Redis Sentinel (docs/locks.md). */
  readonly sentinel?: {
    readonly sentinels: readonly string[];
    readonly masterName: string;
    readonly sentinelPassword?: string;
  };
  /** Seed nodes of a Redis Cluster (docs/locks.md). */
  readonly cluster?: readonly string[];
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  readonly poolSize?: number;
  readonly tls?: boolean | Record<string, unknown>;
  readonly commandTimeoutMs?: number;
}

export interface EtcdBackendOptions {
  readonly endpoints: readonly string[];
  readonly auth?: { readonly username: string; readonly password: string };
  /** PEM texts; `ca` alone gives server-verified TLS, with `cert` + `key` mutual TLS. */
  readonly tls?: { readonly ca: string; readonly cert?: string; readonly key?: string };
  readonly sessionTtlSeconds?: number;
  readonly callTimeoutMs?: number;
}

export type SqlBackendOptions =
  | { readonly dialect: SqlLockDialect; readonly connection: string; readonly poolSize?: number }
  | { readonly dialect: SqlLockDialect; readonly db: Kysely<any> };

export interface DistributedLockOptions {
  /** `false`: NoopLock (one instance). Default true. */
  readonly enabled?: boolean;
  readonly type: 'redis' | 'etcd' | 'database' | 'memory';
  /** Prepended to every key (e.g. `quantmesh:`), so clusters sharing a backend do not meet. */
  readonly prefix?: string;
  readonly redis?: RedisBackendOptions;
  readonly etcd?: EtcdBackendOptions;
  readonly sql?: SqlBackendOptions;
}

export async function createDistributedLock(options: DistributedLockOptions): Promise<DistributedLock> {
  const prefix = options.prefix ?? '';
  if (options.enabled === false) {
    const { NoopLock } = await import('./noop/noop-lock.js');
    return new NoopLock({ prefix });
  }
  switch (options.type) {
    case 'memory': {
      const { MemoryLock } = await import('./memory/memory-lock.js');
      return new MemoryLock({ prefix });
    }
    case 'redis': {
      const { RedisLock } = await import('./redis/redis-lock.js');
      return new RedisLock({ ...required(options.redis, 'redis'), prefix });
    }
    case 'etcd': {
      const { EtcdLock } = await import('./etcd/etcd-lock.js');
      return new EtcdLock({ ...etcdConnectionOf(required(options.etcd, 'etcd')), prefix });
    }
    case 'database': {
      const [{ SqlLock }, { createSqlConnection }] = await Promise.all([
        import('./sql/sql-lock.js'),
        import('./sql/sql-connection.js'),
      ]);
      const sql = required(options.sql, 'sql');
      if ('db' in sql) return new SqlLock({ db: sql.db, dialect: sql.dialect, prefix });
      return new SqlLock({ db: await createSqlConnection(sql), dialect: sql.dialect, prefix, ownsDb: true });
    }
    default:
      throw new RangeError(
        `distributed_lock.type must be redis, etcd, database or memory, got ${String((options as { type: unknown }).type)}`,
      );
  }
}

/** The etcd client's options of `distributed_lock.etcd` (PEM texts → gRPC credentials); shared with the rate budget. */
export function etcdConnectionOf({ tls, ...etcd }: EtcdBackendOptions): EtcdBackendOptions & {
  credentials?: { rootCertificate: Buffer; certChain?: Buffer; privateKey?: Buffer };
} {
  const credentials =
    tls === undefined
      ? undefined
      : {
          rootCertificate: Buffer.from(tls.ca),
          ...(tls.cert === undefined ? {} : { certChain: Buffer.from(tls.cert) }),
          ...(tls.key === undefined ? {} : { privateKey: Buffer.from(tls.key) }),
        };
  return { ...etcd, ...(credentials === undefined ? {} : { credentials }) };
}

function required<T>(section: T | undefined, name: string): T {
  if (section === undefined)
    throw new RangeError(`distributed_lock.${name} is required for type ${name === 'sql' ? 'database' : name}`);
  return section;
}
