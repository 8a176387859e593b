/**
 * One rate-limit budget per venue account across the cluster (issue 12 item 5), end to end: three
 * QuantMesh processes trade one sim-venue account (one symbol each, static allocation) through the
 * ccxt adapter and a Redis lock backend. The venue enforces a small order-rate limit (Binance's
 * rules: 429 with Retry-After, a 418 ban for a client that keeps going); started together, the
 * three grids ask for three times what one window allows: once at start, and again at once when
 * the venue cancels every order of the account. Sharing the account's budget through
 * Redis, they must place every grid order with no 418 and at most the 429s the venue tolerates
 * before banning (`banAfterRefusals - 1`).
 */
import { describe, expect, it } from 'vitest';
import { BINANCE_LIMITS } from '../../src/exchange/sim-venue/binance-rate-limits.js';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { until } from '../harness/until.js';
import { startCluster } from './cluster-fixture.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const ORDERS_PER_10S = 12;
const BUYS_PER_GRID = 8;

describe('one rate-limit budget per venue account across the cluster', () => {
  const cleanup = cleanupAfterAll();

  it('three instances sharing one account push a burst: no 418, at most the allowed 429s', async () => {
    const cluster = await startCluster(
      {
        name: 'budget',
        lock: 'redis',
        leaseTtlMs: 3000,
        symbols: simSymbolsNamed(SYMBOLS),
        venue: { limits: { ordersPer10Seconds: ORDERS_PER_10S } },
        exchangeYaml: `    rate_limits: { orders_per_10s: ${ORDERS_PER_10S} }\n`,
        grid: (symbol) =>
          `price_interval: "${symbol === 'BTCUSDT' ? 50 : symbol === 'ETHUSDT' ? 5 : 0.5}", order_quantity: "130", buy_window_size: ${BUYS_PER_GRID}, sell_window_size: 4, reconcile_interval: 5s`,
        nodes: SYMBOLS.map((symbol, index) => ({ id: `budget-${index}`, symbols: [symbol] })),
      },
      cleanup,
    );
    await Promise.all(cluster.nodes.map((node) => node.start()));
    const { venue, account } = cluster;
    // Counted at the venue: a node's own working count includes orders still waiting to be sent.
    const placedEverywhere = () =>
      SYMBOLS.every((symbol) => venue.engine.openOrders(account.accountId, symbol).length >= BUYS_PER_GRID);
    await until(placedEverywhere, 'every grid has placed its buys', 240_000);

    // The burst: the venue cancels every order of the account at once, and the three grids, each in
    // its own process, re-place all of theirs in the same moment (three times one window's orders).
    const acceptedBefore = cluster.record.acceptedIds.length;
    for (const symbol of SYMBOLS) venue.engine.cancelAllOrders(account.accountId, symbol);
    await until(placedEverywhere, 'every grid has re-placed its buys', 240_000);

    const banned = cluster.refused.filter((refusal) => /banned/.test(refusal.msg));
    const throttled = cluster.refused.filter((refusal) => /^Too many/.test(refusal.msg));
    expect(banned).toEqual([]);
    expect(throttled.length).toBeLessThanOrEqual(BINANCE_LIMITS.banAfterRefusals - 1);
    // The burst really was over the limit: placing it took more than one window.
    expect(cluster.record.acceptedIds.length - acceptedBefore).toBeGreaterThan(ORDERS_PER_10S);
    for (const node of cluster.nodes) expect(await node.stop()).toBe(0);
  }, 600_000);
});
