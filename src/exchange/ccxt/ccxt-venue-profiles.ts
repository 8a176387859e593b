/**
 * What differs per ccxt venue and is not in ccxt's unified API: client order id limits, venue
 * error codes that ccxt maps only to a generic class, and how fills are paged. ccxt's unified
 * `clientOrderId` parameter is sent everywhere (ccxt renames it: `newClientOrderId` on Binance,
 * `orderLinkId` on Bybit, `clOrdId` on OKX, `clientOid` on Bitget, `text` on Gate).
 */
import type { MarketType } from '../../domain/market.js';

/** The typed error a venue error code stands for. */
export type VenueErrorMeaning =
  | 'duplicate-client-order-id'
  | 'reduce-only-rejected'
  | 'insufficient-margin'
  | 'post-only-would-cross'
  | 'invalid-order'
  | 'unknown-order'
  | 'unknown-symbol'
  | 'rate-limited'
  | 'authentication';

export interface CcxtVenueProfile {
  readonly clientOrderIdMaxLength: number;
  readonly clientOrderIdPattern: RegExp;
  /** The prefix the venue keeps our client order ids with (ccxt adds it), dropped from what comes back. */
  readonly clientOrderIdPrefix?: string | undefined;
  /** Venue error code (as text) → meaning; consulted before ccxt's class. */
  readonly errorCodes: Readonly<Record<string, VenueErrorMeaning>>;
  /** For a code that stands for several refusals: code → the venue's exact `msg` → meaning, consulted first. */
  readonly errorMessages?: Readonly<Record<string, Readonly<Record<string, VenueErrorMeaning>>>> | undefined;
  /** Market types whose orders ccxt's `createOrders` can batch (default: both). */
  readonly batchMarketTypes?: readonly MarketType[] | undefined;
  /** `fromId`: trade ids are increasing integers the venue pages by; `since`: page by time. */
  readonly fillPaging: 'fromId' | 'since';
  /** ccxt `defaultType` for each market type. */
  readonly defaultType: Readonly<Record<MarketType, string>>;
  /** Where a 429/418 says how long to wait (default: `Retry-After` in seconds). */
  readonly retryAfter?: RetryAfterHeader | undefined;
  /** The venue's published account limits per market type, the shared budget's defaults (docs/venues.md). */
  readonly rateLimits?: Readonly<Record<MarketType, VenueRateLimits>> | undefined;
}

/** A response header telling a refused client when to come back, in the unit the venue uses. */
export interface RetryAfterHeader {
  /** Lower case. */
  readonly name: string;
  readonly unit: 'seconds' | 'milliseconds' | 'epoch-milliseconds';
}

export interface VenueRateLimits {
  readonly weightPerMinute?: number | undefined;
  readonly ordersPer10Seconds?: number | undefined;
  readonly ordersPerMinute?: number | undefined;
}

const BINANCE_CODES: Record<string, VenueErrorMeaning> = {
  '-4116': 'duplicate-client-order-id',
  '-2022': 'reduce-only-rejected',
  '-2019': 'insufficient-margin',
  '-2018': 'insufficient-margin',
  '-5022': 'post-only-would-cross',
  '-1013': 'invalid-order',
  '-4164': 'invalid-order',
  '-4015': 'invalid-order',
  '-1111': 'invalid-order',
  '-4003': 'invalid-order',
  '-4014': 'invalid-order',
  '-2010': 'invalid-order',
  '-2011': 'unknown-order',
  '-2013': 'unknown-order',
  '-1121': 'unknown-symbol',
  '-1003': 'rate-limited',
  '-1022': 'authentication',
  '-2014': 'authentication',
  '-2015': 'authentication',
};

const GENERIC_PATTERN = /^[A-Za-z0-9_-]+$/;

const BINANCE_PROFILE: CcxtVenueProfile = {
  // newClientOrderId: up to 36 of letters, digits and `.:/_-`.
  clientOrderIdMaxLength: 36,
  clientOrderIdPattern: /^[.A-Za-z0-9_:/-]{1,36}$/,
  errorCodes: BINANCE_CODES,
  fillPaging: 'fromId',
  // Spot refuses a duplicate client order id with the catch-all NEW_ORDER_REJECTED code.
  errorMessages: { '-2010': { 'Duplicate order sent.': 'duplicate-client-order-id' } },
  // Binance batches futures orders only (ccxt: createOrders does not support spot).
  batchMarketTypes: ['future'],
  defaultType: { future: 'future', spot: 'spot' },
  // USDⓈ-M: REQUEST_WEIGHT 2400/min, ORDERS 300/10 s and 1200/min; spot: 6000/min, 100/10 s (and 200 000/day).
  rateLimits: {
    future: { weightPerMinute: 2400, ordersPer10Seconds: 300, ordersPerMinute: 1200 },
    spot: { weightPerMinute: 6000, ordersPer10Seconds: 100 },
  },
};

export const CCXT_VENUE_PROFILES: Readonly<Record<string, CcxtVenueProfile>> = {
  binanceusdm: BINANCE_PROFILE,
  binance: BINANCE_PROFILE,
  bybit: {
    // orderLinkId: up to 36 of letters, digits, '-' and '_'; 110072 = OrderLinkedID is duplicate.
    clientOrderIdMaxLength: 36,
    clientOrderIdPattern: GENERIC_PATTERN,
    fillPaging: 'since',
    errorCodes: {
      '110072': 'duplicate-client-order-id',
      '110017': 'reduce-only-rejected',
      '110007': 'insufficient-margin',
    },
    // Bybit sends no Retry-After: the reset of the exceeded limit, as an epoch time in ms.
    retryAfter: { name: 'x-bapi-limit-reset-timestamp', unit: 'epoch-milliseconds' },
    defaultType: { future: 'swap', spot: 'spot' },
  },
  okx: {
    // clOrdId: up to 32 letters and digits only; 51016 = duplicated clOrdId.
    clientOrderIdMaxLength: 32,
    clientOrderIdPattern: /^[A-Za-z0-9]+$/,
    fillPaging: 'since',
    errorCodes: { '51016': 'duplicate-client-order-id', '51008': 'insufficient-margin' },
    defaultType: { future: 'swap', spot: 'spot' },
  },
  bitget: {
    // clientOid: up to 50 of letters, digits, '-' and '_'.
    clientOrderIdMaxLength: 50,
    clientOrderIdPattern: GENERIC_PATTERN,
    fillPaging: 'since',
    errorCodes: {},
    defaultType: { future: 'swap', spot: 'spot' },
  },
  gate: {
    // text: `t-` then at most 28 of letters, digits, '_', '-', '.'. ccxt adds the `t-` unless the id
    // already starts with a `t` (then the venue would refuse it): ids starting with `t` are refused here.
    clientOrderIdMaxLength: 28,
    clientOrderIdPattern: /^[A-Za-su-z0-9_.-][A-Za-z0-9_.-]*$/,
    clientOrderIdPrefix: 't-',
    fillPaging: 'since',
    errorCodes: {},
    defaultType: { future: 'swap', spot: 'spot' },
  },
};

/** Conservative defaults for a ccxt venue without a profile. */
export const GENERIC_PROFILE: CcxtVenueProfile = {
  clientOrderIdMaxLength: 32,
  clientOrderIdPattern: /^[A-Za-z0-9]+$/,
  errorCodes: {},
  fillPaging: 'since',
  defaultType: { future: 'swap', spot: 'spot' },
};
