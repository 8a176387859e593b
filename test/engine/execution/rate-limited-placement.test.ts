/**
 * A placement refused by the account's request budget is placed again when the budget has room,
 * not at the next market event (docs/venues.md "One rate-limit budget"): a grid through
 * CcxtExchange(binanceusdm) against the sim-venue server, its budget in Redis allowing 2 orders per
 * window. The market never moves after the first price, so only the engine's own wake can place the
 * rest; the nearest buys go first, every level is placed once, and the refused slots are tried again
 * once per wait the budget names, not in a loop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NoopLock } from '../../../src/coordination/lock/noop/noop-lock.js';
import { RedisBudgetStore } from '../../../src/coordination/rate-budget/redis-budget-store.js';
import { SharedRateBudget } from '../../../src/coordination/rate-budget/shared-rate-budget.js';
import type { TradingEngine } from '../../../src/engine/trading-engine.js';
import { CcxtExchange } from '../../../src/exchange/ccxt/ccxt-exchange.js';
import type { RequestBudget } from '../../../src/exchange/request-budget.js';
import { startSimVenueServer } from '../../../src/exchange/sim-venue/sim-venue-server.js';
import type { Database } from '../../../src/storage/database.js';
import { parseClientOrderId } from '../../../src/strategy/grid/client-order-id.js';
import { sharedRedis } from '../../harness/redis.js';
import { until } from '../../harness/until.js';
import { BUY_WINDOW, SYMBOL, engineOn, openStore } from '../runner-fixture.js';

const API_KEY = 'rate-limited-key';
const API_SECRET = 'rate-limited-secret';
const ORDERS_PER_WINDOW = 2;
const WINDOW_MS = 10_000;
/** The budget's clock stands this long before its window ends: each refusal asks to wait that long. */
const WAIT_MS = 1500;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('a placement refused by the request budget', () => {
  it('is placed again when the budget has room, nearest first, once per level, without a market event', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qm-rate-limited-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const server = await startSimVenueServer({
      seed: 7,
      accounts: [{ apiKey: API_KEY, apiSecret: API_SECRET }],
      stepIntervalMs: 0,
      admin: true,
    });
    closers.push(() => server.close());
    // Every order the venue accepted, once, in the order it accepted them.
    const acceptedById = new Map<string, string>();
    server.engine.subscribe({
      onExecution: (_account, report) => void acceptedById.set(report.exchangeOrderId, report.clientOrderId),
    });
    const accepted = {
      get length() {
        return acceptedById.size;
      },
      ids: () => [...acceptedById.values()],
    };

    // The budget's clock is the test's: pinned WAIT_MS before a window's end until the test moves it on.
    const windowStart = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
    let budgetNow = windowStart + WINDOW_MS - WAIT_MS;
    const redis = await sharedRedis();
    const shared = new SharedRateBudget({
      store: new RedisBudgetStore({ addr: new URL(redis.url).host }),
      key: `${redis.prefix}budget:binance:rate-limited`,
      rules: [{ name: 'orders-10s', counts: 'orders', limit: ORDERS_PER_WINDOW, windowMs: WINDOW_MS }],
      now: () => budgetNow,
    });
    // When (monotonic ms) each placement was refused by the budget: a window goes out as one batch,
    // and a batch the budget cannot take whole goes out one order at a time, so an order is refused
    // in a single order's take.
    const refusals: number[] = [];
    const budget: RequestBudget = {
      take: async (cost) => {
        const answer = await shared.take(cost);
        if (!answer.granted && cost.orders === 1) refusals.push(performance.now());
        return answer;
      },
      pauseFor: (ms) => shared.pauseFor(ms),
      close: () => shared.close(),
    };
    const exchange = new CcxtExchange({
      name: 'binance',
      ccxtId: 'binanceusdm',
      marketType: 'future',
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      baseUrl: server.url,
      requestBudget: budget,
    });
    closers.push(() => exchange.close());
    const database: Database = await openStore(dir);
    closers.push(() => database.close());
    const engine: TradingEngine = engineOn(exchange, () => server.engine.now(), database, new NoopLock());
    closers.push(() => engine.stop({ cancelOnExit: false, closePositions: false }));
    await engine.start();
    await engine.ownershipWon(SYMBOL);

    // The one market event: the grid anchors and asks for its whole buy window, nearest first.
    const post = async (path: string) => {
      expect((await fetch(`${server.url}${path}`, { method: 'POST' })).status).toBe(200);
    };
    await post(`/_sim/price?symbol=${SYMBOL}&price=60000`);
    const levels = () =>
      accepted.ids().map((id) => {
        const parsed = parseClientOrderId(id);
        if (parsed?.purpose !== 'grid') throw new Error(`not a grid order: ${id}`);
        return parsed.level;
      });
    await until(() => accepted.length === ORDERS_PER_WINDOW, 'the budget’s two orders at the venue');
    // The refused slots are tried again once the wait the budget named is over, not before (an
    // immediate re-place would take an intent and a budget round trip per attempt, in a loop).
    const refusedSlots = BUY_WINDOW - ORDERS_PER_WINDOW;
    await until(() => refusals.length >= 2 * refusedSlots, 'the refused slots tried again', 10_000);
    const first = refusals[0]!;
    expect(refusals.filter((at) => at < first + WAIT_MS - 100)).toHaveLength(refusedSlots);
    expect(refusals[refusedSlots]! - first).toBeGreaterThanOrEqual(WAIT_MS - 100);
    expect(accepted.length).toBe(ORDERS_PER_WINDOW);

    // The next window: the engine's wake places the rest with no market event in between.
    budgetNow += WAIT_MS + 1;
    await until(() => accepted.length === BUY_WINDOW, 'the rest of the buy window placed by the wake', 10_000);
    const placed = levels();
    // Nearest to the market first (the buy levels below 60000 are -1, -2, ...), each level once.
    expect(placed.slice(0, ORDERS_PER_WINDOW).sort((a, b) => b - a)).toEqual(
      [...placed].sort((a, b) => b - a).slice(0, ORDERS_PER_WINDOW),
    );
    expect(new Set(placed).size).toBe(BUY_WINDOW);
    expect((await exchange.openOrders(SYMBOL)).length).toBe(BUY_WINDOW);
  }, 60_000);
});
