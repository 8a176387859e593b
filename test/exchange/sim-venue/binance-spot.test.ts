/**
 * The sim venue as Binance spot: ccxt's own `binance` client and QuantMesh's CcxtExchange (spot)
 * against an in-process sim-venue listing spot markets (manual clock, test hooks on), each answer
 * checked for its shape: markets with Binance's filters, tickers, a sorted book, balances, LIMIT /
 * LIMIT_MAKER / MARKET orders, order lookups and history, fills, cancels, Binance spot's refusals,
 * and the user stream through the WebSocket API (executionReport, outboundAccountPosition).
 */
import ccxt, { type Exchange as CcxtClient } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { rebaseUrls } from '../../../src/exchange/ccxt/ccxt-client-factory.js';
import { CcxtExchange } from '../../../src/exchange/ccxt/ccxt-exchange.js';
import {
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  PostOnlyWouldCrossError,
} from '../../../src/exchange/errors.js';
import { simSymbolsNamed } from '../../../src/exchange/sim/sim-settings.js';
import { type SimVenueServer, startSimVenueServer } from '../../../src/exchange/sim-venue/sim-venue-server.js';

const ACCOUNT = {
  apiKey: 'spot-key',
  apiSecret: 'spot-secret',
  accountId: 'spot-account',
  balances: { USDT: dec(10_000) },
};
let server: SimVenueServer;
let client: CcxtClient;

async function admin(path: string): Promise<void> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
}

beforeAll(async () => {
  // A futures BTCUSDT beside the spot ETHUSDT: each API lists only its own markets.
  server = await startSimVenueServer({
    seed: 5,
    stepIntervalMs: 0,
    admin: true,
    accounts: [ACCOUNT],
    symbols: [...simSymbolsNamed(['BTCUSDT']), ...simSymbolsNamed(['ETHUSDT'], 'spot')],
  });
  client = new (ccxt.pro as unknown as Record<string, new (config: object) => CcxtClient>)['binance']!({
    apiKey: ACCOUNT.apiKey,
    secret: ACCOUNT.apiSecret,
    options: { defaultType: 'spot', fetchCurrencies: false },
  });
  client.urls['api'] = rebaseUrls(client.urls['api'], server.url);
  await client.loadHttpProxyAgent();
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

describe('sim venue as Binance spot, through ccxt binance', () => {
  it('lists its spot markets with their filters, and the time', async () => {
    const markets = await client.loadMarkets();
    const eth = markets['ETH/USDT']!;
    expect(eth).toMatchObject({
      id: 'ETHUSDT',
      spot: true,
      base: 'ETH',
      quote: 'USDT',
      precision: { price: 0.01, amount: 0.001 },
      limits: { amount: { min: 0.001 }, cost: { min: 5 } },
    });
    expect(markets['BTC/USDT']).toBeUndefined();
    expect(Math.abs((await client.fetchTime())! - Date.now())).toBeLessThan(60_000);
  });

  it('answers tickers, last prices and a book sorted best first', async () => {
    expect(await client.fetchTicker('ETH/USDT')).toMatchObject({
      symbol: 'ETH/USDT',
      last: 3000,
      bid: 3000,
      ask: 3000,
    });
    expect(Object.keys(await client.fetchTickers())).toEqual(['ETH/USDT']);
    for (const [index, price] of [2990, 2995, 2980].entries())
      await client.createOrder('ETH/USDT', 'limit', 'buy', 0.01, price, { clientOrderId: `book-b${index}` });
    const book = await client.fetchOrderBook('ETH/USDT');
    expect(book.bids).toEqual([
      [2995, 0.01],
      [2990, 0.01],
      [2980, 0.01],
    ]);
    expect(book.asks).toEqual([]);
    await client.cancelAllOrders('ETH/USDT');
    expect(await client.fetchOpenOrders('ETH/USDT')).toEqual([]);
  });

  it('places LIMIT_MAKER, LIMIT and MARKET orders; finds, lists and cancels them; reports fills and balances', async () => {
    const maker = await client.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 2900, {
      clientOrderId: 'spot-maker',
      postOnly: true,
    });
    expect(maker).toMatchObject({
      clientOrderId: 'spot-maker',
      status: 'open',
      type: 'limit',
      postOnly: true,
      side: 'buy',
      price: 2900,
      amount: 0.01,
    });
    const taker = await client.createOrder('ETH/USDT', 'market', 'buy', 0.02, undefined, {
      clientOrderId: 'spot-taker',
    });
    expect(taker).toMatchObject({
      status: 'closed',
      filled: 0.02,
      average: 3000,
      cost: 60,
      fee: { currency: 'USDT', cost: 0.03 },
    });
    expect((await client.fetchOrder('', 'ETH/USDT', { clientOrderId: 'spot-maker' })).status).toBe('open');
    expect((await client.fetchOpenOrders('ETH/USDT')).map((order) => order.clientOrderId)).toEqual(['spot-maker']);
    expect((await client.fetchClosedOrders('ETH/USDT')).map((order) => order.clientOrderId)).toContain('spot-taker');
    const trades = await client.fetchMyTrades('ETH/USDT', undefined, undefined, { fromId: 1 });
    expect(trades.map((trade) => [trade.side, trade.price, trade.amount, trade.takerOrMaker])).toEqual([
      ['buy', 3000, 0.02, 'taker'],
    ]);
    const balance = await client.fetchBalance();
    // 10 000 − 60 − 0.03 fee; 29.0145 locked by the maker buy (2900 × 0.01 × (1 + 0.0005 taker fee)).
    expect(balance['ETH']).toEqual({ free: 0.02, used: 0, total: 0.02 });
    expect(balance['USDT']).toMatchObject({ total: 9939.97, used: 29.0145 });
    expect((await client.cancelOrder('', 'ETH/USDT', { clientOrderId: 'spot-maker' })).status).toBe('canceled');
  });

  it('refuses as Binance spot does: a crossing LIMIT_MAKER, a sell without the base asset, a reduce-only order', async () => {
    await expect(
      client.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 3100, { clientOrderId: 'cross', postOnly: true }),
    ).rejects.toBeInstanceOf(ccxt.OrderImmediatelyFillable);
    await expect(
      client.createOrder('ETH/USDT', 'limit', 'sell', 5, 3100, { clientOrderId: 'no-base' }),
    ).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    await expect(
      client.createOrder('ETH/USDT', 'limit', 'sell', 0.01, 3100, { clientOrderId: 'reduce', reduceOnly: true }),
    ).rejects.toThrow(/-1106|reduceOnly/);
    expect(await client.fetchOpenOrders('ETH/USDT')).toEqual([]);
  });

  it('streams executionReport and outboundAccountPosition through the WebSocket API', async () => {
    // ccxt's own subscribe (userDataStream.subscribe.signature) resolves once the venue acknowledged it.
    await (client as unknown as { authenticate(params: object): Promise<void> }).authenticate({ type: 'spot' });
    const orders = client.watchOrders('ETH/USDT');
    const balances = client.watchBalance();
    await client.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 2990, { clientOrderId: 'stream-1' });
    expect((await orders).map((order) => [order.clientOrderId, order.status])).toContainEqual(['stream-1', 'open']);
    const trades = client.watchMyTrades('ETH/USDT');
    await admin('/_sim/price?symbol=ETHUSDT&price=2985');
    expect((await trades).map((trade) => [trade.order, trade.price, trade.takerOrMaker])).toContainEqual([
      expect.any(String),
      2990,
      'maker',
    ]);
    expect((await balances)['ETH']).toMatchObject({ total: 0.03 });
    expect(await client.fetchOpenOrders('ETH/USDT')).toEqual([]);
  });
});

describe('CcxtExchange (market spot) against the sim venue', () => {
  it("maps Binance spot refusals to the port's typed errors and does not batch", async () => {
    const exchange = new CcxtExchange({
      name: 'binance',
      ccxtId: 'binance',
      marketType: 'spot',
      apiKey: ACCOUNT.apiKey,
      apiSecret: ACCOUNT.apiSecret,
      baseUrl: server.url,
    });
    try {
      expect(exchange.capabilities).toMatchObject({ batchPlace: false, positions: false, leverage: false });
      expect(await exchange.market('ETHUSDT')).toMatchObject({ type: 'spot', base: 'ETH', quote: 'USDT' });
      const request = {
        symbol: 'ETHUSDT',
        side: 'BUY' as const,
        type: 'LIMIT' as const,
        price: dec('2900'),
        quantity: dec('0.01'),
        postOnly: true,
        reduceOnly: false,
        clientOrderId: 'port-1',
      };
      expect(await exchange.placeOrder(request)).toMatchObject({
        clientOrderId: 'port-1',
        status: 'NEW',
        postOnly: true,
      });
      await expect(exchange.placeOrder({ ...request, price: dec('2800') })).rejects.toBeInstanceOf(
        DuplicateClientOrderIdError,
      );
      await expect(
        exchange.placeOrder({ ...request, price: dec('3100'), clientOrderId: 'port-2' }),
      ).rejects.toBeInstanceOf(PostOnlyWouldCrossError);
      await expect(
        exchange.placeOrder({
          ...request,
          side: 'SELL',
          price: dec('3100'),
          quantity: dec('5'),
          postOnly: false,
          clientOrderId: 'port-3',
        }),
      ).rejects.toBeInstanceOf(InsufficientMarginError);
      const results = await exchange.placeOrders([
        { ...request, price: dec('2800'), clientOrderId: 'port-4' },
        { ...request, price: dec('2810'), clientOrderId: 'port-5' },
      ]);
      expect(results.map((result) => result.ok)).toEqual([true, true]);
      expect(await exchange.positions()).toEqual([]);
      expect(await exchange.cancelAllOrders('ETHUSDT')).toBe(3);
    } finally {
      await exchange.close();
    }
  });
});
