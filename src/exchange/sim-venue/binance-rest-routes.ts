/**
 * The Binance USDⓈ-M futures REST endpoints the sim venue serves: the subset ccxt's `binanceusdm`
 * uses for markets, orders, fills, account and user-data streams (see docs/venues.md), plus the
 * `/_sim/*` test hooks when enabled.
 */
import { randomBytes } from 'node:crypto';
import { type Decimal, dec } from '../../domain/decimal.js';
import type { OrderSide, OrderType } from '../../domain/order.js';
import type { PlaceOrderRequest } from '../exchange.js';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import { reportOf } from '../sim/sim-order.js';
import { SIM_CLIENT_ORDER_ID_PATTERN } from '../sim/sim-settings.js';
import { binanceErrorReply } from './binance-errors.js';
import {
  accountPayload, balancePayload, exchangeInfoPayload, orderPayload, positionPayload, userTradePayload,
} from './binance-payloads.js';
import { SimVenueRequestError } from './errors.js';
import type { ListenKeys } from './listen-keys.js';
import type { SimVenueStreams } from './sim-venue-streams.js';

export interface RouteContext {
  readonly params: URLSearchParams;
  /** The caller's account (undefined on public routes). */
  readonly accountId: string;
  readonly engine: SimMatchingEngine;
  readonly listenKeys: ListenKeys;
  readonly streams: SimVenueStreams;
  readonly wallClock: number;
}

export interface Route {
  /** public: no key; key: API key only (listen keys); signed: key and HMAC signature; admin: test hook. */
  readonly security: 'public' | 'key' | 'signed' | 'admin';
  /** Which Binance code a missing order gets (-2011 cancel, -2013 query). */
  readonly operation?: 'cancel' | 'query';
  readonly handle: (context: RouteContext) => unknown;
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw new SimVenueRequestError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
  return value;
}

function decimalParam(params: URLSearchParams, name: string): Decimal {
  const value = required(params, name);
  try {
    return dec(value);
  } catch {
    throw new SimVenueRequestError(400, -1100, `Illegal characters found in parameter '${name}'.`);
  }
}

function oneOf<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): T {
  const value = required(params, name);
  if (!(allowed as readonly string[]).includes(value)) throw new SimVenueRequestError(400, -1116, `Invalid ${name}.`);
  return value as T;
}

/** Reads one order of a place-order or batch request. */
export function orderRequestOf(params: URLSearchParams): PlaceOrderRequest {
  const type = oneOf<OrderType>(params, 'type', ['LIMIT', 'MARKET']);
  const clientOrderId = params.get('newClientOrderId') ?? `sim-${randomBytes(12).toString('hex')}`;
  if (!SIM_CLIENT_ORDER_ID_PATTERN.test(clientOrderId)) throw new SimVenueRequestError(400, -4015, 'Client order id is not valid.');
  return {
    symbol: required(params, 'symbol'),
    side: oneOf<OrderSide>(params, 'side', ['BUY', 'SELL']),
    type,
    price: type === 'LIMIT' ? decimalParam(params, 'price') : undefined,
    quantity: decimalParam(params, 'quantity'),
    postOnly: params.get('timeInForce') === 'GTX',
    reduceOnly: params.get('reduceOnly') === 'true',
    clientOrderId,
  };
}

function orderId(params: URLSearchParams): { clientOrderId?: string; exchangeOrderId?: string } {
  const clientOrderId = params.get('origClientOrderId');
  if (clientOrderId !== null) return { clientOrderId };
  return { exchangeOrderId: required(params, 'orderId') };
}

function positionsOf(context: RouteContext, symbol: string | null): object[] {
  const { engine, accountId } = context;
  return engine.positions(accountId, symbol === null ? undefined : [symbol])
    .map((position) => positionPayload(position, engine.price(position.symbol), engine.now()));
}

function account(context: RouteContext): object {
  return accountPayload(context.engine.balances(context.accountId), positionsOf(context, null), context.engine.now());
}

export const BINANCE_ROUTES: Readonly<Record<string, Route>> = {
  'GET /fapi/v1/ping': { security: 'public', handle: () => ({}) },
  'GET /fapi/v1/time': { security: 'public', handle: (context) => ({ serverTime: context.wallClock }) },
  'GET /fapi/v1/exchangeInfo': { security: 'public', handle: (context) => exchangeInfoPayload(context.engine.markets(), context.wallClock) },
  'GET /fapi/v1/ticker/price': {
    security: 'public',
    handle: ({ engine, params }) => {
      const symbol = required(params, 'symbol');
      return { symbol, price: engine.price(symbol).toFixed(), time: engine.now() };
    },
  },
  'GET /fapi/v1/premiumIndex': {
    security: 'public',
    handle: ({ engine, params }) => {
      const symbol = required(params, 'symbol');
      const price = engine.price(symbol).toFixed();
      return { symbol, markPrice: price, indexPrice: price, lastFundingRate: '0', interestRate: '0', nextFundingTime: 0, time: engine.now() };
    },
  },
  'POST /fapi/v1/order': { security: 'signed', handle: ({ engine, accountId, params }) => orderPayload(engine.placeOrder(accountId, orderRequestOf(params))) },
  'GET /fapi/v1/order': {
    security: 'signed',
    operation: 'query',
    handle: ({ engine, accountId, params }) => {
      const found = engine.findOrder(accountId, required(params, 'symbol'), orderId(params));
      if (found === undefined) throw new SimVenueRequestError(400, -2013, 'Order does not exist.');
      return orderPayload(reportOf(found));
    },
  },
  'DELETE /fapi/v1/order': {
    security: 'signed',
    operation: 'cancel',
    handle: ({ engine, accountId, params }) => orderPayload(engine.cancelOrder(accountId, required(params, 'symbol'), orderId(params))),
  },
  'POST /fapi/v1/batchOrders': { security: 'signed', handle: (context) => batchOrders(context) },
  'GET /fapi/v1/openOrders': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => engine.openOrders(accountId, params.get('symbol') ?? undefined).map(orderPayload),
  },
  'DELETE /fapi/v1/allOpenOrders': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      engine.cancelAllOrders(accountId, required(params, 'symbol'));
      return { code: 200, msg: 'The operation of cancel all open order is done.' };
    },
  },
  'GET /fapi/v1/userTrades': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      const fromId = params.get('fromId');
      if (fromId !== null && !/^\d+$/.test(fromId)) throw new SimVenueRequestError(400, -1100, "Illegal characters found in parameter 'fromId'.");
      const limit = Math.min(Number(params.get('limit') ?? 500) || 500, 1000);
      return engine.fillsAfter(accountId, required(params, 'symbol'), fromId === null ? undefined : Number(fromId) - 1, limit).map(userTradePayload);
    },
  },
  'GET /fapi/v2/account': { security: 'signed', handle: account },
  'GET /fapi/v3/account': { security: 'signed', handle: account },
  'GET /fapi/v2/balance': { security: 'signed', handle: (context) => balancePayload(context.engine.balances(context.accountId), context.engine.now()) },
  'GET /fapi/v3/balance': { security: 'signed', handle: (context) => balancePayload(context.engine.balances(context.accountId), context.engine.now()) },
  'GET /fapi/v2/positionRisk': { security: 'signed', handle: (context) => positionsOf(context, context.params.get('symbol')) },
  'GET /fapi/v3/positionRisk': { security: 'signed', handle: (context) => positionsOf(context, context.params.get('symbol')) },
  'GET /fapi/v1/leverageBracket': {
    security: 'signed',
    handle: ({ engine }) => engine.markets().map((market) => ({
      symbol: market.symbol,
      brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 1_000_000_000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }],
    })),
  },
  'POST /fapi/v1/leverage': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      const symbol = required(params, 'symbol');
      const leverage = Number(required(params, 'leverage'));
      engine.setLeverage(accountId, symbol, leverage);
      return { symbol, leverage, maxNotionalValue: '1000000000' };
    },
  },
  'POST /fapi/v1/listenKey': { security: 'key', handle: ({ listenKeys, accountId }) => ({ listenKey: listenKeys.open(accountId) }) },
  'PUT /fapi/v1/listenKey': {
    security: 'key',
    handle: ({ listenKeys, accountId }) => {
      if (!listenKeys.keepAlive(accountId)) throw new SimVenueRequestError(400, -1125, 'This listenKey does not exist.');
      return {};
    },
  },
  'DELETE /fapi/v1/listenKey': {
    security: 'key',
    handle: ({ listenKeys, streams, accountId }) => {
      listenKeys.close(accountId);
      streams.dropListenKey(accountId);
      return {};
    },
  },
  'POST /_sim/price': {
    security: 'admin',
    handle: ({ engine, params }) => {
      const symbol = required(params, 'symbol');
      engine.setPrice(symbol, decimalParam(params, 'price'));
      return { symbol, price: engine.price(symbol).toFixed(), time: engine.now() };
    },
  },
  'POST /_sim/step': {
    security: 'admin',
    handle: ({ engine, params }) => {
      const ticks = Number(params.get('ticks') ?? 1);
      if (!Number.isInteger(ticks) || ticks < 1 || ticks > 1_000_000) throw new SimVenueRequestError(400, -1100, 'ticks must be an integer in 1..1000000');
      for (let index = 0; index < ticks; index += 1) engine.step();
      return { time: engine.now() };
    },
  },
  'POST /_sim/refuse-next': {
    security: 'admin',
    handle: ({ engine, params }) => {
      const symbol = required(params, 'symbol');
      const type = params.get('type') === null ? undefined : oneOf<OrderType>(params, 'type', ['LIMIT', 'MARKET']);
      const count = Number(params.get('count') ?? 1);
      if (!Number.isInteger(count) || count < 1 || count > 1_000) throw new SimVenueRequestError(400, -1100, 'count must be an integer in 1..1000');
      engine.refuseNextOrders(symbol, type, count);
      return { symbol, type: type ?? 'ANY', count };
    },
  },
  'POST /_sim/unreported-fill': {
    security: 'admin',
    handle: ({ engine, params }) => {
      const account = required(params, 'account');
      const symbol = required(params, 'symbol');
      engine.bookUnreportedFill(account, symbol, oneOf<OrderSide>(params, 'side', ['BUY', 'SELL']), decimalParam(params, 'quantity'));
      return { account, symbol, position: engine.positions(account, [symbol]).reduce((sum, position) => sum.add(position.quantity), dec(0)).toFixed() };
    },
  },
  'POST /_sim/drop-streams': { security: 'admin', handle: ({ streams }) => ({ dropped: streams.dropAll() }) },
  'POST /_sim/inject-malformed': {
    security: 'admin',
    handle: ({ streams, params }) => ({ sent: streams.injectMalformed(oneOf(params, 'target', ['market', 'user'])) }),
  },
};

function batchOrders(context: RouteContext): unknown[] {
  let entries: unknown;
  try {
    entries = JSON.parse(required(context.params, 'batchOrders'));
  } catch (error) {
    if (error instanceof SimVenueRequestError) throw error;
    throw new SimVenueRequestError(400, -1130, "Data sent for parameter 'batchOrders' is not valid.");
  }
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > 5) {
    throw new SimVenueRequestError(400, -1130, "Data sent for parameter 'batchOrders' is not valid.");
  }
  return entries.map((entry) => {
    try {
      const fields = Object.entries(entry as Record<string, unknown>).map(([key, value]): [string, string] => [key, String(value)]);
      return orderPayload(context.engine.placeOrder(context.accountId, orderRequestOf(new URLSearchParams(fields))));
    } catch (error) {
      return binanceErrorReply(error, 'other').body;
    }
  });
}
