/**
 * `startSimVenueServer`: the sim matching engine served over the subset of Binance USDⓈ-M futures
 * REST + WebSocket that ccxt's `binanceusdm` uses, and of Binance spot (`/api/v3`, the WebSocket API's
 * user stream) that ccxt's `binance` uses for the engine's spot markets, so the ccxt adapter can be
 * exercised end to end without a real venue.
 *
 * Invariants: every request gets a JSON answer (Binance `{code, msg}` on error) and no request,
 * however malformed, stops the server; a signed request is served only when its HMAC-SHA256
 * signature matches the key's secret; secrets are never logged or returned.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { dec } from '../../domain/decimal.js';
import { SimClockDriver } from '../sim/sim-clock-driver.js';
import { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import { type SimEngineSettings, defaultSimSymbols } from '../sim/sim-settings.js';
import { binanceErrorReply } from './binance-errors.js';
import { BINANCE_ALGO_ROUTES } from './binance-algo-routes.js';
import { BINANCE_MARKET_ROUTES } from './binance-market-routes.js';
import { BinanceRateLimits, type BinanceLimits, RateLimitRefusal } from './binance-rate-limits.js';
import { BINANCE_ROUTES } from './binance-rest-routes.js';
import { CancelCountdowns } from './cancel-countdowns.js';
import { IncomeLedger } from './income-ledger.js';
import { MarketHistory } from './market-history.js';
import { type Route, type SimVenueParts, costOf } from './route.js';
import { SIM_ADMIN_ROUTES } from './sim-admin-routes.js';
import { SimVenueBook } from './sim-venue-book.js';
import { type HttpFault, SimVenueFaults } from './sim-venue-faults.js';
import { BINANCE_SPOT_ROUTES } from './binance-spot-routes.js';
import { BinanceSpotWsApi, SPOT_WS_API_PATH } from './binance-spot-ws-api.js';
import { extractSignature, signatureMatches } from './binance-signature.js';
import { SimVenueRequestError } from './errors.js';
import { ListenKeys } from './listen-keys.js';
import { SimVenueAccounts, type SimVenueCredentials, accountIdOf } from './sim-venue-accounts.js';
import { SimVenueStreams } from './sim-venue-streams.js';

export interface SimVenueServerOptions extends Partial<Omit<SimEngineSettings, 'accounts'>> {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  /** At least one account; its balances default to 100000 USDT. */
  readonly accounts: readonly SimVenueCredentials[];
  /** Wall ms between engine steps; 0 leaves the clock to `/_sim/step` (tests, replays). Default 1000. */
  readonly stepIntervalMs?: number | undefined;
  /** Serves the `/_sim/*` test hooks (set price, step, drop streams, inject a malformed frame). */
  readonly admin?: boolean | undefined;
  /** Binance's request-weight and order-rate limits (defaults: Binance's published ones). */
  readonly limits?: Partial<BinanceLimits> | undefined;
  /** The clock the limits' windows run on (default the wall clock; tests pin it to stay inside one window). */
  readonly limitsClock?: (() => number) | undefined;
  /** Public trades kept per symbol for trades, aggTrades, klines and 24 h statistics (default 100000). */
  readonly historyCapacity?: number | undefined;
  /** Synthetic book levels each side of the price (default 100). */
  readonly bookLevelsPerSide?: number | undefined;
  /** Where refused requests are reported (never with secrets). */
  readonly onRequestError?:
    ((summary: { method: string; path: string; code: number; msg: string }) => void) | undefined;
}

export interface SimVenueServer {
  /** REST base, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** WebSocket base, e.g. `ws://127.0.0.1:PORT`. */
  readonly wsUrl: string;
  readonly engine: SimMatchingEngine;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;
const ROUTES: Readonly<Record<string, Route>> = {
  ...BINANCE_ROUTES,
  ...BINANCE_ALGO_ROUTES,
  ...BINANCE_MARKET_ROUTES,
  ...BINANCE_SPOT_ROUTES,
  ...SIM_ADMIN_ROUTES,
};
const DEFAULT_BALANCES = { USDT: dec(100000) };

export async function startSimVenueServer(options: SimVenueServerOptions): Promise<SimVenueServer> {
  const engine = new SimMatchingEngine({
    ...options,
    seed: options.seed ?? 1,
    symbols: options.symbols ?? defaultSimSymbols(),
    // The served venue's clock starts at the wall time so that its timestamps look current to clients.
    startTime: options.startTime ?? Date.now(),
    accounts: options.accounts.map((credentials) => ({
      id: accountIdOf(credentials),
      balances: credentials.balances ?? DEFAULT_BALANCES,
    })),
  });
  const accounts = new SimVenueAccounts(options.accounts);
  const listenKeys = new ListenKeys();
  // History and book listen to the engine before the streams, so that events see the move they report.
  const history = new MarketHistory(engine, options.historyCapacity);
  const book = new SimVenueBook(engine, options.bookLevelsPerSide);
  const streams = new SimVenueStreams({ engine, listenKeys, history, book });
  const parts: SimVenueParts = {
    engine,
    listenKeys,
    streams,
    history,
    book,
    countdowns: new CancelCountdowns(engine),
    income: new IncomeLedger(engine),
    faults: new SimVenueFaults(),
  };
  const limits = new BinanceRateLimits(options.limits, options.limitsClock);
  const spotWsApi = new BinanceSpotWsApi(engine, accounts);
  const driver = new SimClockDriver(engine, { intervalMs: options.stepIntervalMs ?? 1000 });
  if ((options.stepIntervalMs ?? 1000) > 0) driver.start();

  const server = createServer((request, response) => {
    void serve(request, response).catch(() => {
      // Answering failed (client gone): nothing more to do for this request.
      if (!response.headersSent) response.destroy();
    });
  });
  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://sim');
    const method = request.method ?? 'GET';
    const routeKey = `${method} ${url.pathname}`;
    const route: Route | undefined = ROUTES[routeKey];
    let headers: Record<string, string> = {};
    let fault: HttpFault | undefined;
    let status = 200;
    let body: unknown;
    try {
      const rawBody = await readBody(request);
      if (route === undefined || (route.security === 'admin' && options.admin !== true))
        throw new SimVenueRequestError(404, -1000, `Unknown endpoint ${routeKey}.`);
      const rawQuery = url.search.slice(1);
      const params = new URLSearchParams(rawQuery);
      for (const [key, value] of bodyParams(rawBody, request.headers['content-type'])) params.append(key, value);
      const accountId =
        route.security === 'key' || route.security === 'signed'
          ? authenticate(route, request, rawQuery, rawBody, params)
          : '';
      if (route.security !== 'admin') {
        if (parts.faults.inMaintenance() && routeKey !== 'GET /sapi/v1/system/status')
          throw new SimVenueRequestError(503, -1008, 'Service unavailable: system maintenance.');
        fault = parts.faults.take(method, url.pathname);
        if (fault?.kind === 'rate-limit' || fault?.kind === 'ban') {
          throw new RateLimitRefusal(
            fault.kind === 'ban' ? 418 : 429,
            -1003,
            'Too many requests (forced by /_sim).',
            fault.retryAfterSeconds,
            {},
          );
        }
        headers = limits.admit(
          request.socket.remoteAddress ?? '',
          accountId,
          costOf(route.weight, params, 1),
          costOf(route.orders, params, 0),
        );
      }
      if (accountId !== '') engine.consumeRequest(accountId);
      body = route.handle({ ...parts, params, accountId, wallClock: Date.now() });
    } catch (error) {
      const reply = binanceErrorReply(error, route?.operation ?? 'other');
      options.onRequestError?.({ method, path: url.pathname, ...reply.body });
      status = reply.status;
      body = reply.body;
      headers = {
        ...headers,
        ...(error instanceof RateLimitRefusal ? error.headers : {}),
        ...(reply.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(reply.retryAfterSeconds) }),
      };
    }
    if (fault?.kind === 'lose-answer') {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay-answer') await new Promise((resolve) => setTimeout(resolve, fault?.delayMs));
    send(response, status, body, headers);
  };

  const authenticate = (
    route: Route,
    request: IncomingMessage,
    rawQuery: string,
    rawBody: string,
    params: URLSearchParams,
  ): string => {
    const apiKey = request.headers['x-mbx-apikey'];
    const credentials = typeof apiKey === 'string' ? accounts.lookup(apiKey) : undefined;
    if (credentials === undefined)
      throw new SimVenueRequestError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    if (route.security === 'signed') {
      const { payload, signature } = extractSignature(rawQuery, rawBody);
      if (signature === undefined || !signatureMatches(payload, signature, credentials.secret)) {
        throw new SimVenueRequestError(400, -1022, 'Signature for this request is not valid.');
      }
      const timestamp = Number(params.get('timestamp'));
      const recvWindow = Math.min(Number(params.get('recvWindow') ?? 5000) || 5000, 60_000);
      if (!Number.isFinite(timestamp) || Math.abs(Date.now() - timestamp) > recvWindow) {
        throw new SimVenueRequestError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
      }
    }
    return credentials.accountId;
  };

  const sockets = new WebSocketServer({ server, maxPayload: 64 * 1024 });
  sockets.on('connection', (socket, request) =>
    new URL(request.url ?? '/', 'ws://sim').pathname === SPOT_WS_API_PATH
      ? spotWsApi.accept(socket)
      : streams.accept(socket, request),
  );
  sockets.on('error', () => {
    /* per-connection errors are handled by the connection */
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    wsUrl: `ws://${host}:${address.port}`,
    engine,
    close: () =>
      (closed ??= (async () => {
        driver.stop();
        parts.countdowns.close();
        streams.close();
        book.close();
        history.close();
        parts.income.close();
        spotWsApi.close();
        sockets.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new SimVenueRequestError(413, -1000, 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Form-encoded (what Binance takes) or a flat JSON object. */
function bodyParams(rawBody: string, contentType: string | undefined): [string, string][] {
  if (rawBody === '') return [];
  if (contentType?.includes('json') !== true) return [...new URLSearchParams(rawBody)];
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new SimVenueRequestError(400, -1100, 'Malformed JSON body.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new SimVenueRequestError(400, -1100, 'JSON body must be an object.');
  return Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]);
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
