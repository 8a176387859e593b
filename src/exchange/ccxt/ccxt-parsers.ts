/**
 * ccxt's unified structures → the port's values. ccxt hands amounts over as JavaScript numbers
 * parsed from the venue's decimal strings; each is read back through its shortest decimal text and
 * put on the market's tick or step grid, so no binary float reaches QuantMesh.
 *
 * Quantities: the port speaks base-asset units everywhere; ccxt's amounts on contract markets are
 * contracts of `contractSize` base units (OKX BTC-USDT-SWAP: 0.01 BTC, Gate BTC_USDT: 0.0001 BTC).
 * Every ccxt amount goes through `baseOf` on the way in and `contractsOf` on the way out.
 */
import type {
  Order as CcxtOrder,
  Trade as CcxtTrade,
  MarketInterface as CcxtMarket,
  Position as CcxtPosition,
  OHLCV,
  Ticker,
} from 'ccxt';
import { type Decimal, ONE, ZERO, dec, roundToStep } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { Candle, Market, MarketType, Position, PriceTick } from '../../domain/market.js';
import type { OrderSide, OrderType, VenueOrderStatus } from '../../domain/order.js';
import type { OrderReport } from '../exchange.js';

/** Exact decimal of a ccxt number (or numeric string); `fallback` when absent. */
export function decimalOf(value: number | string | undefined | null, fallback: Decimal = ZERO): Decimal {
  if (value === undefined || value === null || value === '') return fallback;
  return dec(typeof value === 'number' ? String(value) : value);
}

/** A venue market as the adapter holds it: the port's market (base units) and ccxt's amount unit. */
export interface VenueMarket {
  readonly market: Market;
  /** Base units per ccxt amount unit: the contract size on contract markets, 1 on spot. */
  readonly contractSize: Decimal;
  /** Why this market cannot be traded (it is listed so the refusal can say why), if it cannot. */
  readonly unsupported?: string | undefined;
}

/**
 * The port's market of a ccxt market, with the amount grid converted to base units: the step is
 * the venue's amount step (in contracts; one whole contract where ccxt gives none) times the
 * contract size, and the minimum likewise.
 */
export function venueMarketOf(market: CcxtMarket, type: MarketType): VenueMarket {
  const contractSize = market.contract === true ? decimalOf(market.contractSize, ZERO) : ONE;
  const amountStep = decimalOf(market.precision.amount, market.contract === true ? ONE : ZERO);
  const stepSize = amountStep.mul(contractSize);
  return {
    market: {
      symbol: market.id as string,
      base: market.base,
      quote: market.quote,
      type,
      tickSize: decimalOf(market.precision.price),
      stepSize,
      minQuantity: decimalOf(market.limits.amount?.min, amountStep).mul(contractSize),
      minNotional: decimalOf(market.limits.cost?.min),
    },
    contractSize,
    unsupported: unsupportedContract(market, contractSize),
  };
}

function unsupportedContract(market: CcxtMarket, contractSize: Decimal): string | undefined {
  if (market.contract !== true) return undefined;
  if (market.inverse === true)
    return `inverse contracts (sized in ${market.quote}, margined in ${market.base}) are not supported`;
  if (market.linear !== true) return 'ccxt does not say the contract is linear (margined in the quote asset)';
  if (!contractSize.gt(0)) return 'the venue gives no contract size';
  return undefined;
}

/** A ccxt amount (contracts on contract markets) in base units, on the market's step grid. */
export function baseOf(amount: number | string | undefined | null, venue: VenueMarket): Decimal {
  return roundToStep(decimalOf(amount).mul(venue.contractSize), venue.market.stepSize);
}

/** A base quantity as the ccxt amount to send: exact, since the quantity is on the lot grid (checked before). */
export function contractsOf(quantity: Decimal, venue: VenueMarket): number {
  return Number(quantity.div(venue.contractSize).toFixed());
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

export function orderReportOf(order: CcxtOrder, venue: VenueMarket): OrderReport {
  const { market } = venue;
  const price =
    order.price === undefined || order.price === null || order.price === 0
      ? undefined
      : roundToStep(decimalOf(order.price), market.tickSize);
  const filled = baseOf(order.filled, venue);
  const average =
    order.average === undefined || order.average === null || filled.isZero() ? undefined : decimalOf(order.average);
  return {
    symbol: market.symbol,
    exchangeOrderId: String(order.id),
    clientOrderId: order.clientOrderId ?? '',
    side: (order.side ?? '').toUpperCase() as OrderSide,
    type: (order.type ?? 'limit').toUpperCase() as OrderType,
    price,
    quantity: baseOf(order.amount, venue),
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
  venue: VenueMarket,
  context: { exchange: string; account: string; clientOrderId: string },
): Fill {
  const { market } = venue;
  return {
    exchange: context.exchange,
    account: context.account,
    tradeId: String(trade.id),
    symbol: market.symbol,
    clientOrderId: context.clientOrderId,
    exchangeOrderId: String(trade.order),
    side: (trade.side ?? '').toUpperCase() as OrderSide,
    price: roundToStep(decimalOf(trade.price), market.tickSize),
    quantity: baseOf(trade.amount, venue),
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

/** ccxt's `contracts` in base units by the market's contract size (the one orders and fills use). */
export function positionOf(position: CcxtPosition, venue: VenueMarket): Position {
  const size = baseOf(position.contracts, venue);
  return {
    symbol: venue.market.symbol,
    quantity: position.side === 'short' ? size.neg() : size,
    entryPrice: decimalOf(position.entryPrice),
    unrealizedPnl: decimalOf(position.unrealizedPnl),
    leverage: position.leverage ?? 1,
  };
}
