import { Registry } from 'prom-client';
import type { DistributedLock } from '../../../src/coordination/lock/distributed-lock.js';
import { MemoryLock } from '../../../src/coordination/lock/memory/memory-lock.js';
import { MeteredLock } from '../../../src/coordination/lock/metered-lock.js';
import { lockConformance } from '../../conformance/lock.suite.js';

/** One object is the whole backend: locks with the same prefix share it. */
function sharedPerPrefix(make: (prefix: string) => DistributedLock): (prefix: string) => Promise<DistributedLock> {
  const shared = new Map<string, DistributedLock>();
  return async (prefix) => {
    const lock = shared.get(prefix) ?? make(prefix);
    shared.set(prefix, lock);
    return lock;
  };
}

const capabilities = { crossProcess: false, perLockLease: true, leaseMs: (ttlMs: number) => ttlMs };

lockConformance({ name: 'memory', capabilities, create: sharedPerPrefix((prefix) => new MemoryLock({ prefix })) });

// The metrics decorator honours the same port (one suite per port, run on every decorator).
lockConformance({
  name: 'metered memory',
  capabilities,
  create: sharedPerPrefix((prefix) => new MeteredLock(new MemoryLock({ prefix }), new Registry())),
});
