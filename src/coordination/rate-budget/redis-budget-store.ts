/**
 * The budget store in Redis: a hash per key (`v` version, `s` state) changed by one script that
 * compares the version and writes, with an expiry. Quorum mode (`addrs`) keeps the budget on its
 * first server: a budget lost with that server only starts a fresh window, it never lets two
 * holders act. Cluster mode tags the key so it lives in one slot.
 */
import { type RedisLockOptions, redisEndpoints } from '../lock/redis/redis-lock.js';
import { RedisNode } from '../lock/redis/redis-node.js';
import type { BudgetStore, VersionedValue } from './budget-store.js';

const COMPARE_AND_SET = `
local version = redis.call('HGET', KEYS[1], 'v') or '0'
if version ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(ARGV[1]) + 1), 's', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

export class RedisBudgetStore implements BudgetStore {
  readonly backend = 'redis';
  readonly #node: RedisNode;
  readonly #hashTagged: boolean;

  constructor(options: RedisLockOptions) {
    const [endpoint] = redisEndpoints(options);
    // A broken connection fails the commands on it; the budget has no lease to lose.
    this.#node = new RedisNode({ ...options, endpoint: endpoint! }, () => undefined);
    this.#hashTagged = options.cluster !== undefined;
  }

  async read(key: string): Promise<VersionedValue> {
    const [version, value] = await this.#node.call((client) => client.hmget(this.#stored(key), 'v', 's'));
    return { version: Number(version ?? '0'), value: value ?? undefined };
  }

  async compareAndSet(key: string, version: number, value: string, ttlMs: number): Promise<boolean> {
    const written = await this.#node.call(
      (client) =>
        client.eval(COMPARE_AND_SET, 1, this.#stored(key), String(version), value, String(ttlMs)) as Promise<number>,
    );
    return written === 1;
  }

  close(): Promise<void> {
    return this.#node.close();
  }

  #stored(key: string): string {
    return this.#hashTagged ? `{${key}}` : key;
  }
}
