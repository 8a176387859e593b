/**
 * The Binance USDⓈ-M futures REST endpoints for trading and the account (see docs/venues.md):
 * orders (limit and market, amendment, batches, the cancel countdown),
 * fills, balances, positions, income, account settings and listen keys. Weights and order counts
 * are Binance's published ones.
 */
import { randomBytes } from 'node:crypto';
import { ZERO } from '../../domain/decimal.js';
import type { OrderSide, OrderType } from '../../domain/order.js';
import type { PlaceOrderRequest } from '../exchange.js';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import { type SimOrder, reportOf } from '../sim/sim-order.js';
import { SIM_CLIENT_ORDER_ID_PATTERN } from '../sim/sim-settings.js';
import { binanceErrorReply } from './binance-errors.js';
import {
  accountPayload,
  balancePayload,
  exchangeInfoPayload,
  orderPayload,
  positionPayload,
  userTradePayload,
} from './binance-payloads.js';
import { SimVenueRequestError } from './errors.js';
import { type Route, type RouteContext, perSymbol } from './route.js';
import { booleanParam, decimalParam, limitParam, oneOf, optionalInteger, required } from './route-params.js';

const MAX_BATCH = 5;
/** Conditional types Binance serves only through the Algo Order API since its 2025-12 migration. */
const ALGO_ONLY_TYPES = ['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'];

/**
 * Reads one order of a place-order, batch or algo request: `type` is LIMIT or MARKET (an algo
 * request passes the type its trigger executes as), the client id comes from `clientIdParam`.
 */
export function orderRequestOf(
  params: URLSearchParams,
  type = oneOf<OrderType>(params, 'type', ['LIMIT', 'MARKET']),
  clientIdParam = 'newClientOrderId',
): PlaceOrderRequest {
  const clientOrderId = params.get(clientIdParam) ?? `sim-${randomBytes(12).toString('hex')}`;
  if (!SIM_CLIENT_ORDER_ID_PATTERN.test(clientOrderId))
    throw new SimVenueRequestError(400, -4015, 'Client order id is not valid.');
  if (params.get('closePosition') === 'true')
    throw new SimVenueRequestError(
      400,
      -1106,
      "Parameter 'closePosition' is not simulated: send quantity with reduceOnly=true.",
    );
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

function place({ engine, accountId }: RouteContext, params: URLSearchParams): object {
  if (ALGO_ONLY_TYPES.includes(params.get('type') ?? '')) {
    throw new SimVenueRequestError(
      400,
      -4120,
      'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.',
    );
  }
  return orderPayload(engine.placeOrder(accountId, orderRequestOf(params)));
}

/**
 * A conditional order belongs to the Algo Order API until it fires; then it is also the order it
 * executed as, under the same id, in the order endpoints.
 */
export function visibleAsOrder(order: SimOrder): boolean {
  return order.trigger === undefined || order.filled.gt(ZERO);
}

export function orderId(params: URLSearchParams): { clientOrderId?: string; exchangeOrderId?: string } {
  const clientOrderId = params.get('origClientOrderId');
  if (clientOrderId !== null) return { clientOrderId };
  return { exchangeOrderId: required(params, 'orderId') };
}

/** An order of the order endpoints (undefined for a conditional one that has not fired). */
function findVisibleOrder(
  engine: SimMatchingEngine,
  accountId: string,
  symbol: string,
  params: URLSearchParams,
): SimOrder | undefined {
  const found = engine.findOrder(accountId, symbol, orderId(params));
  return found !== undefined && visibleAsOrder(found) ? found : undefined;
}

function positionsOf(context: RouteContext, symbol: string | null): object[] {
  const { engine, accountId } = context;
  return engine
    .positions(accountId, symbol === null ? undefined : [symbol])
    .map((position) => positionPayload(position, engine.price(position.symbol), engine.now()));
}

function account(context: RouteContext): object {
  return accountPayload(context.engine.balances(context.accountId), positionsOf(context, null), context.engine.now());
}

/** Entries of a batch request (`batchOrders` JSON, or `orderIdList` / `origClientOrderIdList`). */
function batchEntries(params: URLSearchParams, name: string): unknown[] {
  let entries: unknown;
  try {
    entries = JSON.parse(required(params, name));
  } catch (error) {
    if (error instanceof SimVenueRequestError) throw error;
    throw new SimVenueRequestError(400, -1130, `Data sent for parameter '${name}' is not valid.`);
  }
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_BATCH)
    throw new SimVenueRequestError(400, -1130, `Data sent for parameter '${name}' is not valid.`);
  return entries;
}

/** Runs each entry alone: a refused entry answers its own `{code, msg}`, as Binance does. */
function eachAlone(entries: unknown[], run: (entry: unknown) => object): object[] {
  return entries.map((entry) => {
    try {
      return run(entry);
    } catch (error) {
      return binanceErrorReply(error, 'other').body;
    }
  });
}

function batchOrderCount(params: URLSearchParams): number {
  try {
    const entries: unknown = JSON.parse(params.get('batchOrders') ?? '[]');
    return Array.isArray(entries) ? entries.length : 1;
  } catch {
    return 1;
  }
}

export const BINANCE_ROUTES: Readonly<Record<string, Route>> = {
  'GET /fapi/v1/ping': { security: 'public', handle: () => ({}) },
  'GET /fapi/v1/time': { security: 'public', handle: (context) => ({ serverTime: context.wallClock }) },
  'GET /fapi/v1/exchangeInfo': {
    security: 'public',
    handle: (context) => exchangeInfoPayload(context.engine.markets(), context.wallClock),
  },
  'POST /fapi/v1/order': {
    security: 'signed',
    weight: 0,
    orders: 1,
    handle: (context) => place(context, context.params),
  },
  'GET /fapi/v1/order': {
    security: 'signed',
    operation: 'query',
    handle: ({ engine, accountId, params }) => {
      const found = findVisibleOrder(engine, accountId, required(params, 'symbol'), params);
      if (found === undefined) throw new SimVenueRequestError(400, -2013, 'Order does not exist.');
      return orderPayload(reportOf(found), found.trigger);
    },
  },
  'PUT /fapi/v1/order': {
    security: 'signed',
    operation: 'cancel',
    orders: 1,
    handle: ({ engine, accountId, params }) => {
      oneOf<OrderSide>(params, 'side', ['BUY', 'SELL']);
      const report = engine.amendOrder(
        accountId,
        required(params, 'symbol'),
        orderId(params),
        decimalParam(params, 'price'),
        decimalParam(params, 'quantity'),
      );
      return orderPayload(report);
    },
  },
  'DELETE /fapi/v1/order': {
    security: 'signed',
    operation: 'cancel',
    handle: ({ engine, accountId, params }) => {
      const symbol = required(params, 'symbol');
      if (findVisibleOrder(engine, accountId, symbol, params) === undefined)
        throw new SimVenueRequestError(400, -2011, 'Unknown order sent.');
      return orderPayload(engine.cancelOrder(accountId, symbol, orderId(params)));
    },
  },
  'POST /fapi/v1/batchOrders': {
    security: 'signed',
    weight: 5,
    orders: batchOrderCount,
    handle: (context) =>
      eachAlone(batchEntries(context.params, 'batchOrders'), (entry) => {
        const fields = Object.entries(entry as Record<string, unknown>).map(([key, value]): [string, string] => [
          key,
          String(value),
        ]);
        return place(context, new URLSearchParams(fields));
      }),
  },
  'DELETE /fapi/v1/batchOrders': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      const symbol = required(params, 'symbol');
      // Binance takes the lists in either spelling (ccxt sends the lowercase one).
      const clientIdList = ['origClientOrderIdList', 'origclientorderidlist'].find((name) => params.get(name) !== null);
      const byClientId = clientIdList !== undefined;
      const ids = batchEntries(
        params,
        clientIdList ?? (params.get('orderidlist') !== null ? 'orderidlist' : 'orderIdList'),
      );
      return eachAlone(ids, (id) => {
        const byId = byClientId ? { clientOrderId: String(id) } : { exchangeOrderId: String(id) };
        const found = engine.findOrder(accountId, symbol, byId);
        if (found === undefined || !visibleAsOrder(found))
          throw new SimVenueRequestError(400, -2011, 'Unknown order sent.');
        return orderPayload(engine.cancelOrder(accountId, symbol, byId));
      });
    },
  },
  'GET /fapi/v1/openOrders': {
    security: 'signed',
    weight: perSymbol(1, 40),
    handle: ({ engine, accountId, params }) => {
      const symbol = params.get('symbol') ?? undefined;
      return engine
        .openOrders(accountId, symbol)
        .filter((report) =>
          visibleAsOrder(
            engine.findOrder(accountId, report.symbol, { exchangeOrderId: report.exchangeOrderId }) as SimOrder,
          ),
        )
        .map((report) => orderPayload(report));
    },
  },
  'GET /fapi/v1/allOrders': {
    security: 'signed',
    weight: 5,
    handle: ({ engine, accountId, params }) => {
      const fromId = optionalInteger(params, 'orderId') ?? 0;
      const startTime = optionalInteger(params, 'startTime') ?? 0;
      const endTime = optionalInteger(params, 'endTime') ?? Number.MAX_SAFE_INTEGER;
      const orders = engine
        .orderHistory(accountId, required(params, 'symbol'))
        .filter(
          (order) =>
            visibleAsOrder(order) &&
            Number(order.exchangeOrderId) >= fromId &&
            order.updatedAt >= startTime &&
            order.createdAt <= endTime,
        );
      const limit = limitParam(params, 500, 1000);
      // Binance answers the newest `limit` orders unless a starting id or time is given.
      const page =
        params.get('orderId') === null && params.get('startTime') === null
          ? orders.slice(-limit)
          : orders.slice(0, limit);
      return page.map((order) => orderPayload(reportOf(order), order.trigger));
    },
  },
  'DELETE /fapi/v1/allOpenOrders': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      engine.cancelAllOrders(accountId, required(params, 'symbol'));
      return { code: 200, msg: 'The operation of cancel all open order is done.' };
    },
  },
  'POST /fapi/v1/countdownCancelAll': {
    security: 'signed',
    weight: 10,
    handle: ({ engine, countdowns, accountId, params }) => {
      const symbol = required(params, 'symbol');
      engine.market(symbol);
      const countdownTime = optionalInteger(params, 'countdownTime');
      if (countdownTime === undefined)
        throw new SimVenueRequestError(
          400,
          -1102,
          "Mandatory parameter 'countdownTime' was not sent, was empty/null, or malformed.",
        );
      countdowns.set(accountId, symbol, countdownTime);
      return { symbol, countdownTime: String(countdownTime) };
    },
  },
  'GET /fapi/v1/userTrades': {
    security: 'signed',
    weight: 5,
    handle: ({ engine, accountId, params }) => {
      const fromId = optionalInteger(params, 'fromId');
      return engine
        .fillsAfter(
          accountId,
          required(params, 'symbol'),
          fromId === undefined ? undefined : fromId - 1,
          limitParam(params, 500, 1000),
        )
        .map(userTradePayload);
    },
  },
  'GET /fapi/v1/income': {
    security: 'signed',
    weight: 30,
    handle: ({ income, accountId, params }) =>
      income
        .entries(accountId, {
          symbol: params.get('symbol') ?? undefined,
          incomeType: params.get('incomeType') ?? undefined,
          startTime: optionalInteger(params, 'startTime'),
          endTime: optionalInteger(params, 'endTime'),
          limit: limitParam(params, 100, 1000),
        })
        .map((entry) => ({
          symbol: entry.symbol,
          incomeType: entry.incomeType,
          income: entry.income.toFixed(),
          asset: entry.asset,
          info: entry.incomeType,
          time: entry.time,
          tranId: entry.tranId,
          tradeId: entry.tradeId,
        })),
  },
  'GET /fapi/v2/account': { security: 'signed', weight: 5, handle: account },
  'GET /fapi/v3/account': { security: 'signed', weight: 5, handle: account },
  'GET /fapi/v2/balance': {
    security: 'signed',
    weight: 5,
    handle: (context) => balancePayload(context.engine.balances(context.accountId), context.engine.now()),
  },
  'GET /fapi/v3/balance': {
    security: 'signed',
    weight: 5,
    handle: (context) => balancePayload(context.engine.balances(context.accountId), context.engine.now()),
  },
  'GET /fapi/v2/positionRisk': {
    security: 'signed',
    weight: 5,
    handle: (context) => positionsOf(context, context.params.get('symbol')),
  },
  'GET /fapi/v3/positionRisk': {
    security: 'signed',
    weight: 5,
    handle: (context) => positionsOf(context, context.params.get('symbol')),
  },
  'GET /fapi/v1/leverageBracket': {
    security: 'signed',
    handle: ({ engine }) =>
      engine.markets().map((market) => ({
        symbol: market.symbol,
        brackets: [
          {
            bracket: 1,
            initialLeverage: 125,
            notionalCap: 1_000_000_000,
            notionalFloor: 0,
            maintMarginRatio: 0.004,
            cum: 0,
          },
        ],
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
  // The sim margins every position cross in one-way mode: those settings answer as Binance does
  // when nothing needs to change, the others are refused rather than simulated wrongly.
  'GET /fapi/v1/positionSide/dual': { security: 'signed', weight: 30, handle: () => ({ dualSidePosition: false }) },
  'POST /fapi/v1/positionSide/dual': {
    security: 'signed',
    handle: ({ params }) => {
      if (booleanParam(params, 'dualSidePosition'))
        throw new SimVenueRequestError(
          400,
          -4068,
          'Hedge mode (dualSidePosition=true) is not simulated: the sim venue runs one-way positions.',
        );
      throw new SimVenueRequestError(400, -4059, 'No need to change position side.');
    },
  },
  'POST /fapi/v1/marginType': {
    security: 'signed',
    handle: ({ engine, params }) => {
      engine.market(required(params, 'symbol'));
      if (oneOf(params, 'marginType', ['ISOLATED', 'CROSSED']) === 'ISOLATED')
        throw new SimVenueRequestError(
          400,
          -4048,
          'Isolated margin is not simulated: the sim venue margins every position cross.',
        );
      throw new SimVenueRequestError(400, -4046, 'No need to change margin type.');
    },
  },
  'POST /fapi/v1/listenKey': {
    security: 'key',
    handle: ({ listenKeys, accountId }) => ({ listenKey: listenKeys.open(accountId) }),
  },
  'PUT /fapi/v1/listenKey': {
    security: 'key',
    handle: ({ listenKeys, accountId }) => {
      if (!listenKeys.keepAlive(accountId))
        throw new SimVenueRequestError(400, -1125, 'This listenKey does not exist.');
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
};
