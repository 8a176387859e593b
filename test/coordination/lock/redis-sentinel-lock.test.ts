/**
 * The lock conformance suite on a real Sentinel set (R2, R10): a primary, a replica and three
 * sentinels the test starts; the fault is a master failover (the primary killed, the replica
 * promoted), after which the lock must work on the new primary and no two holders were live at once.
 */
import { afterAll } from 'vitest';
import { RedisLock } from '../../../src/coordination/lock/redis/redis-lock.js';
import { type LockFault, lockConformance, serverFault } from '../../conformance/lock.suite.js';
import { freePort } from '../../harness/free-port.js';
import { startSentinelSet } from '../../harness/redis-topologies.js';

const shared = await startSentinelSet();
const sentinel = { sentinels: shared.sentinels, masterName: shared.masterName };
afterAll(() => shared.close());

lockConformance({
  name: 'redis sentinel',
  capabilities: { crossProcess: true, perLockLease: true, leaseMs: (ttlMs) => ttlMs },
  create: async (prefix) => new RedisLock({ sentinel, prefix }),
  workerOptions: (prefix) => ({ type: 'redis', prefix, redis: { sentinel } }),
  faults: {
    'master failover': async (): Promise<LockFault> => {
      const set = await startSentinelSet();
      const own = { sentinels: set.sentinels, masterName: set.masterName };
      // Healed when the sentinels have promoted the replica: the lock then lives on the new primary.
      return serverFault(
        { break: () => set.killPrimary(), heal: () => set.promoted(), close: () => set.close() },
        () => new RedisLock({ sentinel: own }),
      );
    },
  },
  unreachable: async () =>
    new RedisLock({
      sentinel: { sentinels: [`127.0.0.1:${await freePort()}`], masterName: 'nobody' },
      commandTimeoutMs: 500,
    }),
});
