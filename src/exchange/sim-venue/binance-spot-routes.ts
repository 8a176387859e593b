/**
 * The Binance spot REST endpoints the sim venue serves (`/api/v3`, what ccxt's `binance` uses for
 * spot markets, orders, fills, the account and listen keys), over the same matching engine as the
 * futures routes; a symbol is spot or futures by its market. Spot rules: no reduce-only, a buy
 * reserves quote, a sell needs the base asset; refusals are Binance spot's `-2010` messages.
 */
import { randomBytes } from 'node:crypto';
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { OrderSide } from '../../domain/order.js';
import { DuplicateClientOrderIdError, InsufficientMarginError, PostOnlyWouldCrossError } from '../errors.js';
import type { PlaceOrderRequest } from '../exchange.js';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import { reportOf } from '../sim/sim-order.js';
import { SIM_CLIENT_ORDER_ID_PATTERN } from '../sim/sim-settings.js';
import { orderId } from './binance-rest-routes.js';
import { type Route, type RouteContext } from './route.js';
import { decimalParam, oneOf, required } from './route-params.js';
import {
  spotAccountPayload,
  spotExchangeInfoPayload,
  spotNewOrderPayload,
  spotOrderPayload,
  spotTradePayload,
} from './binance-spot-payloads.js';
import { SimVenueRequestError } from './errors.js';

const SPOT_TYPES = ['LIMIT', 'LIMIT_MAKER', 'MARKET'] as const;

/** A spot symbol of the engine (a futures one is unknown to the spot API, as at Binance). */
function spotSymbol(engine: SimMatchingEngine, params: URLSearchParams): string {
  const symbol = required(params, 'symbol');
  const known = engine.markets().some((market) => market.symbol === symbol && market.type === 'spot');
  if (!known) throw new SimVenueRequestError(400, -1121, 'Invalid symbol.');
  return symbol;
}

function limitOf(params: URLSearchParams, fallback: number, most: number): number {
  return Math.min(Number(params.get('limit') ?? fallback) || fallback, most);
}

/** Reads a spot new-order request. */
export function spotOrderRequestOf(engine: SimMatchingEngine, params: URLSearchParams): PlaceOrderRequest {
  const symbol = spotSymbol(engine, params);
  const type = oneOf(params, 'type', SPOT_TYPES);
  if (params.has('reduceOnly'))
    throw new SimVenueRequestError(400, -1106, "Parameter 'reduceOnly' sent when not required.");
  if (params.has('quoteOrderQty'))
    throw new SimVenueRequestError(400, -1106, "Parameter 'quoteOrderQty' sent when not required.");
  if (type === 'LIMIT' && (params.get('timeInForce') ?? 'GTC') !== 'GTC')
    throw new SimVenueRequestError(400, -1115, 'Invalid timeInForce.');
  const clientOrderId = params.get('newClientOrderId') ?? `sim-${randomBytes(12).toString('hex')}`;
  if (!SIM_CLIENT_ORDER_ID_PATTERN.test(clientOrderId))
    throw new SimVenueRequestError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'.");
  return {
    symbol,
    side: oneOf<OrderSide>(params, 'side', ['BUY', 'SELL']),
    type: type === 'MARKET' ? 'MARKET' : 'LIMIT',
    price: type === 'MARKET' ? undefined : decimalParam(params, 'price'),
    quantity: decimalParam(params, 'quantity'),
    postOnly: type === 'LIMIT_MAKER',
    reduceOnly: false,
    clientOrderId,
  };
}

/** Binance spot answers these refusals with one code, -2010, told apart by the message. */
function spotRefusal(error: unknown): unknown {
  if (error instanceof PostOnlyWouldCrossError)
    return new SimVenueRequestError(400, -2010, 'Order would immediately match and take.');
  if (error instanceof InsufficientMarginError)
    return new SimVenueRequestError(400, -2010, 'Account has insufficient balance for requested action.');
  if (error instanceof DuplicateClientOrderIdError)
    return new SimVenueRequestError(400, -2010, 'Duplicate order sent.');
  return error;
}

function placeSpotOrder({ engine, accountId, params }: RouteContext): object {
  const request = spotOrderRequestOf(engine, params);
  let report;
  try {
    report = engine.placeOrder(accountId, request);
  } catch (error) {
    throw spotRefusal(error);
  }
  const fills: Fill[] = [];
  if (report.filledQuantity.gt(0)) {
    // A taker's fills are the last ones of the symbol.
    const all = engine.fillsAfter(accountId, request.symbol, undefined, Number.MAX_SAFE_INTEGER);
    for (let index = all.length - 1; index >= 0 && all[index]!.exchangeOrderId === report.exchangeOrderId; index -= 1)
      fills.unshift(all[index]!);
  }
  return spotNewOrderPayload(report, fills);
}

function tickerOf(engine: SimMatchingEngine, symbol: string, wallClock: number): object {
  const price = engine.price(symbol).toFixed();
  const step = engine.market(symbol).stepSize.toFixed();
  // The sim keeps no 24 h history: the day's figures are the last price.
  return {
    symbol,
    priceChange: '0',
    priceChangePercent: '0',
    weightedAvgPrice: price,
    prevClosePrice: price,
    lastPrice: price,
    lastQty: step,
    bidPrice: price,
    bidQty: step,
    askPrice: price,
    askQty: step,
    openPrice: price,
    highPrice: price,
    lowPrice: price,
    volume: '0',
    quoteVolume: '0',
    openTime: wallClock - 86_400_000,
    closeTime: wallClock,
    firstId: -1,
    lastId: -1,
    count: 0,
  };
}

function spotSymbols(engine: SimMatchingEngine, params: URLSearchParams): string[] {
  return params.has('symbol')
    ? [spotSymbol(engine, params)]
    : engine
        .markets()
        .filter((market) => market.type === 'spot')
        .map((market) => market.symbol);
}

/** The book: every account's resting orders by price level, bids best (highest) first, asks lowest first. */
function depthOf(engine: SimMatchingEngine, symbol: string, limit: number): object {
  const levels = (side: OrderSide): [string, string][] => {
    const byPrice = new Map<string, { price: Decimal; quantity: Decimal }>();
    for (const order of engine.restingOrders(symbol)) {
      if (order.side !== side) continue;
      const price = order.price as Decimal;
      const level = byPrice.get(price.toFixed()) ?? { price, quantity: ZERO };
      level.quantity = level.quantity.plus(order.quantity.minus(order.filled));
      byPrice.set(price.toFixed(), level);
    }
    const sorted = [...byPrice.values()].sort((a, b) =>
      side === 'BUY' ? b.price.comparedTo(a.price) : a.price.comparedTo(b.price),
    );
    return sorted.slice(0, limit).map((level) => [level.price.toFixed(), level.quantity.toFixed()]);
  };
  return { lastUpdateId: engine.now(), bids: levels('BUY'), asks: levels('SELL') };
}

export const BINANCE_SPOT_ROUTES: Readonly<Record<string, Route>> = {
  'GET /api/v3/ping': { security: 'public', handle: () => ({}) },
  'GET /api/v3/time': { security: 'public', handle: (context) => ({ serverTime: context.wallClock }) },
  'GET /api/v3/exchangeInfo': {
    security: 'public',
    handle: (context) => spotExchangeInfoPayload(context.engine.markets(), context.wallClock),
  },
  // ccxt's `binance` loads COIN-M markets too; the sim lists none.
  'GET /dapi/v1/exchangeInfo': {
    security: 'public',
    handle: (context) => ({
      timezone: 'UTC',
      serverTime: context.wallClock,
      rateLimits: [],
      exchangeFilters: [],
      symbols: [],
    }),
  },
  // ccxt's `binance` also loads the margin pairs; the sim offers no margin trading.
  'GET /sapi/v1/margin/allPairs': { security: 'public', handle: () => [] },
  'GET /sapi/v1/margin/isolated/allPairs': { security: 'public', handle: () => [] },
  'GET /api/v3/ticker/24hr': {
    security: 'public',
    handle: ({ engine, params, wallClock }) => {
      const tickers = spotSymbols(engine, params).map((symbol) => tickerOf(engine, symbol, wallClock));
      return params.has('symbol') ? tickers[0] : tickers;
    },
  },
  'GET /api/v3/ticker/price': {
    security: 'public',
    handle: ({ engine, params }) => {
      const prices = spotSymbols(engine, params).map((symbol) => ({ symbol, price: engine.price(symbol).toFixed() }));
      return params.has('symbol') ? prices[0] : prices;
    },
  },
  'GET /api/v3/ticker/bookTicker': {
    security: 'public',
    handle: ({ engine, params }) => {
      const books = spotSymbols(engine, params).map((symbol) => {
        const price = engine.price(symbol).toFixed();
        const step = engine.market(symbol).stepSize.toFixed();
        return { symbol, bidPrice: price, bidQty: step, askPrice: price, askQty: step };
      });
      return params.has('symbol') ? books[0] : books;
    },
  },
  'GET /api/v3/depth': {
    security: 'public',
    handle: ({ engine, params }) => depthOf(engine, spotSymbol(engine, params), limitOf(params, 100, 5000)),
  },
  'GET /api/v3/account': {
    security: 'signed',
    handle: ({ engine, accountId }) => spotAccountPayload(engine.balances(accountId), engine.now()),
  },
  'POST /api/v3/order': { security: 'signed', handle: placeSpotOrder },
  'GET /api/v3/order': {
    security: 'signed',
    operation: 'query',
    handle: ({ engine, accountId, params }) => {
      const found = engine.findOrder(accountId, spotSymbol(engine, params), orderId(params));
      if (found === undefined) throw new SimVenueRequestError(400, -2013, 'Order does not exist.');
      return spotOrderPayload(reportOf(found));
    },
  },
  'DELETE /api/v3/order': {
    security: 'signed',
    operation: 'cancel',
    handle: ({ engine, accountId, params }) => {
      const order = engine.cancelOrder(accountId, spotSymbol(engine, params), orderId(params));
      return { ...spotOrderPayload(order), origClientOrderId: order.clientOrderId };
    },
  },
  'GET /api/v3/openOrders': {
    security: 'signed',
    handle: ({ engine, accountId, params }) =>
      spotSymbols(engine, params)
        .flatMap((symbol) => engine.openOrders(accountId, symbol))
        .map(spotOrderPayload),
  },
  'DELETE /api/v3/openOrders': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      const cancelled = engine.cancelAllOrders(accountId, spotSymbol(engine, params));
      // Binance answers -2011 when there was nothing to cancel.
      if (cancelled.length === 0) throw new SimVenueRequestError(400, -2011, 'Unknown order sent.');
      return cancelled.map((order) => ({ ...spotOrderPayload(order), origClientOrderId: order.clientOrderId }));
    },
  },
  'GET /api/v3/allOrders': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      const fromId = Number(params.get('orderId') ?? 0) || 0;
      return engine
        .orderHistory(accountId, spotSymbol(engine, params))
        .filter((order) => Number(order.exchangeOrderId) >= fromId)
        .slice(0, limitOf(params, 500, 1000))
        .map((order) => spotOrderPayload(reportOf(order)));
    },
  },
  'GET /api/v3/myTrades': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      const fromId = params.get('fromId');
      if (fromId !== null && !/^\d+$/.test(fromId))
        throw new SimVenueRequestError(400, -1100, "Illegal characters found in parameter 'fromId'.");
      return engine
        .fillsAfter(
          accountId,
          spotSymbol(engine, params),
          fromId === null ? undefined : Number(fromId) - 1,
          limitOf(params, 500, 1000),
        )
        .map(spotTradePayload);
    },
  },
  'POST /api/v3/userDataStream': {
    security: 'key',
    handle: ({ listenKeys, accountId }) => ({ listenKey: listenKeys.open(accountId) }),
  },
  'PUT /api/v3/userDataStream': {
    security: 'key',
    handle: ({ listenKeys, accountId }) => {
      if (!listenKeys.keepAlive(accountId))
        throw new SimVenueRequestError(400, -1125, 'This listenKey does not exist.');
      return {};
    },
  },
  'DELETE /api/v3/userDataStream': {
    security: 'key',
    handle: ({ listenKeys, streams, accountId }) => {
      listenKeys.close(accountId);
      streams.dropListenKey(accountId);
      return {};
    },
  },
};
