/**
 * Venue errors, sorted by what the caller may do next (style rule 6, after NautilusTrader's adapters):
 * - `retryable`: nothing happened at the venue; the same request may be sent again after a pause;
 * - `non-retryable`: the venue refused this request definitively; sending it again is pointless;
 * - `fatal`: the venue refuses this account or configuration; stop trading and alert;
 * - `unknown-outcome`: the request may or may not have taken effect; the caller must look the order
 *   up by client order id before sending anything again (style rule 11).
 */
import { QuantMeshError } from '../errors/quantmesh-error.js';

export type ExchangeErrorKind = 'retryable' | 'non-retryable' | 'fatal' | 'unknown-outcome';

export abstract class ExchangeError extends QuantMeshError {
  abstract readonly kind: ExchangeErrorKind;
  constructor(
    message: string,
    readonly venue: string,
    options?: { cause?: unknown },
  ) {
    super(`${venue}: ${message}`, options);
  }
}

export class RateLimitedError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_RATE_LIMITED';
  readonly kind = 'retryable';
  constructor(
    venue: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`rate limited${retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`}`, venue, options);
  }
}

export class InsufficientMarginError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_INSUFFICIENT_MARGIN';
  readonly kind = 'non-retryable';
}

export class PostOnlyWouldCrossError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_POST_ONLY_WOULD_CROSS';
  readonly kind = 'non-retryable';
}

export class DuplicateClientOrderIdError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_DUPLICATE_CLIENT_ORDER_ID';
  readonly kind = 'non-retryable';
  constructor(
    venue: string,
    readonly clientOrderId: string,
    options?: { cause?: unknown },
  ) {
    super(`client order id ${clientOrderId} is already used`, venue, options);
  }
}

export class UnknownOrderError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_UNKNOWN_ORDER';
  readonly kind = 'non-retryable';
}

export class ReduceOnlyRejectedError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_REDUCE_ONLY_REJECTED';
  readonly kind = 'non-retryable';
}

/** Price, quantity or notional outside the market's filters. */
export class InvalidOrderError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_INVALID_ORDER';
  readonly kind = 'non-retryable';
}

/** The venue does not know the symbol. */
export class UnknownSymbolError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_UNKNOWN_SYMBOL';
  readonly kind = 'fatal';
}

/** Wrong API key or signature, or the key lacks a permission. */
export class AuthenticationError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_AUTHENTICATION';
  readonly kind = 'fatal';
}

/** The request failed in transit: it may or may not have reached the venue. */
export class NetworkUnknownOutcomeError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_UNKNOWN_OUTCOME';
  readonly kind = 'unknown-outcome';
}

/** The venue could not be reached and the request certainly did not take effect (e.g. connection refused). */
export class ExchangeUnavailableError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_UNAVAILABLE';
  readonly kind = 'retryable';
}

/** The configured venue is not one the adapter can drive (e.g. not a ccxt pro exchange id). */
export class UnsupportedVenueError extends ExchangeError {
  readonly code = 'QM_EXCHANGE_UNSUPPORTED_VENUE';
  readonly kind = 'fatal';
}
