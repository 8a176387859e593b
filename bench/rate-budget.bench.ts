/**
 * What the shared rate budget adds to the order path (`npm run bench:rate-budget`): the REST round
 * trip of one order (place + cancel: two requests, so two takes of read + compare-and-set) through
 * CcxtExchange(binanceusdm) over HTTP to an in-process sim-venue, with the account's budget in each
 * store, against the same round trip without a budget (baseline, same run). Also the take alone.
 * Stores: Redis on 127.0.0.1:6379 (the shared server, a key of its own), an etcd the bench starts,
 * PostgreSQL (a fresh database through the test harness), the process's memory.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createSqlConnection } from '../src/coordination/lock/sql/sql-connection.js';
import type { BudgetStore } from '../src/coordination/rate-budget/budget-store.js';
import { EtcdBudgetStore } from '../src/coordination/rate-budget/etcd-budget-store.js';
import { MemoryBudgetStore } from '../src/coordination/rate-budget/memory-budget-store.js';
import { RedisBudgetStore } from '../src/coordination/rate-budget/redis-budget-store.js';
import { SharedRateBudget } from '../src/coordination/rate-budget/shared-rate-budget.js';
import { SqlBudgetStore } from '../src/coordination/rate-budget/sql-budget-store.js';
import { dec } from '../src/domain/decimal.js';
import { CcxtExchange } from '../src/exchange/ccxt/ccxt-exchange.js';
import type { PlaceOrderRequest } from '../src/exchange/exchange.js';
import type { RequestBudget } from '../src/exchange/request-budget.js';
import { startSimVenueServer } from '../src/exchange/sim-venue/sim-venue-server.js';
import { startEtcd } from '../test/harness/etcd.js';
import { createPostgresDatabase } from '../test/harness/postgres.js';
import { services } from '../test/harness/services.js';

const TRIPS = Number(process.env['QM_BENCH_TRIPS'] ?? 300);
const TAKES = 1000;
/** Never the limit: the bench measures the cost of taking, not of being refused. */
const RULES = [
  { name: 'weight-1m', counts: 'weight', limit: Number.MAX_SAFE_INTEGER, windowMs: 60_000 },
  { name: 'orders-10s', counts: 'orders', limit: Number.MAX_SAFE_INTEGER, windowMs: 10_000 },
] as const;
const CREDENTIALS = { apiKey: 'bench-budget-key', apiSecret: 'bench-budget-secret' };

const server = await startSimVenueServer({
  accounts: [CREDENTIALS],
  stepIntervalMs: 0,
  rateLimit: { limit: Number.MAX_SAFE_INTEGER, windowMs: 60_000 },
  limits: {
    weightPerMinute: Number.MAX_SAFE_INTEGER,
    ordersPer10Seconds: Number.MAX_SAFE_INTEGER,
    ordersPerMinute: Number.MAX_SAFE_INTEGER,
  },
});

const request = (index: number, clientOrderId: string): PlaceOrderRequest => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  price: dec(50_000 - (index % 500)),
  quantity: dec('0.002'),
  postOnly: true,
  reduceOnly: false,
  clientOrderId,
});

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Place + cancel round trips in ms, sorted, after a warm-up. */
async function roundTrips(budget: RequestBudget | undefined, prefix: string): Promise<number[]> {
  const exchange = new CcxtExchange({
    name: 'sim-venue',
    ccxtId: 'binanceusdm',
    marketType: 'future',
    ...CREDENTIALS,
    baseUrl: server.url,
    rateLimitMs: 1,
    requestBudget: budget,
  });
  try {
    const samples: number[] = [];
    for (let index = 0; index < 20 + TRIPS; index += 1) {
      const clientOrderId = `${prefix}${index}`;
      const start = performance.now();
      await exchange.placeOrder(request(index, clientOrderId));
      await exchange.cancelOrder('BTCUSDT', { clientOrderId });
      if (index >= 20) samples.push(performance.now() - start);
    }
    return samples.sort((a, b) => a - b);
  } finally {
    await exchange.close();
  }
}

async function takes(budget: SharedRateBudget): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < 50 + TAKES; index += 1) {
    const start = performance.now();
    const answer = await budget.take({ weight: 1, orders: 1 });
    if (!answer.granted) throw new Error('rate budget bench: a take was refused');
    if (index >= 50) samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

const figure = (value: number) => (value >= 1000 ? value.toFixed(0) : value.toPrecision(3));
const row = (name: string, value: number, baseline: number) =>
  console.log(
    `${name.padEnd(48)} ${figure(value).padStart(8)} ms  baseline ${figure(baseline).padStart(8)} ms  ratio ${figure(value / baseline)}`,
  );

const etcd = await startEtcd();
const postgres = await createPostgresDatabase();
const stores: { name: string; open: () => Promise<BudgetStore> }[] = [
  { name: 'memory', open: async () => new MemoryBudgetStore() },
  { name: 'redis', open: async () => new RedisBudgetStore({ addr: new URL(services.redis.url).host }) },
  { name: 'etcd', open: async () => new EtcdBudgetStore({ endpoints: [etcd.endpoint] }) },
  {
    name: 'postgres',
    open: async () =>
      new SqlBudgetStore({
        db: await createSqlConnection({ dialect: 'postgres', connection: postgres.url, poolSize: 2 }),
        dialect: 'postgres',
        ownsDb: true,
      }),
  },
];
try {
  const without = await roundTrips(undefined, 'none-');
  const results: { name: string; trips: number[]; takes: number[] }[] = [];
  for (const { name, open } of stores) {
    const budget = new SharedRateBudget({ store: await open(), key: `bench:budget:${randomUUID()}`, rules: RULES });
    try {
      results.push({ name, trips: await roundTrips(budget, `${name}-`), takes: await takes(budget) });
    } finally {
      await budget.close();
    }
  }
  console.log(`## order round trip (place + cancel) through ccxt → HTTP → sim-venue, ${TRIPS} trips`);
  for (const { name, trips } of results) {
    row(`${name} budget p50`, percentile(trips, 50), percentile(without, 50));
    row(`${name} budget p99`, percentile(trips, 99), percentile(without, 99));
  }
  console.log('   (baseline: the same round trip without a budget, p50 / p99)');
  console.log(`## one take (read + compare-and-set), ${TAKES} takes`);
  for (const { name, takes: samples } of results)
    row(
      `${name} take p50 (p99 ${figure(percentile(samples, 99))} ms)`,
      percentile(samples, 50),
      percentile(without, 50) / 2,
    );
  console.log('   (baseline: half the round trip without a budget, i.e. one REST request, p50)');
} finally {
  await server.close();
  await etcd.close();
  await postgres.drop();
}
