import { afterAll } from 'vitest';
import { EtcdLock } from '../../../src/coordination/lock/etcd/etcd-lock.js';
import { type LockFault, lockConformance, proxyFault, serverFault } from '../../conformance/lock.suite.js';
import { startEtcd } from '../../harness/etcd.js';
import { freePort } from '../../harness/free-port.js';

// etcd's smallest lease is about 2 s; a short session keeps the pause and fault cases quick.
const sessionTtlSeconds = 2;
const etcd = await startEtcd();
afterAll(() => etcd.close());

const lockOn = (endpoint: string, prefix = '') =>
  new EtcdLock({ endpoints: [endpoint], prefix, sessionTtlSeconds, callTimeoutMs: 1000 });

lockConformance({
  name: 'etcd',
  capabilities: { crossProcess: true, perLockLease: false, leaseMs: () => sessionTtlSeconds * 1000 },
  create: async (prefix) => lockOn(etcd.endpoint, prefix),
  workerOptions: (prefix, use) => ({
    type: 'etcd',
    prefix,
    etcd: { endpoints: [etcd.endpoint], sessionTtlSeconds: use === 'pause' ? sessionTtlSeconds : 10 },
  }),
  faults: {
    'connection cut (proxy)': () =>
      proxyFault('127.0.0.1', etcd.port, 'outage', {
        holder: (proxy, prefix) => lockOn(`http://${proxy.host}:${proxy.port}`, prefix),
        observer: (prefix) => lockOn(etcd.endpoint, prefix),
      }),
    'server restart': async (): Promise<LockFault> => {
      const own = await startEtcd();
      return serverFault({ break: () => own.stop(), heal: () => own.start(), close: () => own.close() }, () =>
        lockOn(own.endpoint),
      );
    },
  },
  unreachable: async () => lockOn(`http://127.0.0.1:${await freePort()}`),
  forgetful: async () => {
    const server = await startEtcd();
    return {
      create: async () => lockOn(server.endpoint),
      restart: async () => {
        await server.stop();
        await server.startEmpty();
      },
      close: () => server.close(),
    };
  },
  restartable: async () => {
    const own = await startEtcd();
    return {
      create: async () => lockOn(own.endpoint),
      restart: async () => {
        await own.stop();
        await own.start();
      },
      close: () => own.close(),
    };
  },
});
