import { Registry } from 'prom-client';
import { MemoryLock } from '../../../src/coordination/lock/memory/memory-lock.js';
import { MeteredLock } from '../../../src/coordination/lock/metered-lock.js';
import { lockConformance } from '../../conformance/lock.suite.js';

lockConformance({
  name: 'memory',
  capabilities: { crossProcess: false, perLockLease: true, leaseMs: (ttlMs) => ttlMs },
  // One object is the whole backend: locks with the same prefix share it.
  create: (() => {
    const shared = new Map<string, MemoryLock>();
    return async (prefix: string) => {
      const lock = shared.get(prefix) ?? new MemoryLock({ prefix });
      shared.set(prefix, lock);
      return lock;
    };
  })(),
});

// The metrics decorator honours the same port (one suite per port, run on every decorator).
lockConformance({
  name: 'metered memory',
  capabilities: { crossProcess: false, perLockLease: true, leaseMs: (ttlMs) => ttlMs },
  create: (() => {
    const shared = new Map<string, MeteredLock>();
    return async (prefix: string) => {
      const lock = shared.get(prefix) ?? new MeteredLock(new MemoryLock({ prefix }), new Registry());
      shared.set(prefix, lock);
      return lock;
    };
  })(),
});
