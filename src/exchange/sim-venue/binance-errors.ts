/** How the sim venue answers the engine's typed errors: Binance HTTP status and `{code, msg}`. */
import {
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  PostOnlyWouldCrossError,
  RateLimitedError,
  ReduceOnlyRejectedError,
  UnknownOrderError,
  UnknownSymbolError,
} from '../errors.js';
import { WouldTriggerImmediatelyError } from '../sim/errors.js';
import { RateLimitRefusal } from './binance-rate-limits.js';
import { SimVenueRequestError } from './errors.js';

export interface BinanceErrorReply {
  readonly status: number;
  readonly body: { readonly code: number; readonly msg: string };
  readonly retryAfterSeconds?: number | undefined;
}

/** `operation` picks Binance's code for a missing order: -2011 on cancel, -2013 on query. */
export function binanceErrorReply(error: unknown, operation: 'cancel' | 'query' | 'other'): BinanceErrorReply {
  const reply = (status: number, code: number, msg: string): BinanceErrorReply => ({ status, body: { code, msg } });
  if (error instanceof RateLimitRefusal)
    return { ...reply(error.status, error.binanceCode, error.message), retryAfterSeconds: error.retryAfterSeconds };
  if (error instanceof SimVenueRequestError) return reply(error.status, error.binanceCode, error.message);
  if (error instanceof RateLimitedError) {
    return {
      ...reply(429, -1003, 'Too many requests; current limit is exceeded.'),
      retryAfterSeconds: Math.ceil((error.retryAfterMs ?? 1000) / 1000),
    };
  }
  if (error instanceof PostOnlyWouldCrossError)
    return reply(400, -5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected.');
  if (error instanceof ReduceOnlyRejectedError) return reply(400, -2022, 'ReduceOnly Order is rejected.');
  if (error instanceof InsufficientMarginError) return reply(400, -2019, 'Margin is insufficient.');
  if (error instanceof DuplicateClientOrderIdError) return reply(400, -4116, 'ClientOrderId is duplicated.');
  if (error instanceof UnknownOrderError)
    return operation === 'query'
      ? reply(400, -2013, 'Order does not exist.')
      : reply(400, -2011, 'Unknown order sent.');
  if (error instanceof UnknownSymbolError) return reply(400, -1121, 'Invalid symbol.');
  if (error instanceof WouldTriggerImmediatelyError) return reply(400, -2021, 'Order would immediately trigger.');
  if (error instanceof InvalidOrderError) return reply(400, -1013, `Filter failure: ${error.message}`);
  return reply(500, -1000, 'An unknown error occured while processing the request.');
}
