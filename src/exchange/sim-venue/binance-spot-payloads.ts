/**
 * The sim's state in Binance spot JSON (`/api/v3` and the spot user stream: the shapes ccxt's
 * `binance` parses). Money travels as decimal strings, as Binance sends it.
 */
import { ZERO, decimalToString } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { Balance, Market } from '../../domain/market.js';
import type { OrderReport } from '../exchange.js';
import { priceAndLotFilters } from './binance-payloads.js';

const text = decimalToString;

/** Spot order types: LIMIT_MAKER is Binance spot's post-only. */
function spotType(order: OrderReport): string {
  return order.type === 'LIMIT' && order.postOnly ? 'LIMIT_MAKER' : order.type;
}

export function spotExchangeInfoPayload(markets: readonly Market[], serverTime: number): object {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
    ],
    exchangeFilters: [],
    symbols: markets
      .filter((market) => market.type === 'spot')
      .map((market) => ({
        symbol: market.symbol,
        status: 'TRADING',
        baseAsset: market.base,
        baseAssetPrecision: 8,
        quoteAsset: market.quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
        icebergAllowed: false,
        ocoAllowed: false,
        otoAllowed: false,
        quoteOrderQtyMarketAllowed: false,
        allowTrailingStop: false,
        cancelReplaceAllowed: false,
        amendAllowed: false,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          ...priceAndLotFilters(market),
          {
            filterType: 'NOTIONAL',
            minNotional: text(market.minNotional),
            applyMinToMarket: true,
            maxNotional: '9000000',
            applyMaxToMarket: false,
            avgPriceMins: 5,
          },
          { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
        ],
        permissions: [],
        permissionSets: [['SPOT']],
        defaultSelfTradePreventionMode: 'NONE',
        allowedSelfTradePreventionModes: ['NONE'],
      })),
  };
}

export function spotOrderPayload(order: OrderReport): object {
  const quote = order.filledQuantity.mul(order.averagePrice ?? ZERO);
  return {
    symbol: order.symbol,
    orderId: Number(order.exchangeOrderId),
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    price: text(order.price ?? ZERO),
    origQty: text(order.quantity),
    executedQty: text(order.filledQuantity),
    cummulativeQuoteQty: text(quote),
    status: order.status,
    timeInForce: 'GTC',
    type: spotType(order),
    side: order.side,
    stopPrice: '0',
    icebergQty: '0',
    time: order.updatedAt,
    updateTime: order.updatedAt,
    isWorking: true,
    workingTime: order.updatedAt,
    origQuoteOrderQty: '0',
    selfTradePreventionMode: 'NONE',
  };
}

/** The answer to a new order (`newOrderRespType=FULL`): the order and the fills it took on arrival. */
export function spotNewOrderPayload(order: OrderReport, fills: readonly Fill[]): object {
  return {
    ...spotOrderPayload(order),
    transactTime: order.updatedAt,
    fills: fills.map((fill) => ({
      price: text(fill.price),
      qty: text(fill.quantity),
      commission: text(fill.fee),
      commissionAsset: fill.feeAsset,
      tradeId: Number(fill.tradeId),
    })),
  };
}

export function spotTradePayload(fill: Fill): object {
  return {
    symbol: fill.symbol,
    id: Number(fill.tradeId),
    orderId: Number(fill.exchangeOrderId),
    orderListId: -1,
    price: text(fill.price),
    qty: text(fill.quantity),
    quoteQty: text(fill.price.mul(fill.quantity)),
    commission: text(fill.fee),
    commissionAsset: fill.feeAsset,
    time: fill.time,
    isBuyer: fill.side === 'BUY',
    isMaker: fill.isMaker,
    isBestMatch: true,
  };
}

/** `GET /api/v3/account`; the sim's fee rates are not reported (ccxt reads them elsewhere). */
export function spotAccountPayload(balances: readonly Balance[], time: number): object {
  return {
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: time,
    accountType: 'SPOT',
    permissions: ['SPOT'],
    balances: balances.map((balance) => ({
      asset: balance.asset,
      free: text(balance.free),
      locked: text(balance.locked),
    })),
  };
}

/** `executionReport`: one order change of the spot user stream, with the fill that caused it. */
export function executionReportPayload(order: OrderReport, fill: Fill | undefined, eventTime: number): object {
  const executionType = fill !== undefined ? 'TRADE' : order.status === 'NEW' ? 'NEW' : order.status;
  return {
    e: 'executionReport',
    E: eventTime,
    s: order.symbol,
    c: order.clientOrderId,
    S: order.side,
    o: spotType(order),
    f: 'GTC',
    q: text(order.quantity),
    p: text(order.price ?? ZERO),
    P: '0',
    F: '0',
    g: -1,
    C: '',
    x: executionType,
    X: order.status,
    r: 'NONE',
    i: Number(order.exchangeOrderId),
    l: text(fill?.quantity ?? ZERO),
    z: text(order.filledQuantity),
    L: text(fill?.price ?? ZERO),
    n: text(fill?.fee ?? ZERO),
    N: fill?.feeAsset ?? null,
    T: fill?.time ?? order.updatedAt,
    t: Number(fill?.tradeId ?? -1),
    I: 0,
    w: order.status === 'NEW' || order.status === 'PARTIALLY_FILLED',
    m: fill?.isMaker ?? false,
    M: false,
    O: order.updatedAt,
    Z: text(order.filledQuantity.mul(order.averagePrice ?? ZERO)),
    Y: text(fill === undefined ? ZERO : fill.price.mul(fill.quantity)),
    Q: '0',
    W: order.updatedAt,
    V: 'NONE',
  };
}

/** `outboundAccountPosition`: the balances of the assets an execution changed. */
export function outboundAccountPositionPayload(balances: readonly Balance[], eventTime: number): object {
  return {
    e: 'outboundAccountPosition',
    E: eventTime,
    u: eventTime,
    B: balances.map((balance) => ({ a: balance.asset, f: text(balance.free), l: text(balance.locked) })),
  };
}
