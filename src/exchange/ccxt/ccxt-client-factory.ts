/**
 * Builds the ccxt pro client for a venue: rate limiter on, market type, sandbox (testnet), every
 * REST and WebSocket URL rebased onto one `baseUrl` (e.g. a running sim-venue), and incoming
 * WebSocket frames screened so a malformed one is logged and dropped instead of breaking a stream.
 */
import ccxt, { type Exchange as CcxtClient } from 'ccxt';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MarketType } from '../../domain/market.js';
import { RateLimitedError, UnsupportedVenueError } from '../errors.js';
import type { RequestBudget } from '../request-budget.js';
import type { VenueLogger } from '../venue-logger.js';
import { noteRetryAfter, retryAfterMsOf } from './ccxt-error-mapper.js';
import type { CcxtVenueProfile } from './ccxt-venue-profiles.js';

/** How to reach a venue through ccxt (the part of the configuration the ccxt client needs). */
export interface CcxtConnectionOptions {
  /** ccxt exchange id: `binanceusdm`, `bybit`, `okx`, `bitget`, `gate`, ... */
  readonly ccxtId: string;
  readonly marketType: MarketType;
  readonly apiKey?: string | undefined;
  readonly apiSecret?: string | undefined;
  /** Passphrase (OKX, Bitget). */
  readonly password?: string | undefined;
  readonly testnet?: boolean | undefined;
  /** REST and WebSocket of another host (e.g. a sim-venue): `http://127.0.0.1:8090`. */
  readonly baseUrl?: string | undefined;
  /** Extra ccxt `options` (venue-specific settings). */
  readonly ccxtOptions?: Readonly<Record<string, unknown>> | undefined;
  /** REST request timeout (ccxt default 10000 ms); a state-changing request that times out has an unknown outcome. */
  readonly requestTimeoutMs?: number | undefined;
  /** ccxt's minimum spacing of REST requests in ms (its per-venue default when absent); the limiter stays on. */
  readonly rateLimitMs?: number | undefined;
  /** The account's request budget shared by the cluster (docs/venues.md); without it only ccxt's per-process limiter applies. */
  readonly requestBudget?: RequestBudget | undefined;
}

export interface CcxtClientSettings extends CcxtConnectionOptions {
  readonly venue: string;
  readonly profile: CcxtVenueProfile;
  readonly logger: VenueLogger;
}

type CcxtConstructor = new (config: Record<string, unknown>) => CcxtClient;

/** The ccxt client, and what must happen when it is closed. */
export interface CcxtClientHandle {
  readonly client: CcxtClient;
  /** Cancels ccxt's scheduled work (listen-key keep-alives); call after `client.close()`. */
  cancelTimers(): void;
}

export function createCcxtClient(settings: CcxtClientSettings): CcxtClientHandle {
  const Constructor = (ccxt.pro as unknown as Record<string, CcxtConstructor | undefined>)[settings.ccxtId];
  if (typeof Constructor !== 'function')
    throw new UnsupportedVenueError(`ccxt has no pro exchange ${JSON.stringify(settings.ccxtId)}`, settings.venue);
  const client = new Constructor({
    apiKey: settings.apiKey,
    secret: settings.apiSecret,
    password: settings.password,
    enableRateLimit: true,
    ...(settings.requestTimeoutMs === undefined ? {} : { timeout: settings.requestTimeoutMs }),
    ...(settings.rateLimitMs === undefined ? {} : { rateLimit: settings.rateLimitMs }),
    options: {
      defaultType: settings.profile.defaultType[settings.marketType],
      // Currency metadata needs extra (often private, wallet-level) endpoints nothing here uses.
      fetchCurrencies: false,
      ...settings.ccxtOptions,
    },
  });
  // `options.fetchCurrencies` only binds Binance's own implementation: loadMarkets of Bybit, OKX,
  // Gate, ... fetch currencies whenever `has` says they can, from wallet endpoints a trade-only or
  // keyless (paper) client may not reach.
  client.has['fetchCurrencies'] = false;
  if (settings.testnet === true) client.setSandboxMode(true);
  if (settings.baseUrl !== undefined) client.urls['api'] = rebaseUrls(client.urls['api'], settings.baseUrl);
  screenFrames(client, settings);
  adoptFutures(client);
  if (settings.requestBudget !== undefined) takeFromBudget(client, settings.requestBudget, settings.venue);
  readRetryAfter(client, settings.profile, settings.requestBudget);
  return { client, cancelTimers: ownTimers(client) };
}

/** How many new orders the ccxt requests started inside `run` place (set by the adapter around createOrder(s)). */
const placingOrders = new AsyncLocalStorage<number>();

export function placingOrdersWhile<T>(orders: number, run: () => Promise<T>): Promise<T> {
  return placingOrders.run(orders, run);
}

/**
 * Every REST request takes its weight (ccxt's per-endpoint cost) and its new orders from the shared
 * budget after ccxt's own limiter has spaced it, i.e. right before it is sent; a refusal fails the
 * request with RateLimitedError before anything is sent. A venue's 429/418 pauses the budget for
 * every instance (`readRetryAfter`; ccxt #19772: ccxt's limiter is per client, account-wide limits
 * are the user's to keep).
 */
function takeFromBudget(client: CcxtClient, budget: RequestBudget, venue: string): void {
  const throttle = client.throttle.bind(client);
  client.throttle = async (cost?: number) => {
    await throttle(cost);
    const answer = await budget.take({ weight: cost ?? 1, orders: placingOrders.getStore() ?? 0 });
    if (!answer.granted) throw new RateLimitedError(venue, answer.retryAfterMs);
  };
}

/**
 * A 429/418 carries when the account may send again (ccxt keeps only the body in its error): read
 * from the answer's headers and body (`retryAfterMsOf`), noted on ccxt's error for the error mapper
 * to put in RateLimitedError.retryAfterMs, and the shared budget is paused that long for every
 * instance (one minute without a readable wait: the longest window Binance counts in). A venue
 * whose own handler does not throw for the status gets the error ccxt's status table would throw.
 */
function readRetryAfter(client: CcxtClient, profile: CcxtVenueProfile, budget: RequestBudget | undefined): void {
  const handleErrors = client.handleErrors.bind(client);
  client.handleErrors = (
    code: number,
    reason: string,
    url: string,
    method: string,
    headers: unknown,
    body: unknown,
    ...rest: unknown[]
  ) => {
    const handle = () =>
      (handleErrors as (...args: unknown[]) => unknown)(code, reason, url, method, headers, body, ...rest) as never;
    if (code !== 429 && code !== 418) return handle();
    const retryAfterMs = retryAfterMsOf(
      stringHeaders(headers),
      typeof body === 'string' ? body : undefined,
      Date.now(),
      profile.retryAfter,
    );
    if (budget !== undefined) void budget.pauseFor(retryAfterMs ?? 60_000);
    try {
      handle();
    } catch (error) {
      noteRetryAfter(error, retryAfterMs);
      throw error;
    }
    const error = new (code === 418 ? ccxt.DDoSProtection : ccxt.RateLimitExceeded)(`${client.id} ${code} ${reason}`);
    noteRetryAfter(error, retryAfterMs);
    throw error;
  };
}

function stringHeaders(headers: unknown): Record<string, string> {
  if (headers === null || typeof headers !== 'object') return {};
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, String(value)]));
}

/**
 * ccxt schedules work (e.g. Binance listen-key keep-alives every 20 minutes) with plain timers that
 * would keep a closed process alive and run against a closed client: they are unref'd and tracked.
 */
function ownTimers(client: CcxtClient): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const spawn = (client as unknown as { spawn: (method: unknown, ...args: unknown[]) => Promise<unknown> }).spawn.bind(
    client,
  );
  (client as unknown as { delay: (timeout: number, method: unknown, ...args: unknown[]) => void }).delay = (
    timeout,
    method,
    ...args
  ) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      spawn(method, ...args).catch(() => undefined);
    }, timeout);
    timer.unref();
    timers.add(timer);
  };
  return () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}

interface WsConnection {
  future(hash: string): Promise<unknown>;
  reusableFuture?(hash: string): Promise<unknown>;
  connected?: Promise<unknown>;
}

/**
 * ccxt settles some WebSocket futures through its own race helpers, without a rejection handler on
 * the promise itself; when a connection drops or `close()` runs, those rejections would surface as
 * unhandled (and kill a strict process). Every future of every connection gets a no-op handler here;
 * the watch calls that await them still receive the rejection.
 */
function adoptFutures(client: CcxtClient): void {
  const connectionFor = client.client.bind(client) as (url: string) => WsConnection;
  const adopted = new WeakSet<WsConnection>();
  const quiet = <T extends Promise<unknown>>(promise: T): T => {
    promise.catch(() => undefined);
    return promise;
  };
  (client as unknown as { client: (url: string) => WsConnection }).client = (url: string) => {
    const connection = connectionFor(url);
    if (!adopted.has(connection)) {
      adopted.add(connection);
      const future = connection.future.bind(connection);
      connection.future = (hash) => quiet(future(hash));
      if (connection.reusableFuture !== undefined) {
        const reusable = connection.reusableFuture.bind(connection);
        connection.reusableFuture = (hash) => quiet(reusable(hash));
      }
      if (connection.connected !== undefined) quiet(connection.connected);
    }
    return connection;
  };
}

/** Points every http(s) URL at `baseUrl`'s origin and every ws(s) URL at its WebSocket origin, keeping paths. */
export function rebaseUrls<T>(urls: T, baseUrl: string): T {
  const base = new URL(baseUrl);
  const wsOrigin = `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}`;
  const rebase = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const match = /^(https?|wss?):\/\/[^/]+(.*)$/.exec(value);
      if (match === null) return value;
      return `${match[1]?.startsWith('ws') === true ? wsOrigin : base.origin}${match[2] ?? ''}`;
    }
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rebase(inner)]));
    return value;
  };
  return rebase(urls) as T;
}

/**
 * ccxt passes a frame it could not parse on as a string (after printing it): drop it here with one
 * warning, and keep a handler's exception from escaping into the socket's event loop.
 */
function screenFrames(client: CcxtClient, settings: CcxtClientSettings): void {
  const handle = client.handleMessage.bind(client);
  // ccxt prints unparsable frames itself; that output is replaced by the warning below.
  client.log = () => undefined;
  client.handleMessage = (connection: unknown, message: unknown) => {
    if (message === null || typeof message !== 'object') {
      settings.logger.warn(
        { venue: settings.venue, preview: String(message).slice(0, 80) },
        'malformed stream message dropped',
      );
      return;
    }
    try {
      handle(connection, message);
    } catch (error) {
      settings.logger.warn(
        { venue: settings.venue, error: error instanceof Error ? error.name : 'unknown' },
        'stream message could not be handled; dropped',
      );
    }
  };
}
