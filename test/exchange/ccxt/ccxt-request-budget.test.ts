/**
 * CcxtExchange(binanceusdm) with the shared request budget, against a sim-venue enforcing Binance's
 * order-rate limit: clients of one account sharing a budget never get refused by the venue, a 429's
 * Retry-After stops every client before the venue bans (418), and a short budget goes to the orders
 * asked for first (the grid asks nearest to the market first).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBudgetStore } from '../../../src/coordination/rate-budget/memory-budget-store.js';
import type { RateLimitRule } from '../../../src/coordination/rate-budget/budget-windows.js';
import { SharedRateBudget } from '../../../src/coordination/rate-budget/shared-rate-budget.js';
import { limitBuy } from './limit-buy.js';
import { CcxtExchange } from '../../../src/exchange/ccxt/ccxt-exchange.js';
import { RateLimitedError } from '../../../src/exchange/errors.js';
import { BINANCE_LIMITS } from '../../../src/exchange/sim-venue/binance-rate-limits.js';
import { startSimVenueServer } from '../../../src/exchange/sim-venue/sim-venue-server.js';

const credentials = { apiKey: 'budget-key', apiSecret: 'budget-secret' };
// Both the venue's windows and the budget's run on this pinned clock: every request falls in one window.
const NOW = 1_700_000_003_000;
const opened: { close(): Promise<void> }[] = [];

async function venueWithClients(
  venueOrdersPer10s: number,
  budgetRules: readonly RateLimitRule[] | undefined,
  clients: number,
): Promise<{
  exchanges: CcxtExchange[];
  refusals: { code: number; msg: string }[];
  admin(path: string): Promise<void>;
}> {
  const refusals: { code: number; msg: string }[] = [];
  const server = await startSimVenueServer({
    accounts: [credentials],
    stepIntervalMs: 0,
    admin: true,
    limits: { ordersPer10Seconds: venueOrdersPer10s },
    limitsClock: () => NOW,
    onRequestError: ({ code, msg }) => refusals.push({ code, msg }),
  });
  opened.push(server);
  const store = new MemoryBudgetStore();
  const exchanges = Array.from({ length: clients }, () => {
    const exchange = new CcxtExchange({
      name: 'binance',
      ccxtId: 'binanceusdm',
      marketType: 'future',
      ...credentials,
      baseUrl: server.url,
      requestBudget:
        budgetRules === undefined
          ? undefined
          : new SharedRateBudget({ store, key: 'budget:binance:account', rules: budgetRules, now: () => NOW }),
    });
    opened.push(exchange);
    return exchange;
  });
  await Promise.all(exchanges.map((exchange) => exchange.market('BTCUSDT')));
  const admin = async (path: string) => {
    expect((await fetch(`${server.url}${path}`, { method: 'POST' })).status).toBe(200);
  };
  return { exchanges, refusals, admin };
}

/** What a placement's refusal says: its class and the wait it carries. */
const refusalOf = (outcome: PromiseSettledResult<unknown>) =>
  outcome.status === 'fulfilled'
    ? 'placed'
    : outcome.reason instanceof RateLimitedError
      ? { rateLimited: outcome.reason.retryAfterMs }
      : String(outcome.reason);

afterEach(async () => {
  for (const resource of opened.splice(0).reverse()) await resource.close();
});

describe('CcxtExchange with the shared request budget', () => {
  it('clients of one account sharing a budget place exactly its orders and are never refused by the venue', async () => {
    const rules = [{ name: 'orders-10s', counts: 'orders', limit: 8, windowMs: 10_000 }] as const;
    const { exchanges, refusals } = await venueWithClients(8, rules, 2);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) => exchanges[index % 2]!.placeOrder(limitBuy(`share-${index}`))),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(8);
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') {
        expect(outcome.reason).toBeInstanceOf(RateLimitedError);
        expect((outcome.reason as RateLimitedError).retryAfterMs).toBe(7_000);
      }
    expect(refusals).toEqual([]);
  });

  it("honours a 429's Retry-After for every client: the venue refuses once and never bans", async () => {
    // The budget knows no order limit (a misconfigured or unknown one): only the venue's answer can stop it.
    const rules = [{ name: 'weight-1m', counts: 'weight', limit: 10_000, windowMs: 60_000 }] as const;
    const { exchanges, refusals } = await venueWithClients(3, rules, 2);
    const outcomes: string[] = [];
    for (let index = 0; index < 10; index += 1) {
      await exchanges[index % 2]!.placeOrder(limitBuy(`pause-${index}`)).then(
        () => outcomes.push('placed'),
        (error: unknown) => outcomes.push(error instanceof RateLimitedError ? 'rate-limited' : String(error)),
      );
    }
    expect(outcomes).toEqual([...Array(3).fill('placed'), ...Array(7).fill('rate-limited')]);
    expect(refusals.map((refusal) => refusal.code)).toEqual([-1015]);
    expect(refusals.some((refusal) => /banned/.test(refusal.msg))).toBe(false);
  });

  it('grants a short budget to the orders asked for first', async () => {
    const rules = [{ name: 'orders-10s', counts: 'orders', limit: 3, windowMs: 10_000 }] as const;
    const { exchanges } = await venueWithClients(300, rules, 1);
    // Asked for nearest first, as the grid does: 49990, 49980, ... below a 50000 market.
    const prices = ['49990', '49980', '49970', '49960', '49950'];
    const outcomes = await Promise.allSettled(
      prices.map((price, index) => exchanges[0]!.placeOrder(limitBuy(`near-${index}`, price))),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
  });

  it("carries a 429's Retry-After and a 418's ban into RateLimitedError.retryAfterMs", async () => {
    // No budget: every request reaches the venue, which counts 2 orders per 10 s on the pinned clock
    // (7 s left in the window) and bans the third refusal in one back-off for 120 s.
    const { exchanges, refusals } = await venueWithClients(2, undefined, 1);
    const outcomes = [];
    for (let index = 0; index < 5; index += 1)
      outcomes.push(refusalOf((await Promise.allSettled([exchanges[0]!.placeOrder(limitBuy(`wait-${index}`))]))[0]!));
    expect(outcomes).toEqual([
      'placed',
      'placed',
      { rateLimited: 7_000 },
      { rateLimited: 7_000 },
      { rateLimited: BINANCE_LIMITS.banSeconds * 1000 },
    ]);
    expect(refusals.map((refusal) => refusal.msg)).toEqual([
      expect.stringMatching(/^Too many new orders/),
      expect.stringMatching(/^Too many new orders/),
      expect.stringMatching(/IP banned until \d+/),
    ]);
  });

  it('a 418 stops every client of the account until its Retry-After, reads included, without asking the venue', async () => {
    const rules = [{ name: 'weight-1m', counts: 'weight', limit: 10_000, windowMs: 60_000 }] as const;
    const { exchanges, refusals, admin } = await venueWithClients(300, rules, 2);
    await admin('/_sim/ban?path=/fapi/v1/order&method=POST&count=1&retryAfter=90');
    const [banned] = await Promise.allSettled([exchanges[0]!.placeOrder(limitBuy('banned-0'))]);
    expect(refusalOf(banned!)).toEqual({ rateLimited: 90_000 });
    // The other client of the account, and a read: refused by the shared budget, never sent.
    const others = await Promise.allSettled([
      exchanges[1]!.placeOrder(limitBuy('banned-1')),
      exchanges[1]!.openOrders('BTCUSDT'),
    ]);
    expect(others.map(refusalOf)).toEqual([{ rateLimited: 90_000 }, { rateLimited: 90_000 }]);
    expect(refusals).toHaveLength(1);
  });
});
