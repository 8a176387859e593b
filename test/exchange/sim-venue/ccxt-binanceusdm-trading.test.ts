/**
 * ccxt conformance, trading and the account: every unified trading method ccxt's `binanceusdm`
 * implements (orders, amendments, conditional orders, order history, income, account settings)
 * over REST, and the user stream's watchOrders / watchBalance / watchPositions, against the sim venue.
 */
import type { Order } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../harness/until.js';
import { type CcxtVenue, startCcxtVenue } from './ccxt-binanceusdm-fixture.js';

const SYMBOL = 'BTC/USDT:USDT';
let venue: CcxtVenue;

function idOf(order: Order): string {
  if (order.id === undefined) throw new Error('ccxt gave the order no id');
  return order.id;
}

async function price(value: string): Promise<void> {
  await venue.admin(`/_sim/price?symbol=BTCUSDT&price=${value}`);
}

beforeAll(async () => {
  venue = await startCcxtVenue();
  await price('60000');
});

afterAll(async () => {
  await venue?.close();
});

describe('ccxt binanceusdm → sim venue: orders', () => {
  it('editOrder amends a resting limit order in place (same id, new price and amount)', async () => {
    const placed = await venue.client.createOrder(SYMBOL, 'limit', 'buy', 0.002, 59000, { timeInForce: 'GTC' });
    const edited = await venue.client.editOrder(idOf(placed), SYMBOL, 'limit', 'buy', 0.003, 59100);
    expect(edited).toMatchObject({ id: placed.id, price: 59100, amount: 0.003, status: 'open' });
    const open = await venue.client.fetchOpenOrders(SYMBOL);
    expect(open.map((order) => [order.id, order.price, order.amount])).toEqual([[placed.id, 59100, 0.003]]);
    await venue.client.cancelOrder(idOf(placed), SYMBOL);
    const maker = await venue.client.createOrder(SYMBOL, 'limit', 'buy', 0.002, 59000, { timeInForce: 'GTX' });
    await expect(venue.client.editOrder(idOf(maker), SYMBOL, 'limit', 'buy', 0.002, 60100)).rejects.toThrow(
      /Post Only/,
    );
    expect(await venue.client.fetchOrder(idOf(maker), SYMBOL)).toMatchObject({
      price: 59000,
      status: 'open',
      postOnly: true,
    });
    await venue.client.cancelOrder(idOf(maker), SYMBOL);
  });

  it('fetchOrders and fetchClosedOrders list our ended orders; fetchOrder finds them', async () => {
    const market = await venue.client.createOrder(SYMBOL, 'market', 'buy', 0.002);
    const cancelled = await venue.client.createOrder(SYMBOL, 'limit', 'sell', 0.002, 61000, { timeInForce: 'GTC' });
    await venue.client.cancelOrder(idOf(cancelled), SYMBOL);
    const all = await venue.client.fetchOrders(SYMBOL);
    const statusOf = (orders: Order[], id: string) => orders.find((order) => order.id === id)?.status;
    expect(statusOf(all, idOf(market))).toBe('closed');
    expect(statusOf(all, idOf(cancelled))).toBe('canceled');
    const closed = await venue.client.fetchClosedOrders(SYMBOL);
    expect(closed.map((order) => order.id)).toContain(market.id);
    expect(closed.every((order) => order.status === 'closed')).toBe(true);
    expect(await venue.client.fetchOrder(idOf(market), SYMBOL)).toMatchObject({
      status: 'closed',
      filled: 0.002,
      average: 60000,
    });
    const trades = await venue.client.fetchMyTrades(SYMBOL);
    expect(trades.at(-1)).toMatchObject({ order: market.id, price: 60000, amount: 0.002, side: 'buy' });
  });

  it('createOrders and cancelOrders run batches; cancelAllOrders empties the book', async () => {
    const placed = await venue.client.createOrders([
      { symbol: SYMBOL, type: 'limit', side: 'buy', amount: 0.002, price: 58000, params: { timeInForce: 'GTC' } },
      { symbol: SYMBOL, type: 'limit', side: 'buy', amount: 0.002, price: 58100, params: { timeInForce: 'GTC' } },
      { symbol: SYMBOL, type: 'limit', side: 'buy', amount: 0.002, price: 58200, params: { timeInForce: 'GTC' } },
    ]);
    expect(placed.map((order) => order.status)).toEqual(['open', 'open', 'open']);
    const cancelled = await venue.client.cancelOrders([placed[0]?.id as string, placed[1]?.id as string], SYMBOL);
    expect(cancelled.map((order) => order.status)).toEqual(['canceled', 'canceled']);
    await venue.client.cancelAllOrders(SYMBOL);
    expect(await venue.client.fetchOpenOrders(SYMBOL)).toEqual([]);
  });

  it("countdownCancelAll cancels the symbol's open orders when the countdown runs out", async () => {
    await venue.client.createOrder(SYMBOL, 'limit', 'buy', 0.002, 57000, { timeInForce: 'GTC' });
    await (venue.client as unknown as Record<string, (params: object) => Promise<unknown>>)[
      'fapiPrivatePostCountdownCancelAll'
    ]?.({ symbol: 'BTCUSDT', countdownTime: 200 });
    await until(
      async () => (await venue.client.fetchOpenOrders(SYMBOL)).length === 0,
      'the countdown to cancel the open order',
    );
  });
});

describe('ccxt binanceusdm → sim venue: conditional orders (Algo Order API)', () => {
  it('a STOP_MARKET sell waits, fires when the price falls to its trigger and closes the position', async () => {
    await price('60000');
    const position = (await venue.client.fetchPositions([SYMBOL]))[0];
    const size = position?.contracts as number;
    expect(size).toBeGreaterThan(0);
    const stop = await venue.client.createOrder(SYMBOL, 'STOP_MARKET', 'sell', size, undefined, {
      triggerPrice: 59500,
      reduceOnly: true,
    });
    expect(stop).toMatchObject({
      status: 'open',
      triggerPrice: 59500,
      type: 'market',
      info: { orderType: 'STOP_MARKET', algoStatus: 'NEW' },
    });
    expect(
      (await venue.client.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).map((order) => order.id),
    ).toEqual([stop.id]);
    // A conditional order is not an order of the order endpoints until it fires.
    expect(await venue.client.fetchOpenOrders(SYMBOL)).toEqual([]);
    await price('59600');
    expect((await venue.client.fetchOrder(idOf(stop), SYMBOL, { trigger: true })).status).toBe('open');
    await price('59400');
    expect((await venue.client.fetchOrder(idOf(stop), SYMBOL, { trigger: true })).status).toBe('closed');
    expect(await venue.client.fetchOrder(idOf(stop), SYMBOL)).toMatchObject({
      status: 'closed',
      filled: size,
      average: 59400,
    });
    expect((await venue.client.fetchPositions([SYMBOL]))[0]?.contracts ?? 0).toBe(0);
  });

  it('a TAKE_PROFIT_MARKET can be cancelled; one the price already reached is refused', async () => {
    await venue.client.createOrder(SYMBOL, 'market', 'buy', 0.002);
    const takeProfit = await venue.client.createOrder(SYMBOL, 'TAKE_PROFIT_MARKET', 'sell', 0.002, undefined, {
      triggerPrice: 60500,
      reduceOnly: true,
    });
    const cancelled = await venue.client.cancelOrder(idOf(takeProfit), SYMBOL, { trigger: true });
    expect(cancelled.id).toBe(takeProfit.id);
    expect((await venue.client.fetchOrder(idOf(takeProfit), SYMBOL, { trigger: true })).status).toBe('canceled');
    // A sell stop above the price would fire at once: Binance refuses it (-2021).
    await expect(
      venue.client.createOrder(SYMBOL, 'STOP_MARKET', 'sell', 0.002, undefined, {
        triggerPrice: 60500,
        reduceOnly: true,
      }),
    ).rejects.toThrow(/immediately trigger/);
    const history = await venue.client.fetchOrders(SYMBOL, undefined, undefined, { trigger: true });
    expect(history.map((order) => order.id)).toEqual(expect.arrayContaining([takeProfit.id]));
    await venue.client.createOrder(SYMBOL, 'market', 'sell', 0.002, undefined, { reduceOnly: true });
  });
});

describe('ccxt binanceusdm → sim venue: account', () => {
  it("fetchLedger has each fill's commission and realised PnL, summing to the wallet change", async () => {
    const before = (await venue.client.fetchBalance())['USDT']?.total as number;
    await price('60000');
    await venue.client.createOrder(SYMBOL, 'market', 'buy', 0.01);
    await price('60100');
    await venue.client.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { reduceOnly: true });
    const after = (await venue.client.fetchBalance())['USDT']?.total as number;
    const ledger = await venue.client.fetchLedger('USDT', undefined, 1000);
    const types = new Set(ledger.map((entry) => entry.type));
    expect(types).toEqual(new Set(['commission', 'trade']));
    const lastTwo = ledger.filter((entry) => entry.type === 'trade').at(-1);
    expect(lastTwo?.amount).toBeCloseTo(1, 9);
    const total = ledger.reduce(
      (sum, entry) => sum + (entry.direction === 'out' ? -1 : 1) * (entry.amount as number),
      0,
    );
    expect(100000 + total).toBeCloseTo(after, 6);
    expect(after).toBeLessThan(before + 1);
  });

  it('fetchFundingHistory: the sim charges no funding', async () => {
    expect(await venue.client.fetchFundingHistory(SYMBOL)).toEqual([]);
  });

  it('setMarginMode cross and setPositionMode one-way answer as Binance when nothing changes; the unsimulated modes are refused', async () => {
    // ccxt throws MarginModeAlreadySet on Binance's -4046 by default (its option throwMarginModeAlreadySet).
    await expect(venue.client.setMarginMode('cross', SYMBOL)).rejects.toThrow(/No need to change margin type/);
    await expect(venue.client.setMarginMode('isolated', SYMBOL)).rejects.toThrow(/not simulated/);
    expect((await venue.client.fetchPositionMode(SYMBOL)).hedged).toBe(false);
    await expect(venue.client.setPositionMode(false)).rejects.toThrow(/No need to change position side/);
    await expect(venue.client.setPositionMode(true)).rejects.toThrow(/not simulated/);
    expect(await venue.client.setLeverage(5, SYMBOL)).toMatchObject({ leverage: 5 });
  });
});

describe('ccxt binanceusdm → sim venue: user stream', () => {
  it('watchOrders, watchBalance and watchPositions report a fill', async () => {
    await price('60000');
    const orders = venue.client.watchOrders(SYMBOL);
    const balance = venue.client.watchBalance();
    const positions = venue.client.watchPositions([SYMBOL]);
    // Subscriptions open asynchronously: keep trading small amounts until every watch has answered.
    let settled = 0;
    const all = Promise.all([orders, balance, positions]).finally(() => {
      settled = 1;
    });
    while (settled === 0) {
      await venue.client.createOrder(SYMBOL, 'market', 'buy', 0.002);
      await Promise.race([
        all.catch(() => undefined),
        new Promise((resolve) => {
          setTimeout(resolve, 200);
        }),
      ]);
    }
    const [seenOrders, seenBalance, seenPositions] = await all;
    expect(seenOrders.at(-1)).toMatchObject({ symbol: SYMBOL, side: 'buy' });
    expect(seenBalance['USDT']?.total).toBeGreaterThan(0);
    expect(seenPositions.find((position) => position.symbol === SYMBOL)?.contracts).toBeGreaterThan(0);
  });
});
