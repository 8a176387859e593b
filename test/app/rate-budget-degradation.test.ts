/**
 * A failing rate budget store is a degradation like any other (docs/venues.md "Backend down"): the
 * budget kept in the shared database because Redis is down, then kept nowhere because the database
 * is cut too, then back in Redis — each visible in `/health` (the `rate-budgets` check), in
 * `quantmesh_rate_budget_degraded` and as `rate-budget-degraded` / `rate-budget-recovered` alerts.
 * A Redis the test stops and starts, PostgreSQL behind a TCP proxy the test cuts, the real notifier
 * and a webhook receiver.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DegradationAlerts } from '../../src/app/degradation-alerts.js';
import { createSqlConnection } from '../../src/coordination/lock/sql/sql-connection.js';
import type { RateLimitRule } from '../../src/coordination/rate-budget/budget-windows.js';
import { RedisBudgetStore } from '../../src/coordination/rate-budget/redis-budget-store.js';
import { SharedRateBudget } from '../../src/coordination/rate-budget/shared-rate-budget.js';
import { SqlBudgetStore } from '../../src/coordination/rate-budget/sql-budget-store.js';
import { AlertRateLimit } from '../../src/observability/alert-rate-limit.js';
import { checkHealth } from '../../src/observability/health.js';
import { rateBudgetHealthCheck, registerRateBudgetState } from '../../src/observability/rate-budget-health.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { FaultProxy } from '../harness/fault-proxy.js';
import { createPostgresDatabase } from '../harness/postgres.js';
import { startOwnRedis } from '../harness/redis.js';
import { eventually, until } from '../harness/until.js';
import { startWebhookReceiver, webhookAlertNotifier } from '../harness/webhook-receiver.js';

const RULES: readonly RateLimitRule[] = [{ name: 'orders-1m', counts: 'orders', limit: 1000, windowMs: 60_000 }];
const ORDER = { weight: 1, orders: 1 };
/** Longer than the budget's rest from a failed store (5 s): the next take asks the store again. */
const PAST_STORE_REST_MS = 6000;

describe('a degraded rate budget store is visible in /health, a metric and an alert', () => {
  const cleanup = cleanupAfterAll();

  it('Redis down: kept in the database; the database cut too: kept nowhere; Redis back: recovered', async () => {
    const redis = await startOwnRedis();
    cleanup.push(() => redis.close());
    const postgres = await createPostgresDatabase();
    cleanup.push(() => postgres.drop());
    const proxy = await FaultProxy.start(postgres.host, postgres.port);
    cleanup.push(() => proxy.close());
    const proxied = new URL(postgres.url);
    proxied.port = String(proxy.port);
    const webhook = await startWebhookReceiver();
    cleanup.push(() => webhook.close());
    // The alerts' rate limit runs on this clock, so each step's alert goes out (they are minutes apart).
    let alertClock = 0;
    const alerts = webhookAlertNotifier(pino({ level: 'silent' }), webhook.url, {
      rateLimit: new AlertRateLimit(60_000, () => alertClock),
    });
    // The budget's clock jumps past the rest after a failure, so a recovered store is asked again.
    let skew = 0;
    const budget = new SharedRateBudget({
      store: new RedisBudgetStore({ addr: `127.0.0.1:${redis.port}`, commandTimeoutMs: 300 }),
      fallback: new SqlBudgetStore({
        db: await createSqlConnection({ dialect: 'postgres', connection: proxied.toString(), poolSize: 2 }),
        dialect: 'postgres',
        ownsDb: true,
      }),
      key: 'budget:binance:health',
      rules: RULES,
      now: () => Date.now() + skew,
    });
    cleanup.push(() => budget.close());
    const conditions = () => [{ exchange: 'binance', ...budget.health }];
    const registry = new Registry();
    registerRateBudgetState(registry, conditions);
    const gauge = async () => (await registry.getSingleMetric('quantmesh_rate_budget_degraded')!.get()).values;
    const health = async () =>
      (await checkHealth([rateBudgetHealthCheck(conditions)], 2000)).components.find(
        (component) => component.name === 'rate-budgets',
      );
    const database = await openDatabase({ type: 'sqlite', dsn: ':memory:' });
    cleanup.push(() => database.close());
    const watch = new DegradationAlerts({
      instanceId: 'unit',
      alerts,
      logger: pino({ level: 'silent' }),
      symbols: () => [],
      database,
      rateBudgets: conditions,
    });

    // Redis keeps it: healthy, 0, nothing alerted.
    expect(await budget.take(ORDER)).toEqual({ granted: true });
    await watch.check();
    expect(await health()).toMatchObject({ healthy: true });
    expect(await gauge()).toEqual([{ labels: { exchange: 'binance' }, value: 0 }]);

    // Redis down: the database keeps the budget (granted), and that is visible in all three.
    await redis.stop();
    expect(await budget.take(ORDER)).toEqual({ granted: true });
    expect(budget.health).toMatchObject({ keptIn: 'fallback', store: 'redis', fallback: 'database' });
    await watch.check();
    await watch.check();
    expect(await health()).toMatchObject({
      healthy: false,
      cause: expect.stringContaining("binance: the rate budget's redis does not answer"),
    });
    expect(await gauge()).toEqual([{ labels: { exchange: 'binance' }, value: 1 }]);
    await until(() => webhook.received.length === 1, 'rate-budget-degraded (database) delivered');
    expect(webhook.received[0]).toMatchObject({
      kind: 'rate-budget-degraded',
      exchange: 'binance',
      message: expect.stringContaining('the database keeps the account'),
    });

    // The database cut as well: orders are refused, kept nowhere, alerted again (a worse state).
    proxy.cut();
    proxy.refuse();
    skew += PAST_STORE_REST_MS;
    alertClock += 61_000;
    expect(await budget.take(ORDER)).toMatchObject({ granted: false });
    expect(budget.health.keptIn).toBe('none');
    await watch.check();
    expect((await health())?.cause).toContain('no rate budget store answers (redis, database)');
    expect(await gauge()).toEqual([{ labels: { exchange: 'binance' }, value: 2 }]);
    await until(() => webhook.received.length === 2, 'rate-budget-degraded (nowhere) delivered');
    expect(webhook.received[1]).toMatchObject({
      kind: 'rate-budget-degraded',
      message: expect.stringContaining('orders are refused'),
    });

    // Both back: the next take after the rest finds Redis again; recovered once.
    await redis.start();
    proxy.restore();
    alertClock += 61_000;
    await eventually(
      async () => {
        skew += PAST_STORE_REST_MS;
        await budget.take(ORDER);
        return budget.health.keptIn;
      },
      (keptIn) => keptIn === 'store',
      'the budget kept in Redis again',
    );
    await watch.check();
    await watch.check();
    expect(await health()).toMatchObject({ healthy: true });
    expect(await gauge()).toEqual([{ labels: { exchange: 'binance' }, value: 0 }]);
    await until(() => webhook.received.length === 3, 'rate-budget-recovered delivered');
    expect(webhook.received[2]).toMatchObject({ kind: 'rate-budget-recovered', exchange: 'binance' });
    await alerts.flush();
    expect(webhook.received).toHaveLength(3);
  }, 60_000);
});
