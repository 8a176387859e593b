/**
 * `distributed_lock` (R2, R3): the lock backend shared by the instances. Disabled means one instance
 * and a no-op lock. `type: database` on SQLite only coordinates processes on one host (one file).
 */
import { DEFAULTS } from '../defaults.js';
import { report } from './field.js';
import { boolean, duration, integer, oneOf, string } from './scalars.js';
import { list, object, optional, withDefault } from './structure.js';

export const LOCK_TYPES = ['redis', 'etcd', 'database'] as const;

const HOST_PORT = { test: /^(\[[0-9a-f:]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/, allowed: 'host:port, e.g. 127.0.0.1:6379' };
export const ETCD_ENDPOINT = {
  test: /^(https?:\/\/)?(\[[0-9a-f:]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/,
  allowed: 'host:port or http(s)://host:port, e.g. http://127.0.0.1:2379',
};

const REDIS_PLACEMENTS = ['addr', 'addrs', 'sentinels', 'cluster'] as const;

const redisSchema = object(
  {
    addr: optional(string({ pattern: HOST_PORT })),
    addrs: optional(list(string({ pattern: HOST_PORT }), { minItems: 1 })),
    sentinels: optional(list(string({ pattern: HOST_PORT }), { minItems: 1 })),
    master_name: optional(string({ nonEmpty: true })),
    sentinel_password: withDefault(string({ secret: true }), ''),
    cluster: optional(list(string({ pattern: HOST_PORT }), { minItems: 1 })),
    password: withDefault(string({ secret: true }), DEFAULTS.distributedLock.redis.password),
    db: withDefault(integer({ min: 0, max: 15 }), DEFAULTS.distributedLock.redis.db),
    pool_size: withDefault(integer({ min: 1 }), DEFAULTS.distributedLock.redis.poolSize),
    tls: withDefault(boolean(), DEFAULTS.distributedLock.redis.tls),
  },
  {
    check(value, locate, ctx) {
      // Count what is written, not what read cleanly: a broken addr already reported its own problem.
      const given = REDIS_PLACEMENTS.filter((key) => locate(key).found);
      if (given.length !== 1) {
        const at = locate(given[0] ?? 'addr');
        report(
          ctx,
          at,
          given.length === 0
            ? 'is required (or addrs, sentinels or cluster)'
            : `give one of addr, addrs, sentinels or cluster, not ${given.join(' and ')}`,
          { allowed: HOST_PORT.allowed },
        );
      }
      const sentinel = locate('sentinels').found;
      if (sentinel && !locate('master_name').found)
        report(ctx, locate('sentinels'), 'needs master_name (the name the sentinels monitor)');
      if (!sentinel && locate('master_name').found) report(ctx, locate('master_name'), 'only goes with sentinels');
      if (locate('cluster').found && value.db !== 0)
        report(ctx, locate('db'), 'must be 0 with cluster (a Redis Cluster has only database 0)', {
          value: String(value.db),
        });
    },
  },
);

/** etcd user and password (shared with `config_centre`). */
export const etcdAuthSchema = object({
  username: string({ nonEmpty: true }),
  password: string({ secret: true }),
});

const etcdSchema = object({
  endpoints: list(string({ pattern: ETCD_ENDPOINT }), { minItems: 1 }),
  auth: optional(etcdAuthSchema),
  tls: withDefault(boolean(), DEFAULTS.distributedLock.etcd.tls),
});

export const lockSchema = object(
  {
    enabled: withDefault(boolean(), DEFAULTS.distributedLock.enabled),
    type: withDefault(oneOf(LOCK_TYPES), DEFAULTS.distributedLock.type),
    prefix: withDefault(string({ nonEmpty: true }), DEFAULTS.distributedLock.prefix),
    default_ttl: withDefault(duration(), DEFAULTS.distributedLock.defaultTtlMs),
    redis: optional(redisSchema),
    etcd: optional(etcdSchema),
  },
  {
    check(value, locate, ctx) {
      if (!value.enabled) return;
      const section = value.type === 'redis' ? value.redis : value.type === 'etcd' ? value.etcd : true;
      // Only an absent section is reported here; a present but broken one reported its own problems.
      if (section === undefined && value.type !== undefined && !locate(value.type).found) {
        report(ctx, locate(value.type), `is required when the lock type is ${value.type}`);
      }
    },
  },
);
