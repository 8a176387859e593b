/**
 * The shared budget through an outage of its store (degraded single-instance mode, docs/venues.md):
 * the shared database keeps the budget while Redis is down, still one budget for every instance on
 * it; with neither store, orders are refused and reads granted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlConnection } from '../../../src/coordination/lock/sql/sql-connection.js';
import { RedisBudgetStore } from '../../../src/coordination/rate-budget/redis-budget-store.js';
import { SharedRateBudget } from '../../../src/coordination/rate-budget/shared-rate-budget.js';
import { SqlBudgetStore } from '../../../src/coordination/rate-budget/sql-budget-store.js';
import type { RateLimitRule } from '../../../src/coordination/rate-budget/budget-windows.js';
import { freePort } from '../../harness/free-port.js';
import { createPostgresDatabase } from '../../harness/postgres.js';
import { startOwnRedis } from '../../harness/redis.js';

const RULES: readonly RateLimitRule[] = [{ name: 'orders-1m', counts: 'orders', limit: 5, windowMs: 60_000 }];
const ORDER = { weight: 1, orders: 1 };
const READ = { weight: 1, orders: 0 };

const postgres = await createPostgresDatabase();
const dir = await mkdtemp(join(tmpdir(), 'qm-budget-fallback-'));
afterAll(async () => {
  await postgres.drop();
  await rm(dir, { recursive: true, force: true });
});

const databaseStore = async () =>
  new SqlBudgetStore({
    db: await createSqlConnection({ dialect: 'postgres', connection: postgres.url, poolSize: 2 }),
    dialect: 'postgres',
    ownsDb: true,
  });

describe('SharedRateBudget with a fallback store', () => {
  it('keeps one budget in the shared database while Redis is down, for every instance on it', async () => {
    const redis = await startOwnRedis();
    const errors: unknown[] = [];
    const onRedis = (key: string, fallback: SqlBudgetStore | undefined) =>
      new SharedRateBudget({
        store: new RedisBudgetStore({ addr: `127.0.0.1:${redis.port}`, commandTimeoutMs: 300 }),
        fallback,
        key,
        rules: RULES,
        onBackendError: (error) => errors.push(error),
      });
    const one = onRedis('budget:fallback', await databaseStore());
    const two = onRedis('budget:fallback', await databaseStore());
    const alone = onRedis('budget:alone', undefined);
    try {
      expect(await one.take(ORDER)).toEqual({ granted: true });
      expect(errors).toEqual([]);
      await redis.close();
      // Redis is gone: the database keeps the budget, shared by both instances (5 orders a minute).
      const answers = [];
      for (let i = 0; i < 4; i += 1) answers.push(await one.take(ORDER), await two.take(ORDER));
      expect(answers.filter((answer) => answer.granted)).toHaveLength(5);
      // Each instance asked Redis once; then straight to the database for a while (no failing call per request).
      expect(errors).toHaveLength(2);
      // Without a fallback: orders wait, reads go on the local limiter.
      expect(await alone.take(ORDER)).toMatchObject({ granted: false });
      expect(await alone.take(READ)).toEqual({ granted: true });
    } finally {
      await Promise.all([one.close(), two.close(), alone.close()]);
    }
  });

  it('refuses orders and grants reads when neither store answers', async () => {
    const budget = new SharedRateBudget({
      store: new RedisBudgetStore({ addr: `127.0.0.1:${await freePort()}`, commandTimeoutMs: 300 }),
      fallback: new SqlBudgetStore({
        db: await createSqlConnection({
          dialect: 'postgres',
          connection: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
          poolSize: 1,
        }),
        dialect: 'postgres',
        ownsDb: true,
      }),
      key: 'budget:none',
      rules: RULES,
    });
    try {
      expect(await budget.take(ORDER)).toMatchObject({ granted: false });
      expect(await budget.take(READ)).toEqual({ granted: true });
    } finally {
      await budget.close();
    }
  });
});
