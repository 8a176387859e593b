/** From `distributed_lock` to a DistributedLock: disabled means one instance and the no-op lock. */
import type { QuantMeshConfig } from '../config/load-config.js';
import { createDistributedLock } from '../coordination/lock/create-distributed-lock.js';
import type { DistributedLock } from '../coordination/lock/distributed-lock.js';

export function openLock(config: QuantMeshConfig): Promise<DistributedLock> {
  const lock = config.distributedLock;
  const redis = lock.redis;
  const etcd = lock.etcd;
  return createDistributedLock({
    enabled: lock.enabled,
    type: lock.type,
    prefix: lock.prefix,
    redis: redis === undefined ? undefined : {
      ...(redis.addr === undefined ? {} : { addr: redis.addr }),
      ...(redis.addrs === undefined ? {} : { addrs: redis.addrs }),
      password: redis.password, db: redis.db, poolSize: redis.poolSize, tls: redis.tls,
    },
    etcd: etcd === undefined ? undefined : {
      endpoints: etcd.endpoints,
      ...(etcd.auth === undefined ? {} : { auth: etcd.auth }),
    },
    sql: { dialect: config.database.type, connection: config.database.dsn },
  });
}
