/**
 * Builds the shared rate budget of one venue account on the lock backend the configuration names
 * (`distributed_lock`): Redis, etcd or the database; the process's memory when the lock is off
 * (one instance) or `memory`. Backends load on demand, as the lock's do.
 */
import { type DistributedLockOptions, etcdConnectionOf } from '../lock/create-distributed-lock.js';
import type { BudgetStore } from './budget-store.js';
import type { RateLimitRule } from './budget-windows.js';
import { SharedRateBudget } from './shared-rate-budget.js';

export interface RateBudgetOptions {
  readonly lock: DistributedLockOptions;
  /** The venue as configured and the account identity (a hash of the API key, never the key). */
  readonly venue: string;
  readonly account: string;
  readonly rules: readonly RateLimitRule[];
  readonly onBackendError?: ((error: unknown) => void) | undefined;
}

export async function createRateBudget(options: RateBudgetOptions): Promise<SharedRateBudget> {
  const { lock } = options;
  // Redis or etcd: the shared database keeps the budget through their outage (degraded mode, docs/locks.md).
  const degradable = lock.enabled !== false && (lock.type === 'redis' || lock.type === 'etcd');
  return new SharedRateBudget({
    store: await createBudgetStore(lock),
    fallback: degradable ? await createBudgetStore({ ...lock, type: 'database' }) : undefined,
    key: `${options.lock.prefix ?? ''}budget:${options.venue}:${options.account}`,
    rules: options.rules,
    onBackendError: options.onBackendError,
  });
}

export async function createBudgetStore(lock: DistributedLockOptions): Promise<BudgetStore> {
  if (lock.enabled === false || lock.type === 'memory') {
    const { MemoryBudgetStore } = await import('./memory-budget-store.js');
    return new MemoryBudgetStore();
  }
  switch (lock.type) {
    case 'redis': {
      const { RedisBudgetStore } = await import('./redis-budget-store.js');
      return new RedisBudgetStore(required(lock.redis, 'redis'));
    }
    case 'etcd': {
      const { EtcdBudgetStore } = await import('./etcd-budget-store.js');
      return new EtcdBudgetStore(etcdConnectionOf(required(lock.etcd, 'etcd')));
    }
    case 'database': {
      const [{ SqlBudgetStore }, { createSqlConnection }] = await Promise.all([
        import('./sql-budget-store.js'),
        import('../lock/sql/sql-connection.js'),
      ]);
      const sql = required(lock.sql, 'sql');
      if ('db' in sql) return new SqlBudgetStore({ db: sql.db, dialect: sql.dialect });
      return new SqlBudgetStore({
        db: await createSqlConnection({ ...sql, poolSize: 2 }),
        dialect: sql.dialect,
        ownsDb: true,
      });
    }
  }
}

function required<T>(section: T | undefined, name: string): T {
  if (section === undefined)
    throw new RangeError(`distributed_lock.${name} is required for type ${name === 'sql' ? 'database' : name}`);
  return section;
}
