/** The market filters a sim order must pass (Binance's PRICE_FILTER, LOT_SIZE and MIN_NOTIONAL). */
import type { Decimal } from '../../domain/decimal.js';
import type { Market } from '../../domain/market.js';
import { InvalidOrderError } from '../errors.js';
import type { PlaceOrderRequest } from '../exchange.js';
import { SIM_CLIENT_ORDER_ID_PATTERN } from './sim-settings.js';

/** Throws InvalidOrderError unless `request` fits `market`; `marketPrice` values a market order. */
export function validateOrder(market: Market, request: PlaceOrderRequest, marketPrice: Decimal, venue: string): void {
  const refuse = (why: string): never => {
    throw new InvalidOrderError(`${request.symbol}: ${why}`, venue);
  };
  if (!SIM_CLIENT_ORDER_ID_PATTERN.test(request.clientOrderId))
    refuse(`client order id ${JSON.stringify(request.clientOrderId)} is not 1-36 of [.A-Za-z0-9_:/-]`);
  if (request.type === 'LIMIT') {
    if (request.price === undefined || !request.price.isPositive()) refuse('a limit order needs a positive price');
    if (!(request.price as Decimal).mod(market.tickSize).isZero())
      refuse(`price ${request.price?.toFixed()} is not a multiple of tick ${market.tickSize.toFixed()}`);
  } else if (request.postOnly) {
    refuse('a market order cannot be post-only');
  }
  if (!request.quantity.mod(market.stepSize).isZero())
    refuse(`quantity ${request.quantity.toFixed()} is not a multiple of step ${market.stepSize.toFixed()}`);
  if (request.quantity.lt(market.minQuantity))
    refuse(`quantity ${request.quantity.toFixed()} is below the minimum ${market.minQuantity.toFixed()}`);
  const notional = (request.price ?? marketPrice).mul(request.quantity);
  // Reduce-only orders may be smaller than the minimum notional (they close what exists).
  if (notional.lt(market.minNotional) && !request.reduceOnly)
    refuse(`notional ${notional.toFixed()} is below the minimum ${market.minNotional.toFixed()}`);
}
