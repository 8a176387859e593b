/** Unit tests of the sim engine: determinism, partial fills, fees, margin, rate limits, spot, candles. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { Fill } from '../../../src/domain/fill.js';
import type { Candle } from '../../../src/domain/market.js';
import {
  AuthenticationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  RateLimitedError,
  ReduceOnlyRejectedError,
} from '../../../src/exchange/errors.js';
import type { PlaceOrderRequest } from '../../../src/exchange/exchange.js';
import { SimMatchingEngine } from '../../../src/exchange/sim/sim-matching-engine.js';
import { type SimEngineSettings, defaultSimSymbols } from '../../../src/exchange/sim/sim-settings.js';

const ACCOUNT = 'a1';

function engineWith(overrides: Partial<SimEngineSettings> = {}): SimMatchingEngine {
  return new SimMatchingEngine({
    seed: 7,
    symbols: defaultSimSymbols(),
    accounts: [{ id: ACCOUNT, balances: { USDT: dec(10000) } }],
    ...overrides,
  });
}

function order(
  side: 'BUY' | 'SELL',
  price: string,
  quantity: string,
  clientOrderId: string,
  extra: Partial<PlaceOrderRequest> = {},
): PlaceOrderRequest {
  return {
    symbol: 'BTCUSDT',
    side,
    type: 'LIMIT',
    price: dec(price),
    quantity: dec(quantity),
    postOnly: false,
    reduceOnly: false,
    clientOrderId,
    ...extra,
  };
}

/** A grid of resting orders around the start price, then `steps` steps; returns prices and fills. */
function run(seed: number, steps: number): { prices: string[]; fills: string[] } {
  const engine = engineWith({ seed, accounts: [{ id: ACCOUNT, balances: { USDT: dec(1_000_000) } }] });
  const prices: string[] = [];
  const fills: string[] = [];
  engine.subscribe({
    onPrice: (tick) => prices.push(`${tick.symbol}@${tick.time}=${tick.price.toFixed()}`),
    onExecution: (_account, _order, fill) => {
      if (fill !== undefined)
        fills.push(`${fill.tradeId}:${fill.clientOrderId}:${fill.price.toFixed()}:${fill.quantity.toFixed()}`);
    },
  });
  for (let level = 1; level <= 10; level += 1) {
    engine.placeOrder(ACCOUNT, order('BUY', String(60000 - level * 20), '0.01', `b${level}`));
    engine.placeOrder(ACCOUNT, order('SELL', String(60000 + level * 20), '0.01', `s${level}`));
  }
  for (let step = 0; step < steps; step += 1) engine.step();
  return { prices, fills };
}

describe('SimMatchingEngine', () => {
  it('is deterministic for a seed: same prices, fills and ids; another seed takes another path', () => {
    const first = run(11, 600);
    expect(run(11, 600)).toEqual(first);
    expect(first.fills.length).toBeGreaterThan(0);
    expect(run(12, 600).prices).not.toEqual(first.prices);
  });

  it('moves the simulated clock only when stepped, by tickMs per step', () => {
    const engine = engineWith({ tickMs: 250, startTime: 1_000_000 });
    expect(engine.now()).toBe(1_000_000);
    engine.advance(1000);
    expect(engine.now()).toBe(1_001_000);
  });

  it('keeps every price on the tick grid and positive', () => {
    const engine = engineWith({ symbols: [{ ...defaultSimSymbols()[0]!, volatility: 5 }] });
    for (let step = 0; step < 2000; step += 1) {
      engine.step();
      const price = engine.price('BTCUSDT');
      expect(price.mod(dec('0.1')).isZero() && price.isPositive()).toBe(true);
    }
  });

  it('fills a resting order partially per step under a liquidity cap, at its limit price', () => {
    const engine = engineWith({ liquidityPerTick: dec('0.004') });
    engine.placeOrder(ACCOUNT, order('BUY', '59000', '0.01', 'p1'));
    engine.setPrice('BTCUSDT', dec('58900'));
    expect(engine.getOrder(ACCOUNT, 'BTCUSDT', 'p1')).toMatchObject({ status: 'PARTIALLY_FILLED' });
    engine.setPrice('BTCUSDT', dec('58950'));
    engine.setPrice('BTCUSDT', dec('58999.9'));
    const done = engine.getOrder(ACCOUNT, 'BTCUSDT', 'p1');
    expect(done?.status).toBe('FILLED');
    expect(done?.averagePrice?.toFixed()).toBe('59000');
    expect(engine.fillsAfter(ACCOUNT, 'BTCUSDT', undefined, 10).map((fill) => fill.quantity.toFixed())).toEqual([
      '0.004',
      '0.004',
      '0.002',
    ]);
  });

  it('charges the maker fee on resting fills and the taker fee on crossing ones', () => {
    const engine = engineWith({ fees: { maker: dec('0.0001'), taker: dec('0.0004') } });
    engine.placeOrder(ACCOUNT, order('BUY', '59000', '0.01', 'maker'));
    engine.setPrice('BTCUSDT', dec('59000'));
    engine.placeOrder(ACCOUNT, order('SELL', '58000', '0.01', 'taker'));
    const [maker, taker] = engine.fillsAfter(ACCOUNT, 'BTCUSDT', undefined, 10) as [Fill, Fill];
    expect([maker.isMaker, maker.fee.toFixed()]).toEqual([true, '0.059']);
    // The taker sells at the market price (59000), not its limit.
    expect([taker.isMaker, taker.price.toFixed(), taker.fee.toFixed()]).toEqual([false, '59000', '0.236']);
    const usdt = engine.balances(ACCOUNT).find((balance) => balance.asset === 'USDT');
    expect(usdt?.total.toFixed()).toBe('9999.705'); // 10000 − 0.059 − 0.236, position closed flat at the same price
  });

  it('books realised PnL when a position is reduced', () => {
    const engine = engineWith({ fees: { maker: dec(0), taker: dec(0) } });
    engine.placeOrder(ACCOUNT, order('BUY', '60000', '0.1', 'open', { type: 'MARKET', price: undefined }));
    engine.setPrice('BTCUSDT', dec('61000'));
    engine.placeOrder(
      ACCOUNT,
      order('SELL', '61000', '0.04', 'close', { type: 'MARKET', price: undefined, reduceOnly: true }),
    );
    const [position] = engine.positions(ACCOUNT, ['BTCUSDT']);
    expect([position?.quantity.toFixed(), position?.entryPrice.toFixed(), position?.unrealizedPnl.toFixed()]).toEqual([
      '0.06',
      '60000',
      '60',
    ]);
    expect(engine.balances(ACCOUNT)[0]?.total.toFixed()).toBe('10040');
  });

  it('refuses an order whose initial margin exceeds the available margin, counting open orders', () => {
    const engine = engineWith();
    engine.setLeverage(ACCOUNT, 'BTCUSDT', 2);
    engine.placeOrder(ACCOUNT, order('BUY', '50000', '0.3', 'big')); // 7500 of 10000 margin
    expect(() => engine.placeOrder(ACCOUNT, order('BUY', '50000', '0.2', 'more'))).toThrow(InsufficientMarginError);
    engine.cancelOrder(ACCOUNT, 'BTCUSDT', { clientOrderId: 'big' });
    expect(engine.placeOrder(ACCOUNT, order('BUY', '50000', '0.2', 'more')).status).toBe('NEW');
  });

  it('expires what a reduce-only order could only fill by flipping the position', () => {
    const engine = engineWith();
    expect(() => engine.placeOrder(ACCOUNT, order('SELL', '61000', '0.01', 'r0', { reduceOnly: true }))).toThrow(
      ReduceOnlyRejectedError,
    );
    engine.placeOrder(ACCOUNT, order('BUY', '60000', '0.02', 'long', { type: 'MARKET', price: undefined }));
    engine.placeOrder(ACCOUNT, order('SELL', '61000', '0.02', 'r1', { reduceOnly: true }));
    engine.placeOrder(ACCOUNT, order('SELL', '60500', '0.01', 'plain'));
    engine.setPrice('BTCUSDT', dec('60600'));
    engine.setPrice('BTCUSDT', dec('61000'));
    expect(engine.getOrder(ACCOUNT, 'BTCUSDT', 'r1')).toMatchObject({ status: 'EXPIRED' });
    expect(engine.getOrder(ACCOUNT, 'BTCUSDT', 'r1')?.filledQuantity.toFixed()).toBe('0.01');
    expect(engine.positions(ACCOUNT, ['BTCUSDT'])[0]?.quantity.toFixed()).toBe('0');
  });

  it('with clientOrderIdScope "all" refuses ids of closed orders too', () => {
    const engine = engineWith({ clientOrderIdScope: 'all' });
    engine.placeOrder(ACCOUNT, order('BUY', '59000', '0.01', 'once'));
    engine.cancelOrder(ACCOUNT, 'BTCUSDT', { clientOrderId: 'once' });
    expect(() => engine.placeOrder(ACCOUNT, order('BUY', '59000', '0.01', 'once'))).toThrow(
      DuplicateClientOrderIdError,
    );
  });

  it('with history "forgotten" drops ended orders at the next step and keeps no fills; open ones stay', () => {
    const forgetful = engineWith({ history: 'forgotten' });
    const fills: string[] = [];
    forgetful.subscribe({ onExecution: (_account, _order, fill) => fill && fills.push(fill.clientOrderId) });
    forgetful.placeOrder(ACCOUNT, order('BUY', '59000', '0.01', 'filled'));
    forgetful.placeOrder(ACCOUNT, order('BUY', '58000', '0.01', 'canceled'));
    forgetful.placeOrder(ACCOUNT, order('BUY', '1000', '0.01', 'resting'));
    forgetful.setPrice('BTCUSDT', dec('58900'));
    forgetful.cancelOrder(ACCOUNT, 'BTCUSDT', { clientOrderId: 'canceled' });
    // Until the next step the ended orders still answer (a cancel racing a fill gets the fill's report).
    expect(forgetful.getOrder(ACCOUNT, 'BTCUSDT', 'filled')?.status).toBe('FILLED');
    expect(forgetful.getOrder(ACCOUNT, 'BTCUSDT', 'canceled')?.status).toBe('CANCELED');
    // The id is free again (scope `open`): the reuse must survive the old order being forgotten.
    forgetful.placeOrder(ACCOUNT, order('BUY', '1000', '0.01', 'canceled'));
    forgetful.step();
    expect(forgetful.getOrder(ACCOUNT, 'BTCUSDT', 'filled')).toBeUndefined();
    expect(forgetful.getOrder(ACCOUNT, 'BTCUSDT', 'canceled')?.status).toBe('NEW');
    expect(forgetful.getOrder(ACCOUNT, 'BTCUSDT', 'resting')?.status).toBe('NEW');
    expect(forgetful.orderHistory(ACCOUNT, 'BTCUSDT').map((kept) => kept.clientOrderId)).toEqual([
      'resting',
      'canceled',
    ]);
    expect(fills).toEqual(['filled']);
    expect(forgetful.fillsAfter(ACCOUNT, 'BTCUSDT', undefined, 10)).toEqual([]);

    // The default keeps the venue's whole history.
    const venue = engineWith();
    venue.placeOrder(ACCOUNT, order('BUY', '59000', '0.01', 'filled'));
    venue.setPrice('BTCUSDT', dec('58900'));
    venue.step();
    expect(venue.getOrder(ACCOUNT, 'BTCUSDT', 'filled')?.status).toBe('FILLED');
    expect(venue.fillsAfter(ACCOUNT, 'BTCUSDT', undefined, 10)).toHaveLength(1);
  });

  it('refuses requests beyond the budget until the simulated window rolls over', () => {
    const engine = engineWith({ rateLimit: { limit: 3, windowMs: 10_000 }, tickMs: 1000 });
    for (let request = 0; request < 3; request += 1) engine.consumeRequest(ACCOUNT);
    expect(() => engine.consumeRequest(ACCOUNT)).toThrow(RateLimitedError);
    engine.advance(10_000);
    expect(() => engine.consumeRequest(ACCOUNT)).not.toThrow();
    expect(() => engine.consumeRequest('stranger')).toThrow(AuthenticationError);
  });

  it('keeps spot balances: buys reserve quote with the taker fee, fills move base and quote', () => {
    const engine = new SimMatchingEngine({
      seed: 1,
      symbols: [
        {
          symbol: 'ETHBTC',
          base: 'ETH',
          quote: 'BTC',
          type: 'spot',
          tickSize: dec('0.00001'),
          stepSize: dec('0.001'),
          minQuantity: dec('0.001'),
          minNotional: dec('0.0001'),
          initialPrice: dec('0.05'),
        },
      ],
      accounts: [{ id: ACCOUNT, balances: { BTC: dec(1), ETH: dec(0) } }],
      fees: { maker: dec('0.001'), taker: dec('0.001') },
    });
    const buy = {
      symbol: 'ETHBTC',
      side: 'BUY' as const,
      type: 'LIMIT' as const,
      price: dec('0.049'),
      quantity: dec(10),
      postOnly: true,
      reduceOnly: false,
      clientOrderId: 'spot-1',
    };
    engine.placeOrder(ACCOUNT, buy);
    expect(
      engine
        .balances(ACCOUNT)
        .find((balance) => balance.asset === 'BTC')
        ?.locked.toFixed(),
    ).toBe('0.49049');
    expect(() => engine.placeOrder(ACCOUNT, { ...buy, quantity: dec(11), clientOrderId: 'spot-2' })).toThrow(
      InsufficientMarginError,
    );
    engine.setPrice('ETHBTC', dec('0.049'));
    const balances = Object.fromEntries(
      engine.balances(ACCOUNT).map((balance) => [balance.asset, [balance.total.toFixed(), balance.locked.toFixed()]]),
    );
    expect(balances).toEqual({ BTC: ['0.50951', '0'], ETH: ['10', '0'] });
    expect(() =>
      engine.placeOrder(ACCOUNT, {
        ...buy,
        side: 'SELL',
        price: dec('0.06'),
        reduceOnly: true,
        postOnly: false,
        clientOrderId: 'spot-3',
      }),
    ).toThrow(InvalidOrderError);
  });

  it('builds candles from the price path and closes them at the interval boundary', () => {
    const engine = engineWith({ startTime: 0, tickMs: 20_000 });
    const candles: Candle[] = [];
    engine.subscribe({ onCandle: (candle) => candles.push(candle) });
    engine.trackCandles('BTCUSDT', '1m');
    engine.advance(120_000);
    const closed = candles.filter((candle) => candle.closed);
    expect(closed.map((candle) => candle.openTime)).toEqual([0, 60_000]);
    const first = candles.filter((candle) => candle.openTime === 0);
    expect(closed[0]?.close.toFixed()).toBe(first.at(-1)?.close.toFixed());
    expect(closed[0]?.high.gte(closed[0].low)).toBe(true);
  });
});
