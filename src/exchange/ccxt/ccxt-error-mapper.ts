/**
 * Maps ccxt errors to the port's typed errors. ccxt's class decides first where it is specific;
 * a venue error code (parsed from the JSON body ccxt puts in its message, never matched as prose)
 * refines ccxt's generic classes. Messages are rebuilt from the class and code only, so nothing a
 * request carried (keys, signatures) can leak.
 */
import ccxt from 'ccxt';
import {
  AuthenticationError,
  DuplicateClientOrderIdError,
  type ExchangeError,
  ExchangeUnavailableError,
  InsufficientMarginError,
  InvalidOrderError,
  NetworkUnknownOutcomeError,
  PostOnlyWouldCrossError,
  RateLimitedError,
  ReduceOnlyRejectedError,
  UnknownOrderError,
  UnknownSymbolError,
} from '../errors.js';
import type { CcxtVenueProfile, RetryAfterHeader, VenueErrorMeaning } from './ccxt-venue-profiles.js';

/** RFC 9110's header, in seconds (or an HTTP date), as Binance sends it: the default of every profile. */
export const RETRY_AFTER_SECONDS: RetryAfterHeader = { name: 'retry-after', unit: 'seconds' };

/**
 * How long a venue's 429/418 asks every client of the account to wait, in ms: the profile's header
 * (seconds, milliseconds or an epoch time in ms, as the venue sends it) and, for Binance's 418, the
 * ban's end in its message (`IP banned until 1700000000000`), whichever is later; undefined when
 * neither is readable.
 */
export function retryAfterMsOf(
  headers: Readonly<Record<string, string>>,
  body: string | undefined,
  now: number,
  header: RetryAfterHeader = RETRY_AFTER_SECONDS,
): number | undefined {
  const text = Object.entries(headers)
    .find(([key]) => key.toLowerCase() === header.name)?.[1]
    ?.trim();
  const value = text === undefined || text === '' ? Number.NaN : Number(text);
  const fromHeader =
    header.unit === 'milliseconds'
      ? value
      : header.unit === 'epoch-milliseconds'
        ? value - now
        : Number.isFinite(value)
          ? value * 1000
          : Date.parse(text ?? '') - now;
  const bannedUntil = Number(/banned until (\d{10,})/.exec(body ?? '')?.[1]);
  const waits = [fromHeader, bannedUntil - now].filter((ms) => Number.isFinite(ms) && ms > 0);
  return waits.length === 0 ? undefined : Math.ceil(Math.max(...waits));
}

/** The wait a 429/418 asked for, noted on ccxt's error where the answer's headers were seen (ccxt-client-factory.ts). */
const retryAfterOfErrors = new WeakMap<object, number>();

export function noteRetryAfter(error: unknown, retryAfterMs: number | undefined): void {
  if (retryAfterMs !== undefined && typeof error === 'object' && error !== null)
    retryAfterOfErrors.set(error, retryAfterMs);
}

/**
 * The venue's error code in a ccxt message such as `binanceusdm {"code":-2022,"msg":"..."}`. A
 * per-order code (OKX `sCode`) comes before the envelope's (`"code":"1"`, "all operations failed");
 * `0` is success (OKX, Bybit), not an error.
 */
export function venueErrorCode(message: string): string | undefined {
  for (const field of ['sCode', 'retCode', 'code', 'label']) {
    const code = new RegExp(`"${field}"\\s*:\\s*"?(-?\\w+)"?`).exec(message)?.[1];
    if (code !== undefined) return code === '0' ? undefined : code;
  }
  return undefined;
}

/** The venue's error message in the same JSON body (`"msg":"..."`), matched exactly, never searched. */
function venueErrorMessage(message: string): string | undefined {
  return /"msg"\s*:\s*"([^"]*)"/.exec(message)?.[1];
}

function fromMeaning(
  meaning: VenueErrorMeaning,
  venue: string,
  detail: string,
  clientOrderId: string | undefined,
  cause: unknown,
  retryAfterMs?: number,
): ExchangeError {
  switch (meaning) {
    case 'duplicate-client-order-id':
      return new DuplicateClientOrderIdError(venue, clientOrderId ?? '(unknown)', { cause });
    case 'reduce-only-rejected':
      return new ReduceOnlyRejectedError(detail, venue, { cause });
    case 'insufficient-margin':
      return new InsufficientMarginError(detail, venue, { cause });
    case 'post-only-would-cross':
      return new PostOnlyWouldCrossError(detail, venue, { cause });
    case 'invalid-order':
      return new InvalidOrderError(detail, venue, { cause });
    case 'unknown-order':
      return new UnknownOrderError(detail, venue, { cause });
    case 'unknown-symbol':
      return new UnknownSymbolError(detail, venue, { cause });
    case 'rate-limited':
      return new RateLimitedError(venue, retryAfterMs, { cause });
    case 'authentication':
      return new AuthenticationError(detail, venue, { cause });
  }
}

export interface MapContext {
  readonly venue: string;
  readonly profile: CcxtVenueProfile;
  /** True for requests that change state at the venue: a transport failure is then an unknown outcome. */
  readonly changesState: boolean;
  readonly clientOrderId?: string | undefined;
}

/** A per-entry refusal inside a batch answer: the venue's code decides, else a plain invalid order. */
export function errorFromVenueCode(code: string | undefined, context: MapContext): ExchangeError {
  const detail = `batch entry refused (venue code ${code ?? 'none'})`;
  const meaning = code === undefined ? undefined : context.profile.errorCodes[code];
  return fromMeaning(meaning ?? 'invalid-order', context.venue, detail, context.clientOrderId, { code });
}

export function mapCcxtError(error: unknown, context: MapContext): Error {
  if (!(error instanceof ccxt.BaseError)) return error instanceof Error ? error : new Error(String(error));
  const { venue, profile, changesState, clientOrderId } = context;
  const code = venueErrorCode(error.message);
  const detail = `${error.constructor.name}${code === undefined ? '' : ` (venue code ${code})`}`;
  // ccxt errors keep the request out of their message, but the cause is dropped anyway: only the
  // class name and venue code travel further.
  const cause = { name: error.constructor.name, code };
  const byMessage =
    code === undefined ? undefined : profile.errorMessages?.[code]?.[venueErrorMessage(error.message) ?? ''];
  const meaning = byMessage ?? (code === undefined ? undefined : profile.errorCodes[code]);
  const retryAfterMs = retryAfterOfErrors.get(error);
  if (meaning !== undefined) return fromMeaning(meaning, venue, detail, clientOrderId, cause, retryAfterMs);
  if (error instanceof ccxt.DuplicateOrderId)
    return fromMeaning('duplicate-client-order-id', venue, detail, clientOrderId, cause);
  if (error instanceof ccxt.AuthenticationError) return new AuthenticationError(detail, venue, { cause });
  if (error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection)
    return new RateLimitedError(venue, retryAfterMs, { cause });
  if (error instanceof ccxt.InsufficientFunds) return new InsufficientMarginError(detail, venue, { cause });
  if (error instanceof ccxt.OrderImmediatelyFillable || error instanceof ccxt.OrderNotFillable)
    return new PostOnlyWouldCrossError(detail, venue, { cause });
  if (error instanceof ccxt.OrderNotFound) return new UnknownOrderError(detail, venue, { cause });
  if (error instanceof ccxt.BadSymbol) return new UnknownSymbolError(detail, venue, { cause });
  if (error instanceof ccxt.InvalidOrder || error instanceof ccxt.BadRequest)
    return new InvalidOrderError(detail, venue, { cause });
  if (error instanceof ccxt.NetworkError) {
    // A request that may have reached the venue has an unknown outcome (style rule 11).
    return changesState
      ? new NetworkUnknownOutcomeError(detail, venue, { cause })
      : new ExchangeUnavailableError(detail, venue, { cause });
  }
  if (error instanceof ccxt.ExchangeNotAvailable || error instanceof ccxt.OnMaintenance)
    return new ExchangeUnavailableError(detail, venue, { cause });
  return changesState
    ? new NetworkUnknownOutcomeError(detail, venue, { cause })
    : new ExchangeUnavailableError(detail, venue, { cause });
}
