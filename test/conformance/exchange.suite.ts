/**
 * Conformance suite of the Exchange port (style rule 12). Every adapter's test calls
 * `exchangeConformanceSuite` with a fixture factory; cases are numbered and mapped to requirements:
 * - Invariant 1 (no duplicate orders): E07 duplicate client order id, E03 cancel, E02 lookup by client id;
 * - Invariant 2 (fills exactly once): E09 fills-since cursor, E10 execution stream;
 * - Invariant 3 (positions agree): E08, E14 positions and balances;
 * - R10 (faults): E11 streams recover after the venue drops them, E13 malformed stream message;
 * - market data for the grid: E17 candles built from the venue's price path;
 * - fail safe on bad input / credentials: E06, E12, E15, E18 (client order id limits, style rule 10).
 * Backend differences come from the fixture's `wire` flag (streams over a connection that can drop).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Decimal, dec } from '../../src/domain/decimal.js';
import {
  AuthenticationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  PostOnlyWouldCrossError,
  ReduceOnlyRejectedError,
  UnknownOrderError,
  UnknownSymbolError,
} from '../../src/exchange/errors.js';
import type { Exchange, ExecutionEvent, PlaceOrderRequest } from '../../src/exchange/exchange.js';
import type { Candle } from '../../src/domain/market.js';

/**
 * A venue for one test: symbol `BTCUSDT` (tick 0.1, step 0.001, min notional 5) at price 60000, an
 * account with 100000 USDT, maker fee 0.0002, taker 0.0005, at most 0.005 filled per resting order
 * per price step (partial fills).
 */
export interface ExchangeFixture {
  readonly exchange: Exchange;
  /** True when streams run over a connection the venue can drop (served venues). */
  readonly wire: boolean;
  /** Sets the venue's price now; resting orders it crosses fill (one step of liquidity). */
  setPrice(price: string): Promise<void>;
  /** Moves the venue's clock `ticks` steps of 1 s along its seeded price path. */
  step(ticks: number): Promise<void>;
  /** Kills the venue's stream connections from the server side (no-op without a wire). */
  dropStreams(): Promise<void>;
  /** Makes the venue send one malformed frame on the user stream (no-op without a wire). */
  injectMalformed(): Promise<void>;
  /** Warnings the adapter logged so far. */
  warnings(): readonly string[];
  /** The same venue reached with a wrong secret (or an account it does not know). */
  withWrongCredentials(): Exchange;
  close(): Promise<void>;
}

const SYMBOL = 'BTCUSDT';

/** Collects stream values; `next` resolves with the first (past or future) value matching. */
class Collector<T> {
  readonly values: T[] = [];
  readonly #waiters = new Set<{ match: (value: T) => boolean; resolve: (value: T) => void }>();
  push = (value: T): void => {
    this.values.push(value);
    for (const waiter of this.#waiters)
      if (waiter.match(value)) {
        this.#waiters.delete(waiter);
        waiter.resolve(value);
      }
  };
  next(match: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const found = this.values.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (value: T) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error('stream value did not arrive'));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}

function limit(
  side: 'BUY' | 'SELL',
  price: string,
  quantity: string,
  clientOrderId: string,
  extra: Partial<PlaceOrderRequest> = {},
): PlaceOrderRequest {
  return {
    symbol: SYMBOL,
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

const same = (a: Decimal | undefined, b: string) => expect(a?.toFixed()).toBe(dec(b).toFixed());

export function exchangeConformanceSuite(name: string, createFixture: () => Promise<ExchangeFixture>): void {
  describe(`Exchange conformance: ${name}`, () => {
    let fixture: ExchangeFixture;
    let exchange: Exchange;
    beforeEach(async () => {
      fixture = await createFixture();
      exchange = fixture.exchange;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('E01 market metadata is exact and an unknown symbol is refused', async () => {
      const market = await exchange.market(SYMBOL);
      same(market.tickSize, '0.1');
      same(market.stepSize, '0.001');
      same(market.minNotional, '5');
      expect(market.type).toBe('future');
      await expect(exchange.market('NOPEUSDT')).rejects.toBeInstanceOf(UnknownSymbolError);
    });

    it('E02 a placed limit order rests, is open and is found by client order id', async () => {
      const placed = await exchange.placeOrder(limit('BUY', '59000', '0.002', 'e02-a', { postOnly: true }));
      expect(placed).toMatchObject({ status: 'NEW', clientOrderId: 'e02-a', side: 'BUY', postOnly: true });
      same(placed.price, '59000');
      expect((await exchange.openOrders(SYMBOL)).map((order) => order.clientOrderId)).toEqual(['e02-a']);
      expect(await exchange.getOrder(SYMBOL, 'e02-a')).toMatchObject({
        status: 'NEW',
        exchangeOrderId: placed.exchangeOrderId,
      });
      expect(await exchange.getOrder(SYMBOL, 'e02-never-sent')).toBeUndefined();
    });

    it('E03 cancel by client order id closes the order; a second cancel is UnknownOrderError', async () => {
      await exchange.placeOrder(limit('BUY', '59000', '0.002', 'e03-a'));
      expect((await exchange.cancelOrder(SYMBOL, { clientOrderId: 'e03-a' })).status).toBe('CANCELED');
      expect(await exchange.openOrders(SYMBOL)).toEqual([]);
      await expect(exchange.cancelOrder(SYMBOL, { clientOrderId: 'e03-a' })).rejects.toBeInstanceOf(UnknownOrderError);
      expect((await exchange.getOrder(SYMBOL, 'e03-a'))?.status).toBe('CANCELED');
    });

    it('E04 a resting order fills completely at its limit price with the maker fee when the price crosses it', async () => {
      await exchange.placeOrder(limit('BUY', '59000', '0.005', 'e04-a'));
      await fixture.setPrice('58990');
      const order = await exchange.getOrder(SYMBOL, 'e04-a');
      expect(order?.status).toBe('FILLED');
      same(order?.filledQuantity, '0.005');
      same(order?.averagePrice, '59000');
      const { fills } = await exchange.fillsSince(SYMBOL, undefined);
      expect(fills).toHaveLength(1);
      expect(fills[0]).toMatchObject({ clientOrderId: 'e04-a', side: 'BUY', isMaker: true, feeAsset: 'USDT' });
      same(fills[0]?.price, '59000');
      same(fills[0]?.fee, '0.059'); // 59000 × 0.005 × 0.0002
    });

    it('E05 liquidity per step fills a large order partially, then completely', async () => {
      await exchange.placeOrder(limit('SELL', '61000', '0.008', 'e05-a'));
      await fixture.setPrice('61000');
      const partial = await exchange.getOrder(SYMBOL, 'e05-a');
      expect(partial?.status).toBe('PARTIALLY_FILLED');
      same(partial?.filledQuantity, '0.005');
      await fixture.setPrice('61000.5');
      const full = await exchange.getOrder(SYMBOL, 'e05-a');
      expect(full?.status).toBe('FILLED');
      const { fills } = await exchange.fillsSince(SYMBOL, undefined);
      expect(fills.map((fill) => fill.quantity.toFixed())).toEqual(['0.005', '0.003']);
    });

    it('E06 a post-only order that would cross is refused and leaves nothing open', async () => {
      await expect(
        exchange.placeOrder(limit('BUY', '60100', '0.002', 'e06-a', { postOnly: true })),
      ).rejects.toBeInstanceOf(PostOnlyWouldCrossError);
      expect(await exchange.openOrders(SYMBOL)).toEqual([]);
    });

    it('E07 a client order id used by an open order is refused; once closed it may be reused (Binance semantics)', async () => {
      await exchange.placeOrder(limit('BUY', '59000', '0.002', 'e07-a'));
      await expect(exchange.placeOrder(limit('BUY', '58000', '0.002', 'e07-a'))).rejects.toBeInstanceOf(
        DuplicateClientOrderIdError,
      );
      expect(await exchange.openOrders(SYMBOL)).toHaveLength(1);
      await exchange.cancelOrder(SYMBOL, { clientOrderId: 'e07-a' });
      expect((await exchange.placeOrder(limit('BUY', '58000', '0.002', 'e07-a'))).status).toBe('NEW');
    });

    it('E08 reduce-only is refused without a position and accepted against one', async () => {
      await expect(
        exchange.placeOrder(limit('SELL', '61000', '0.002', 'e08-a', { reduceOnly: true })),
      ).rejects.toBeInstanceOf(ReduceOnlyRejectedError);
      await exchange.placeOrder(limit('BUY', '59000', '0.002', 'e08-b'));
      await fixture.setPrice('59000');
      const [position] = await exchange.positions([SYMBOL]);
      same(position?.quantity, '0.002');
      await expect(
        exchange.placeOrder(limit('SELL', '61000', '0.003', 'e08-c', { reduceOnly: true })),
      ).rejects.toBeInstanceOf(ReduceOnlyRejectedError);
      expect(
        (await exchange.placeOrder(limit('SELL', '61000', '0.002', 'e08-d', { reduceOnly: true }))).reduceOnly,
      ).toBe(true);
    });

    it('E09 a fills-since cursor chain returns every fill exactly once', async () => {
      for (const [index, price] of ['59900', '59800', '59700'].entries())
        await exchange.placeOrder(limit('BUY', price, '0.002', `e09-${index}`));
      await fixture.setPrice('59600');
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page += 1) {
        const result = await exchange.fillsSince(SYMBOL, cursor, 1);
        seen.push(...result.fills.map((fill) => fill.tradeId));
        cursor = result.cursor;
        if (!result.hasMore) break;
      }
      expect(seen).toHaveLength(3);
      expect(new Set(seen).size).toBe(3);
      expect((await exchange.fillsSince(SYMBOL, cursor)).fills).toEqual([]);
      await exchange.placeOrder(limit('BUY', '59500', '0.002', 'e09-late'));
      await fixture.setPrice('59500');
      expect((await exchange.fillsSince(SYMBOL, cursor)).fills.map((fill) => fill.clientOrderId)).toEqual(['e09-late']);
    });

    it('E10 the execution stream reports order updates and fills of this account', async () => {
      const events = new Collector<ExecutionEvent>();
      const handle = await exchange.streamExecutions({ onData: events.push });
      await exchange.placeOrder(limit('BUY', '59000', '0.002', 'e10-a'));
      await events.next(
        (event) => event.type === 'order' && event.order.clientOrderId === 'e10-a' && event.order.status === 'NEW',
      );
      await fixture.setPrice('59000');
      const fill = await events.next((event) => event.type === 'fill');
      expect(fill.type === 'fill' && fill.fill.clientOrderId).toBe('e10-a');
      await events.next((event) => event.type === 'order' && event.order.status === 'FILLED');
      await handle.close();
    });

    it('E11 streams recover after the venue drops their connections, and report the reconnect', async () => {
      const events = new Collector<ExecutionEvent>();
      const prices = new Collector<string>();
      let reconnects = 0;
      let priceReconnects = 0;
      await exchange.streamExecutions({
        onData: events.push,
        onReconnect: () => {
          reconnects += 1;
        },
      });
      await exchange.streamPrices([SYMBOL], {
        onData: (tick) => prices.push(tick.price.toFixed()),
        onReconnect: () => {
          priceReconnects += 1;
        },
      });
      await exchange.placeOrder(limit('BUY', '59000', '0.002', 'e11-a'));
      await events.next((event) => event.type === 'order' && event.order.clientOrderId === 'e11-a');
      await fixture.dropStreams();
      if (fixture.wire) {
        await expect.poll(() => reconnects, { timeout: 15_000 }).toBe(1);
        await expect.poll(() => priceReconnects, { timeout: 15_000 }).toBe(1);
      } else {
        expect(reconnects + priceReconnects).toBe(0);
      }
      await exchange.placeOrder(limit('BUY', '58000', '0.002', 'e11-b'));
      await events.next((event) => event.type === 'order' && event.order.clientOrderId === 'e11-b');
      await fixture.setPrice('60010.5');
      await prices.next((price) => price === '60010.5');
    });

    it('E12 a wrong API secret (or unknown account) is refused with AuthenticationError', async () => {
      const intruder = fixture.withWrongCredentials();
      try {
        await expect(intruder.balances()).rejects.toBeInstanceOf(AuthenticationError);
        await expect(intruder.placeOrder(limit('BUY', '59000', '0.002', 'e12-a'))).rejects.toBeInstanceOf(
          AuthenticationError,
        );
      } finally {
        await intruder.close();
      }
      expect(await exchange.openOrders(SYMBOL)).toEqual([]);
    });

    it('E13 a malformed stream message is logged and dropped; the stream goes on', async () => {
      const events = new Collector<ExecutionEvent>();
      await exchange.streamExecutions({ onData: events.push });
      await exchange.placeOrder(limit('BUY', '59000', '0.002', 'e13-a'));
      await events.next((event) => event.type === 'order' && event.order.clientOrderId === 'e13-a');
      await fixture.injectMalformed();
      if (fixture.wire)
        await expect
          .poll(() => fixture.warnings().some((warning) => warning.includes('malformed')), { timeout: 10_000 })
          .toBe(true);
      await exchange.placeOrder(limit('BUY', '58000', '0.002', 'e13-b'));
      await events.next((event) => event.type === 'order' && event.order.clientOrderId === 'e13-b');
    });

    it('E14 positions and balances follow fills; leverage can be set', async () => {
      await exchange.setLeverage(SYMBOL, 5);
      await exchange.placeOrder(limit('BUY', '60000', '0.004', 'e14-a', { type: 'MARKET', price: undefined }));
      const [position] = await exchange.positions([SYMBOL]);
      same(position?.quantity, '0.004');
      same(position?.entryPrice, '60000');
      const usdt = (await exchange.balances()).find((balance) => balance.asset === 'USDT');
      same(usdt?.total, '99999.88'); // 100000 − 60000 × 0.004 × 0.0005 taker fee
      expect(usdt?.free.lt(usdt.total)).toBe(true);
    });

    it('E15 orders outside the filters or beyond the margin are refused definitively', async () => {
      await expect(exchange.placeOrder(limit('BUY', '59000.05', '0.002', 'e15-a'))).rejects.toBeInstanceOf(
        InvalidOrderError,
      );
      await expect(exchange.placeOrder(limit('BUY', '59000', '0.0001', 'e15-b'))).rejects.toBeInstanceOf(
        InvalidOrderError,
      );
      await expect(exchange.placeOrder(limit('BUY', '59000', '1000', 'e15-c'))).rejects.toBeInstanceOf(
        InsufficientMarginError,
      );
      expect(await exchange.openOrders(SYMBOL)).toEqual([]);
    });

    it('E16 a batch places each entry on its own and cancel-all counts what it cancelled', async () => {
      await exchange.placeOrder(limit('BUY', '59000', '0.002', 'e16-dup'));
      const results = await exchange.placeOrders([
        limit('BUY', '58900', '0.002', 'e16-a'),
        limit('BUY', '58800', '0.002', 'e16-dup'),
      ]);
      expect(results[0]?.ok).toBe(true);
      expect(results[1]).toMatchObject({ ok: false, clientOrderId: 'e16-dup' });
      expect(results[1]?.ok === false && results[1].error).toBeInstanceOf(DuplicateClientOrderIdError);
      expect(await exchange.cancelAllOrders(SYMBOL)).toBe(2);
      expect(await exchange.openOrders(SYMBOL)).toEqual([]);
    });

    it('E17 the candle stream reports forming candles and closes each at its interval boundary', async () => {
      const candles = new Collector<Candle>();
      const handle = await exchange.streamCandles([SYMBOL], '1m', { onData: candles.push });
      await fixture.step(1);
      await candles.next((candle) => !candle.closed);
      await fixture.step(130);
      const closed = await candles.next((candle) => candle.closed);
      expect(closed.openTime % 60_000).toBe(0);
      expect(closed.high.gte(closed.low) && closed.high.gte(closed.close) && closed.low.lte(closed.open)).toBe(true);
      await candles.next((candle) => candle.openTime > closed.openTime);
      await handle.close();
    });

    it('E18 a client order id beyond the venue limits in `capabilities` is refused before anything rests', async () => {
      const { clientOrderIdMaxLength, clientOrderIdPattern } = exchange.capabilities;
      const tooLong = 'a'.repeat(clientOrderIdMaxLength + 1);
      expect(clientOrderIdPattern.test('a'.repeat(clientOrderIdMaxLength))).toBe(true);
      await expect(exchange.placeOrder(limit('BUY', '59000', '0.002', tooLong))).rejects.toBeInstanceOf(
        InvalidOrderError,
      );
      await expect(exchange.placeOrder(limit('BUY', '59000', '0.002', 'has space'))).rejects.toBeInstanceOf(
        InvalidOrderError,
      );
      expect(await exchange.openOrders(SYMBOL)).toEqual([]);
    });
  });
}
