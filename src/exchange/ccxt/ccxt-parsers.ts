/**
 * ccxt's unified structures → the port's values. ccxt hands amounts over as JavaScript numbers
 * parsed from the venue's decimal strings; each is read back through its shortest decimal text and
 * put on the market's tick or step grid, so no binary float reaches QuantMesh.
 */
import type {
  Order as CcxtOrder,
  Trade as CcxtTrade,
  MarketInterface as CcxtMarket,
  Position as CcxtPosition,
  OHLCV,
  Ticker,
} from 'ccxt';
import { type Decimal, ZERO, dec, roundToStep } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { Candle, Market, MarketType, Position, PriceTick } from '../../domain/market.js';
import type { OrderSide, OrderType, VenueOrderStatus } from '../../domain/order.js';
import type { OrderReport } from '../exchange.js';

/** Exact decimal of a ccxt number (or numeric string); `fallback` when absent. */
export function decimalOf(value: number | string | undefined | null, fallback: Decimal = ZERO): Decimal {
  if (value === undefined || value === null || value === '') return fallback;
  return dec(typeof value === 'number' ? String(value) : value);
}

export function marketOf(market: CcxtMarket, type: MarketType): Market {
  const tickSize = decimalOf(market.precision.price);
  const stepSize = decimalOf(market.precision.amount);
  return {
    symbol: market.id as string,
    base: market.base,
    quote: market.quote,
    type,
    tickSize,
    stepSize,
    minQuantity: decimalOf(market.limits.amount?.min, stepSize),
    minNotional: decimalOf(market.limits.cost?.min),
  };
}

function statusOf(order: CcxtOrder): VenueOrderStatus {
  const filled = order.filled ?? 0;
  switch (order.status) {
    case 'closed':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
    default:
      return filled > 0 ? 'PARTIALLY_FILLED' : 'NEW';
  }
}

export function orderReportOf(order: CcxtOrder, market: Market): OrderReport {
  const price =
    order.price === undefined || order.price === null || order.price === 0
      ? undefined
      : roundToStep(decimalOf(order.price), market.tickSize);
  const filled = roundToStep(decimalOf(order.filled), market.stepSize);
  const average =
    order.average === undefined || order.average === null || filled.isZero() ? undefined : decimalOf(order.average);
  return {
    symbol: market.symbol,
    exchangeOrderId: String(order.id),
    clientOrderId: order.clientOrderId ?? '',
    side: (order.side ?? '').toUpperCase() as OrderSide,
    type: (order.type ?? 'limit').toUpperCase() as OrderType,
    price,
    quantity: roundToStep(decimalOf(order.amount), market.stepSize),
    filledQuantity: filled,
    averagePrice: average,
    status: statusOf(order),
    postOnly: order.postOnly === true,
    reduceOnly: order.reduceOnly === true,
    updatedAt: order.lastUpdateTimestamp ?? order.lastTradeTimestamp ?? order.timestamp ?? 0,
  };
}

export function fillOf(
  trade: CcxtTrade,
  market: Market,
  context: { exchange: string; account: string; clientOrderId: string },
): Fill {
  return {
    exchange: context.exchange,
    account: context.account,
    tradeId: String(trade.id),
    symbol: market.symbol,
    clientOrderId: context.clientOrderId,
    exchangeOrderId: String(trade.order),
    side: (trade.side ?? '').toUpperCase() as OrderSide,
    price: roundToStep(decimalOf(trade.price), market.tickSize),
    quantity: roundToStep(decimalOf(trade.amount), market.stepSize),
    fee: decimalOf(trade.fee?.cost),
    feeAsset: trade.fee?.currency ?? market.quote,
    isMaker: trade.takerOrMaker === 'maker',
    time: trade.timestamp ?? 0,
  };
}

export function priceTickOf(ticker: Ticker, market: Market): PriceTick | undefined {
  const last = ticker.last ?? ticker.close;
  if (last === undefined || last === null) return undefined;
  return { symbol: market.symbol, price: roundToStep(decimalOf(last), market.tickSize), time: ticker.timestamp ?? 0 };
}

export function candleOf(row: OHLCV, market: Market, interval: string, closed: boolean): Candle {
  const price = (value: number | undefined) => roundToStep(decimalOf(value), market.tickSize);
  return {
    symbol: market.symbol,
    interval,
    openTime: row[0] ?? 0,
    open: price(row[1]),
    high: price(row[2]),
    low: price(row[3]),
    close: price(row[4]),
    volume: decimalOf(row[5]),
    closed,
  };
}

export function positionOf(position: CcxtPosition, market: Market): Position {
  const size = roundToStep(
    decimalOf(position.contracts).mul(decimalOf(position.contractSize, dec(1))),
    market.stepSize,
  );
  return {
    symbol: market.symbol,
    quantity: position.side === 'short' ? size.neg() : size,
    entryPrice: decimalOf(position.entryPrice),
    unrealizedPnl: decimalOf(position.unrealizedPnl),
    leverage: position.leverage ?? 1,
  };
}
