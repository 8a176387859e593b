/**
 * Binance USDⓈ-M conditional orders, which Binance serves through its Algo Order API (since its
 * 2025-12 migration, and what ccxt's `binanceusdm` calls): STOP_MARKET and TAKE_PROFIT_MARKET wait
 * in the engine holding no margin until the price reaches `triggerPrice`, then execute as market
 * orders. `algoId` is the engine's order id, and the order it executes as keeps it
 * (`actualOrderId`). Limit-priced and trailing conditional types are refused as not simulated.
 */
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import type { SimOrder } from '../sim/sim-order.js';
import type { SimTrigger } from '../sim/sim-trigger-book.js';
import { algoOrderPayload } from './binance-algo-payloads.js';
import { orderRequestOf } from './binance-rest-routes.js';
import { SimVenueRequestError } from './errors.js';
import { type Route, type RouteContext, perSymbol } from './route.js';
import { decimalParam, limitParam, oneOf, optionalInteger, required } from './route-params.js';

const SIMULATED_TYPES = ['STOP_MARKET', 'TAKE_PROFIT_MARKET'] as const;

function findAlgo(engine: SimMatchingEngine, accountId: string, params: URLSearchParams): SimOrder {
  const clientAlgoId = params.get('clientAlgoId');
  const id = clientAlgoId !== null ? { clientOrderId: clientAlgoId } : { exchangeOrderId: required(params, 'algoId') };
  // Algo ids are unique across symbols: the symbol is optional here, as at Binance.
  const symbol = params.get('symbol');
  const candidates = symbol !== null ? [symbol] : engine.markets().map((market) => market.symbol);
  for (const candidate of candidates) {
    const order = engine.findOrder(accountId, candidate, id);
    if (order?.trigger !== undefined) return order;
  }
  throw new SimVenueRequestError(400, -2013, 'Order does not exist.');
}

function placeAlgo({ engine, accountId, params }: RouteContext): object {
  if (oneOf(params, 'algoType', ['CONDITIONAL']) !== 'CONDITIONAL')
    throw new SimVenueRequestError(400, -1116, 'Invalid algoType.');
  const type = params.get('type');
  if (!(SIMULATED_TYPES as readonly (string | null)[]).includes(type))
    throw new SimVenueRequestError(
      400,
      -1116,
      `Invalid type: the sim venue simulates ${SIMULATED_TYPES.join(' and ')} conditional orders.`,
    );
  const kind = type as (typeof SIMULATED_TYPES)[number];
  const request = orderRequestOf(params, 'MARKET', 'clientAlgoId');
  // A stop buys on a rise and sells on a fall; a take-profit the other way round.
  const rising = (kind === 'STOP_MARKET') === (request.side === 'BUY');
  const trigger: SimTrigger = {
    kind,
    stopPrice: decimalParam(params, 'triggerPrice'),
    firesWhen: rising ? 'at-or-above' : 'at-or-below',
  };
  const report = engine.placeOrder(accountId, request, trigger);
  return algoOrderPayload(
    engine.findOrder(accountId, report.symbol, { exchangeOrderId: report.exchangeOrderId }) as SimOrder,
  );
}

function algoOrders(engine: SimMatchingEngine, accountId: string, symbol: string | null): SimOrder[] {
  const symbols = symbol !== null ? [symbol] : engine.markets().map((market) => market.symbol);
  return symbols.flatMap((each) => engine.orderHistory(accountId, each)).filter((order) => order.trigger !== undefined);
}

export const BINANCE_ALGO_ROUTES: Readonly<Record<string, Route>> = {
  'POST /fapi/v1/algoOrder': { security: 'signed', weight: 0, orders: 1, handle: placeAlgo },
  'GET /fapi/v1/algoOrder': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => algoOrderPayload(findAlgo(engine, accountId, params)),
  },
  'DELETE /fapi/v1/algoOrder': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      const order = findAlgo(engine, accountId, params);
      engine.cancelOrder(accountId, order.symbol, { exchangeOrderId: order.exchangeOrderId });
      return { algoId: Number(order.exchangeOrderId), clientAlgoId: order.clientOrderId, code: '200', msg: 'success' };
    },
  },
  'GET /fapi/v1/openAlgoOrders': {
    security: 'signed',
    weight: perSymbol(1, 40),
    handle: ({ engine, accountId, params }) =>
      algoOrders(engine, accountId, params.get('symbol'))
        .filter((order) => order.status === 'NEW')
        .map(algoOrderPayload),
  },
  'GET /fapi/v1/allAlgoOrders': {
    security: 'signed',
    weight: 5,
    handle: ({ engine, accountId, params }) => {
      const startTime = optionalInteger(params, 'startTime') ?? 0;
      const orders = algoOrders(engine, accountId, required(params, 'symbol')).filter(
        (order) => order.updatedAt >= startTime,
      );
      return orders.slice(-limitParam(params, 500, 1000)).map(algoOrderPayload);
    },
  },
  'DELETE /fapi/v1/algoOpenOrders': {
    security: 'signed',
    handle: ({ engine, accountId, params }) => {
      engine.cancelAllOrders(accountId, required(params, 'symbol'), 'conditional');
      return { code: 200, msg: 'The operation of cancel all open order is done.' };
    },
  },
};
