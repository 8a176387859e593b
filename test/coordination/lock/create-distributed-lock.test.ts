/** The factory maps plain (YAML-shaped) options to a backend and keeps secrets out of its errors. */
import { describe, expect, it } from 'vitest';
import { createDistributedLock } from '../../../src/coordination/lock/create-distributed-lock.js';
import { LockBackendUnavailableError } from '../../../src/coordination/lock/errors.js';

describe('createDistributedLock', () => {
  it('builds the backend named by type, and a no-op lock when disabled', async () => {
    const memory = await createDistributedLock({ type: 'memory', prefix: 'qm:' });
    expect(memory.backend).toBe('memory');
    const noop = await createDistributedLock({ enabled: false, type: 'redis' });
    expect(noop.backend).toBe('noop');
    const held = (await memory.tryLock('order:sim:BTCUSDT', 1000))!;
    expect(held.key).toBe('qm:order:sim:BTCUSDT');
    await held.unlock();
  });

  it('refuses a missing backend section or an unknown type with a clear error', async () => {
    await expect(createDistributedLock({ type: 'redis' })).rejects.toThrow(/distributed_lock\.redis is required/);
    await expect(createDistributedLock({ type: 'zookeeper' as 'redis' })).rejects.toThrow(
      /must be redis, etcd, database or memory/,
    );
  });

  it('never puts a DSN password into an error', async () => {
    const lock = await createDistributedLock({
      type: 'database',
      sql: { dialect: 'postgres', connection: 'postgres://quantmesh:s3cr3t-pw@127.0.0.1:1/quantmesh' },
    });
    const failure = await lock.ping().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LockBackendUnavailableError);
    expect(JSON.stringify(failure)).not.toContain('s3cr3t-pw');
    expect((failure as Error).message).not.toContain('s3cr3t-pw');
    await lock.close();
  });
});
