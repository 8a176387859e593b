/** What a sim-venue REST route is and what it is handed: the venue's parts and the parsed request. */
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import type { CancelCountdowns } from './cancel-countdowns.js';
import type { IncomeLedger } from './income-ledger.js';
import type { ListenKeys } from './listen-keys.js';
import type { MarketHistory } from './market-history.js';
import type { SimVenueBook } from './sim-venue-book.js';
import type { SimVenueFaults } from './sim-venue-faults.js';
import type { SimVenueStreams } from './sim-venue-streams.js';

/** The sim venue's parts the routes work on (one set per server). */
export interface SimVenueParts {
  readonly engine: SimMatchingEngine;
  readonly listenKeys: ListenKeys;
  readonly streams: SimVenueStreams;
  readonly history: MarketHistory;
  readonly book: SimVenueBook;
  readonly countdowns: CancelCountdowns;
  readonly income: IncomeLedger;
  readonly faults: SimVenueFaults;
}

export interface RouteContext extends SimVenueParts {
  readonly params: URLSearchParams;
  /** The caller's account ('' on public routes). */
  readonly accountId: string;
  readonly wallClock: number;
}

/** A cost that may depend on the request (Binance weighs `depth` by `limit`, lists by `symbol`). */
export type RouteCost = number | ((params: URLSearchParams) => number);

export interface Route {
  /** public: no key; key: API key only (listen keys); signed: key and HMAC signature; admin: test hook. */
  readonly security: 'public' | 'key' | 'signed' | 'admin';
  /** Which Binance code a missing order gets (-2011 cancel, -2013 query). */
  readonly operation?: 'cancel' | 'query';
  /** Request weight against the per-IP minute budget (Binance's published weight; default 1). */
  readonly weight?: RouteCost;
  /** Orders the request counts against the account's order-rate limits (default 0). */
  readonly orders?: RouteCost;
  readonly handle: (context: RouteContext) => unknown;
}

export function costOf(cost: RouteCost | undefined, params: URLSearchParams, fallback: number): number {
  if (cost === undefined) return fallback;
  return typeof cost === 'number' ? cost : cost(params);
}

/** Binance's weight for list endpoints: cheap for one symbol, dear for all. */
export function perSymbol(one: number, all: number): RouteCost {
  return (params) => (params.get('symbol') === null ? all : one);
}
