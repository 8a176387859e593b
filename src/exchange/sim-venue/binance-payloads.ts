/**
 * The sim's state in Binance USDⓈ-M futures JSON (the shapes ccxt's `binanceusdm` parses). Numbers
 * that are money travel as decimal strings, as Binance sends them.
 */
import { type Decimal, ZERO, decimalToString } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { Balance, Candle, Market, Position } from '../../domain/market.js';
import type { OrderReport } from '../exchange.js';
import { intervalMs } from '../sim/sim-candles.js';
import type { SimTrigger } from '../sim/sim-trigger-book.js';

const text = decimalToString;

function decimalsOf(step: Decimal): number {
  return Math.max(0, step.decimalPlaces());
}

export function exchangeInfoPayload(markets: readonly Market[], serverTime: number): object {
  return {
    timezone: 'UTC',
    serverTime,
    futuresType: 'U_MARGINED',
    rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 }],
    exchangeFilters: [],
    assets: [...new Set(markets.map((market) => market.quote))].map((asset) => ({
      asset,
      marginAvailable: true,
      autoAssetExchange: '0',
    })),
    symbols: markets
      .filter((market) => market.type === 'future')
      .map((market) => ({
        symbol: market.symbol,
        pair: market.symbol,
        contractType: 'PERPETUAL',
        deliveryDate: 4133404800000,
        onboardDate: 1569398400000,
        status: 'TRADING',
        baseAsset: market.base,
        quoteAsset: market.quote,
        marginAsset: market.quote,
        pricePrecision: decimalsOf(market.tickSize),
        quantityPrecision: decimalsOf(market.stepSize),
        baseAssetPrecision: 8,
        quotePrecision: 8,
        underlyingType: 'COIN',
        underlyingSubType: [],
        triggerProtect: '0.0500',
        liquidationFee: '0.012500',
        marketTakeBound: '0.05',
        filters: [
          ...priceAndLotFilters(market),
          { filterType: 'MAX_NUM_ORDERS', limit: 200 },
          { filterType: 'MIN_NOTIONAL', notional: text(market.minNotional) },
        ],
        orderTypes: ['LIMIT', 'MARKET', 'STOP_MARKET', 'TAKE_PROFIT_MARKET'],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
      })),
  };
}

/** The tick and step filters futures and spot exchangeInfo share (Binance's own shapes). */
export function priceAndLotFilters(market: Market): object[] {
  const lot = { minQty: text(market.minQuantity), maxQty: '100000000', stepSize: text(market.stepSize) };
  return [
    {
      filterType: 'PRICE_FILTER',
      minPrice: text(market.tickSize),
      maxPrice: '10000000',
      tickSize: text(market.tickSize),
    },
    { filterType: 'LOT_SIZE', ...lot },
    { filterType: 'MARKET_LOT_SIZE', ...lot },
  ];
}

/** An order as Binance shows it; `trigger` makes it the STOP_MARKET / TAKE_PROFIT_MARKET order it is. */
export function orderPayload(order: OrderReport, trigger?: SimTrigger): object {
  const executedQty = order.filledQuantity;
  const type = trigger?.kind ?? order.type;
  return {
    orderId: Number(order.exchangeOrderId),
    symbol: order.symbol,
    status: order.status,
    clientOrderId: order.clientOrderId,
    price: text(order.price ?? ZERO),
    avgPrice: text(order.averagePrice ?? ZERO),
    origQty: text(order.quantity),
    executedQty: text(executedQty),
    cumQty: text(executedQty),
    cumQuote: text(executedQty.mul(order.averagePrice ?? ZERO)),
    timeInForce: order.postOnly ? 'GTX' : 'GTC',
    type,
    origType: type,
    reduceOnly: order.reduceOnly,
    closePosition: false,
    side: order.side,
    positionSide: 'BOTH',
    stopPrice: text(trigger?.stopPrice ?? ZERO),
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'NONE',
    goodTillDate: 0,
    time: order.updatedAt,
    updateTime: order.updatedAt,
  };
}

export function userTradePayload(fill: Fill): object {
  return {
    symbol: fill.symbol,
    id: Number(fill.tradeId),
    orderId: Number(fill.exchangeOrderId),
    side: fill.side,
    price: text(fill.price),
    qty: text(fill.quantity),
    realizedPnl: '0',
    marginAsset: fill.feeAsset,
    quoteQty: text(fill.price.mul(fill.quantity)),
    commission: text(fill.fee),
    commissionAsset: fill.feeAsset,
    time: fill.time,
    positionSide: 'BOTH',
    buyer: fill.side === 'BUY',
    maker: fill.isMaker,
  };
}

export function positionPayload(position: Position, mark: Decimal, time: number): object {
  const notional = position.quantity.mul(mark);
  return {
    symbol: position.symbol,
    positionSide: 'BOTH',
    positionAmt: text(position.quantity),
    entryPrice: text(position.entryPrice),
    breakEvenPrice: text(position.entryPrice),
    markPrice: text(mark),
    unRealizedProfit: text(position.unrealizedPnl),
    liquidationPrice: '0',
    isolatedMargin: '0',
    notional: text(notional),
    marginAsset: 'USDT',
    isolatedWallet: '0',
    initialMargin: text(notional.abs().div(position.leverage)),
    maintMargin: '0',
    positionInitialMargin: text(notional.abs().div(position.leverage)),
    openOrderInitialMargin: '0',
    adl: 0,
    bidNotional: '0',
    askNotional: '0',
    updateTime: time,
    leverage: String(position.leverage),
    marginType: 'cross',
    isAutoAddMargin: 'false',
    maxNotionalValue: '1000000000',
  };
}

export function accountPayload(balances: readonly Balance[], positions: readonly object[], time: number): object {
  const usdt = balances.find((balance) => balance.asset === 'USDT');
  const wallet = text(usdt?.total ?? ZERO);
  const available = text(usdt?.free ?? ZERO);
  return {
    totalInitialMargin: '0',
    totalMaintMargin: '0',
    totalWalletBalance: wallet,
    totalUnrealizedProfit: '0',
    totalMarginBalance: wallet,
    totalPositionInitialMargin: '0',
    totalOpenOrderInitialMargin: '0',
    totalCrossWalletBalance: wallet,
    totalCrossUnPnl: '0',
    availableBalance: available,
    maxWithdrawAmount: available,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: time,
    assets: balances.map((balance) => ({
      asset: balance.asset,
      walletBalance: text(balance.total),
      unrealizedProfit: '0',
      marginBalance: text(balance.total),
      maintMargin: '0',
      initialMargin: text(balance.locked),
      positionInitialMargin: '0',
      openOrderInitialMargin: text(balance.locked),
      crossWalletBalance: text(balance.total),
      crossUnPnl: '0',
      availableBalance: text(balance.free),
      maxWithdrawAmount: text(balance.free),
      marginAvailable: true,
      updateTime: time,
    })),
    positions,
  };
}

export function balancePayload(balances: readonly Balance[], time: number): object[] {
  return balances.map((balance) => ({
    accountAlias: 'sim',
    asset: balance.asset,
    balance: text(balance.total),
    crossWalletBalance: text(balance.total),
    crossUnPnl: '0',
    availableBalance: text(balance.free),
    maxWithdrawAmount: text(balance.free),
    marginAvailable: true,
    updateTime: time,
  }));
}

/** `ORDER_TRADE_UPDATE` user-stream event for an order change and the fill that caused it. */
export function orderTradeUpdatePayload(
  order: OrderReport,
  trigger: SimTrigger | undefined,
  fill: Fill | undefined,
  eventTime: number,
): object {
  const executionType = fill !== undefined ? 'TRADE' : order.status === 'NEW' ? 'NEW' : order.status;
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: eventTime,
    T: order.updatedAt,
    o: {
      s: order.symbol,
      c: order.clientOrderId,
      S: order.side,
      o: order.type,
      f: order.postOnly ? 'GTX' : 'GTC',
      q: text(order.quantity),
      p: text(order.price ?? ZERO),
      ap: text(order.averagePrice ?? ZERO),
      sp: text(trigger?.stopPrice ?? ZERO),
      x: executionType,
      X: order.status,
      i: Number(order.exchangeOrderId),
      l: text(fill?.quantity ?? ZERO),
      z: text(order.filledQuantity),
      L: text(fill?.price ?? ZERO),
      N: fill?.feeAsset ?? 'USDT',
      n: text(fill?.fee ?? ZERO),
      T: fill?.time ?? order.updatedAt,
      t: Number(fill?.tradeId ?? 0),
      b: '0',
      a: '0',
      m: fill?.isMaker ?? false,
      R: order.reduceOnly,
      wt: 'CONTRACT_PRICE',
      ot: trigger?.kind ?? order.type,
      ps: 'BOTH',
      cp: false,
      rp: '0',
      pP: false,
      si: 0,
      ss: 0,
      V: 'NONE',
      pm: 'NONE',
      gtd: 0,
    },
  };
}

export function klinePayload(candle: Candle, eventTime: number): object {
  return {
    e: 'kline',
    E: eventTime,
    s: candle.symbol,
    k: {
      t: candle.openTime,
      T: candle.openTime + intervalMs(candle.interval) - 1,
      s: candle.symbol,
      i: candle.interval,
      f: 0,
      L: 0,
      o: text(candle.open),
      c: text(candle.close),
      h: text(candle.high),
      l: text(candle.low),
      v: text(candle.volume),
      n: 0,
      x: candle.closed,
      q: text(candle.volume.mul(candle.close)),
      V: '0',
      Q: '0',
      B: '0',
    },
  };
}

/** `ACCOUNT_UPDATE` user-stream event: the account's balances and the positions of `symbols` after a change. */
export function accountUpdatePayload(
  balances: readonly Balance[],
  positions: readonly Position[],
  eventTime: number,
): object {
  return {
    e: 'ACCOUNT_UPDATE',
    E: eventTime,
    T: eventTime,
    a: {
      m: 'ORDER',
      B: balances.map((balance) => ({ a: balance.asset, wb: text(balance.total), cw: text(balance.total), bc: '0' })),
      P: positions.map((position) => ({
        s: position.symbol,
        pa: text(position.quantity),
        ep: text(position.entryPrice),
        bep: text(position.entryPrice),
        cr: '0',
        up: text(position.unrealizedPnl),
        mt: 'cross',
        iw: '0',
        ps: 'BOTH',
      })),
    },
  };
}
