import { afterAll } from 'vitest';
import { EtcdLock } from '../../../src/coordination/lock/etcd/etcd-lock.js';
import { type LockFault, lockConformance } from '../../conformance/lock.suite.js';
import { startEtcd } from '../../harness/etcd.js';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { freePort } from '../../harness/free-port.js';

// etcd's smallest lease is about 2 s; a short session keeps the pause and fault cases quick.
const sessionTtlSeconds = 2;
const etcd = await startEtcd();
afterAll(() => etcd.close());

const lockOn = (endpoint: string, prefix = '') => new EtcdLock({ endpoints: [endpoint], prefix, sessionTtlSeconds, callTimeoutMs: 1000 });

lockConformance({
  name: 'etcd',
  capabilities: { crossProcess: true, perLockLease: false, leaseMs: () => sessionTtlSeconds * 1000 },
  create: async (prefix) => lockOn(etcd.endpoint, prefix),
  workerOptions: (prefix, use) => ({ type: 'etcd', prefix, etcd: { endpoints: [etcd.endpoint], sessionTtlSeconds: use === 'pause' ? sessionTtlSeconds : 10 } }),
  faults: {
    'connection cut (proxy)': async (): Promise<LockFault> => {
      const proxy = await FaultProxy.start('127.0.0.1', etcd.port);
      const prefix = `qmfault-${proxy.port}:`;
      const holder = lockOn(`http://${proxy.host}:${proxy.port}`, prefix);
      const observer = lockOn(etcd.endpoint, prefix);
      return {
        holder,
        observer,
        async break() { proxy.refuse(); proxy.cut(); },
        async heal() { proxy.restore(); },
        async close() { await Promise.all([holder.close(), observer.close()]); await proxy.close(); },
      };
    },
    'server restart': async (): Promise<LockFault> => {
      const own = await startEtcd();
      const holder = lockOn(own.endpoint);
      const observer = lockOn(own.endpoint);
      return {
        holder,
        observer,
        break: () => own.stop(),
        heal: () => own.start(),
        async close() { await Promise.all([holder.close(), observer.close()]); await own.close(); },
      };
    },
  },
  unreachable: async () => lockOn(`http://127.0.0.1:${await freePort()}`),
  restartable: async () => {
    const own = await startEtcd();
    return {
      create: async () => lockOn(own.endpoint),
      restart: async () => { await own.stop(); await own.start(); },
      close: () => own.close(),
    };
  },
});
