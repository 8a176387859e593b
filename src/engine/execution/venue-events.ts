/**
 * Translations from what the Exchange port reports to the grid's events: the engine is the only
 * place where venue shapes meet the pure strategy.
 */
import {
  DuplicateClientOrderIdError,
  type ExchangeError,
  InsufficientMarginError,
  InvalidOrderError,
  PostOnlyWouldCrossError,
  RateLimitedError,
  ReduceOnlyRejectedError,
} from '../../exchange/errors.js';
import type { OrderReport } from '../../exchange/exchange.js';
import type { GridEvent, RejectReason, VenueOrder } from '../../strategy/grid/grid-event.js';

export function toVenueOrder(report: OrderReport): VenueOrder {
  return {
    exchangeOrderId: report.exchangeOrderId,
    clientOrderId: report.clientOrderId,
    side: report.side,
    type: report.type,
    price: report.price,
    quantity: report.quantity,
    filledQuantity: report.filledQuantity,
    status: report.status,
    postOnly: report.postOnly,
    reduceOnly: report.reduceOnly,
  };
}

/** The grid's category for a definitive venue refusal (by class, never by message text). */
export function rejectReason(error: ExchangeError): RejectReason {
  if (error instanceof PostOnlyWouldCrossError) return 'post-only-would-cross';
  if (error instanceof InsufficientMarginError) return 'insufficient-margin';
  if (error instanceof ReduceOnlyRejectedError) return 'reduce-only';
  if (error instanceof DuplicateClientOrderIdError) return 'duplicate-client-id';
  if (error instanceof InvalidOrderError) return 'invalid';
  if (error instanceof RateLimitedError) return 'rate-limited';
  return 'other';
}

/** The grid event for the venue's report of one order: ended (canceled, expired) or its current view. */
export function reportEvent(report: OrderReport, time: number): GridEvent {
  if (report.status === 'CANCELED')
    return { type: 'OrderCanceled', time, clientOrderId: report.clientOrderId, filledQuantity: report.filledQuantity };
  if (report.status === 'EXPIRED')
    return { type: 'OrderExpired', time, clientOrderId: report.clientOrderId, filledQuantity: report.filledQuantity };
  return { type: 'OrderReported', time, order: toVenueOrder(report) };
}
