/**
 * RedisLock over three independent servers (Redlock quorum): a majority suffices, a minority is
 * unavailable, and tokens keep rising when the next majority differs from the last one.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLock } from '../../../src/coordination/lock/redis/redis-lock.js';
import { LockBackendUnavailableError } from '../../../src/coordination/lock/errors.js';
import { type OwnedRedis, startOwnRedis } from '../../harness/redis.js';

let servers: OwnedRedis[] = [];
const addrs = () => servers.map((server) => `127.0.0.1:${server.port}`);
const locks: RedisLock[] = [];
const quorumLock = () => {
  const lock = new RedisLock({ addrs: addrs(), commandTimeoutMs: 300 });
  locks.push(lock);
  return lock;
};

beforeAll(async () => {
  servers = await Promise.all([startOwnRedis(), startOwnRedis(), startOwnRedis()]);
});
afterAll(async () => {
  await Promise.all(locks.map((lock) => lock.close().catch(() => undefined)));
  await Promise.all(servers.map((server) => server.close()));
});

describe('redis quorum lock', () => {
  it('is exclusive across lock objects and keeps tokens rising when the majority changes', async () => {
    // One node's counter far ahead: a later majority without it must still hand out a larger token.
    const ahead = new Redis(servers[0]!.url);
    await ahead.set('quorum-key#fence', '1000');
    ahead.disconnect();
    const [a, b] = [quorumLock(), quorumLock()];
    const first = (await a.tryLock('quorum-key', 5000))!;
    expect(first.token).toBe(1001n);
    expect(await b.tryLock('quorum-key', 5000)).toBeUndefined();
    await first.unlock();

    await servers[0]!.stop();
    const second = (await b.tryLock('quorum-key', 5000))!;
    expect(second).toBeDefined();
    expect(second.token > first.token).toBe(true);
    await second.unlock();
  });

  it('refuses with LockBackendUnavailableError when only a minority answers', async () => {
    await servers[1]!.stop();
    const lock = quorumLock();
    await expect(lock.tryLock('minority-key', 5000)).rejects.toBeInstanceOf(LockBackendUnavailableError);
    await expect(lock.ping()).rejects.toBeInstanceOf(LockBackendUnavailableError);
    await Promise.all([servers[0]!.start(), servers[1]!.start()]);
  });
});
