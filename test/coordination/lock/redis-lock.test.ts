import { RedisLock } from '../../../src/coordination/lock/redis/redis-lock.js';
import { type LockFault, lockConformance, proxyFault, serverFault } from '../../conformance/lock.suite.js';
import { freePort } from '../../harness/free-port.js';
import { sharedRedis, startOwnRedis } from '../../harness/redis.js';

const { url } = await sharedRedis();
const addr = new URL(url).host;

lockConformance({
  name: 'redis',
  capabilities: { crossProcess: true, perLockLease: true, leaseMs: (ttlMs) => ttlMs },
  create: async (prefix) => new RedisLock({ addr, prefix }),
  workerOptions: (prefix) => ({ type: 'redis', prefix, redis: { addr } }),
  faults: {
    'connection cut (proxy)': () =>
      proxyFault('127.0.0.1', Number(new URL(url).port), 'outage', {
        holder: (proxy, prefix) => new RedisLock({ addr: `${proxy.host}:${proxy.port}`, prefix }),
        observer: (prefix) => new RedisLock({ addr, prefix }),
      }),
    // No reset, no bytes: only the connection's own command bound (RedisNode's watchdog) notices.
    'silent connection (proxy blackhole)': () =>
      proxyFault('127.0.0.1', Number(new URL(url).port), 'silence', {
        holder: (proxy, prefix) =>
          new RedisLock({ addr: `${proxy.host}:${proxy.port}`, prefix, commandTimeoutMs: 500 }),
        observer: (prefix) => new RedisLock({ addr, prefix }),
      }),
    'server restart (no persistence)': async (): Promise<LockFault> => {
      const server = await startOwnRedis();
      return serverFault(
        { break: () => server.stop(), heal: () => server.start(), close: () => server.close() },
        () => new RedisLock({ addr: `127.0.0.1:${server.port}` }),
      );
    },
  },
  unreachable: async () => new RedisLock({ addr: `127.0.0.1:${await freePort()}`, commandTimeoutMs: 500 }),
  forgetful: async () => {
    const server = await startOwnRedis();
    return {
      create: async () => new RedisLock({ addr: `127.0.0.1:${server.port}` }),
      restart: async () => {
        await server.stop();
        await server.start();
      },
      close: () => server.close(),
    };
  },
  restartable: async () => {
    const server = await startOwnRedis({ persist: true });
    return {
      create: async () => new RedisLock({ addr: `127.0.0.1:${server.port}` }),
      restart: async () => {
        await server.stop();
        await server.start();
      },
      close: () => server.close(),
    };
  },
});
