/** The matching engine's record of one order, and its report in the port's terms. */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { OrderSide, OrderType, VenueOrderStatus } from '../../domain/order.js';
import type { OrderReport } from '../exchange.js';
import type { SimTrigger } from './sim-trigger-book.js';

export interface SimOrder {
  readonly accountId: string;
  readonly symbol: string;
  readonly exchangeOrderId: string;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Price and quantity change only by an amendment (`SimMatchingEngine.amendOrder`). */
  price: Decimal | undefined;
  quantity: Decimal;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly createdAt: number;
  /** Set on a conditional order: it waits for this trigger, then executes as a market order. */
  readonly trigger?: SimTrigger | undefined;
  filled: Decimal;
  /** Σ price × quantity of the fills, for the average price. */
  filledNotional: Decimal;
  status: VenueOrderStatus;
  updatedAt: number;
}

export function isOpen(order: SimOrder): boolean {
  return order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
}

export function remainingOf(order: SimOrder): Decimal {
  return order.quantity.minus(order.filled);
}

/** A resting limit order fills at its price: then the average is that price, without a division. */
function averageFillPrice(order: SimOrder): Decimal {
  const { price, filled, filledNotional } = order;
  return price !== undefined && filledNotional.eq(price.mul(filled)) ? price : filledNotional.div(filled);
}

export function reportOf(order: SimOrder): OrderReport {
  return {
    symbol: order.symbol,
    exchangeOrderId: order.exchangeOrderId,
    clientOrderId: order.clientOrderId,
    side: order.side,
    type: order.type,
    price: order.price,
    quantity: order.quantity,
    filledQuantity: order.filled,
    averagePrice: order.filled.eq(ZERO) ? undefined : averageFillPrice(order),
    status: order.status,
    postOnly: order.postOnly,
    reduceOnly: order.reduceOnly,
    updatedAt: order.updatedAt,
  };
}
