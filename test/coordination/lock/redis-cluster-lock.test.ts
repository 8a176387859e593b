/**
 * The lock conformance suite on a real Redis Cluster of three primaries the test starts (R2): keys
 * and their fencing counters are hash-tagged into one slot, so the acquire script runs on whichever
 * primary owns the key's slot; the fault is the whole cluster killed and started again empty.
 */
import { afterAll } from 'vitest';
import { RedisLock } from '../../../src/coordination/lock/redis/redis-lock.js';
import { type LockFault, lockConformance, serverFault } from '../../conformance/lock.suite.js';
import { freePort } from '../../harness/free-port.js';
import { startRedisCluster } from '../../harness/redis-topologies.js';

const shared = await startRedisCluster();
const cluster = shared.nodes;
afterAll(() => shared.close());

lockConformance({
  name: 'redis cluster',
  capabilities: { crossProcess: true, perLockLease: true, leaseMs: (ttlMs) => ttlMs },
  create: async (prefix) => new RedisLock({ cluster, prefix }),
  workerOptions: (prefix) => ({ type: 'redis', prefix, redis: { cluster } }),
  faults: {
    'cluster restart (no persistence)': async (): Promise<LockFault> => {
      const own = await startRedisCluster();
      return serverFault(
        { break: () => own.stop(), heal: () => own.start(), close: () => own.close() },
        () => new RedisLock({ cluster: own.nodes }),
      );
    },
  },
  forgetful: async () => {
    const own = await startRedisCluster();
    return {
      create: async () => new RedisLock({ cluster: own.nodes }),
      restart: async () => {
        await own.stop();
        await own.start();
      },
      close: () => own.close(),
    };
  },
  unreachable: async () => new RedisLock({ cluster: [`127.0.0.1:${await freePort()}`], commandTimeoutMs: 500 }),
});
