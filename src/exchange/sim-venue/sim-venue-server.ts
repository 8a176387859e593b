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
import { BINANCE_ROUTES, type Route } from './binance-rest-routes.js';
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
  /** Where refused requests are reported (never with secrets). */
  readonly onRequestError?: ((summary: { method: string; path: string; code: number; msg: string }) => void) | undefined;
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
const DEFAULT_BALANCES = { USDT: dec(100000) };

export async function startSimVenueServer(options: SimVenueServerOptions): Promise<SimVenueServer> {
  const engine = new SimMatchingEngine({
    ...options,
    seed: options.seed ?? 1,
    symbols: options.symbols ?? defaultSimSymbols(),
    // The served venue's clock starts at the wall time so that its timestamps look current to clients.
    startTime: options.startTime ?? Date.now(),
    accounts: options.accounts.map((credentials) => ({ id: accountIdOf(credentials), balances: credentials.balances ?? DEFAULT_BALANCES })),
  });
  const accounts = new SimVenueAccounts(options.accounts);
  const listenKeys = new ListenKeys();
  const streams = new SimVenueStreams(engine, listenKeys);
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
    const routeKey = `${request.method ?? 'GET'} ${url.pathname}`;
    const route: Route | undefined = BINANCE_ROUTES[routeKey] ?? BINANCE_SPOT_ROUTES[routeKey];
    try {
      const rawBody = await readBody(request);
      if (route === undefined || (route.security === 'admin' && options.admin !== true)) throw new SimVenueRequestError(404, -1000, `Unknown endpoint ${routeKey}.`);
      const rawQuery = url.search.slice(1);
      const params = new URLSearchParams(rawQuery);
      for (const [key, value] of bodyParams(rawBody, request.headers['content-type'])) params.append(key, value);
      const accountId = route.security === 'key' || route.security === 'signed' ? authenticate(route, request, rawQuery, rawBody, params) : '';
      if (accountId !== '') engine.consumeRequest(accountId);
      send(response, 200, route.handle({ params, accountId, engine, listenKeys, streams, wallClock: Date.now() }));
    } catch (error) {
      const reply = binanceErrorReply(error, route?.operation ?? 'other');
      options.onRequestError?.({ method: request.method ?? '?', path: url.pathname, ...reply.body });
      send(response, reply.status, reply.body, reply.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(reply.retryAfterSeconds) });
    }
  };

  const authenticate = (route: Route, request: IncomingMessage, rawQuery: string, rawBody: string, params: URLSearchParams): string => {
    const apiKey = request.headers['x-mbx-apikey'];
    const credentials = typeof apiKey === 'string' ? accounts.lookup(apiKey) : undefined;
    if (credentials === undefined) throw new SimVenueRequestError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
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
  sockets.on('connection', (socket, request) => (new URL(request.url ?? '/', 'ws://sim').pathname === SPOT_WS_API_PATH ? spotWsApi.accept(socket) : streams.accept(socket, request)));
  sockets.on('error', () => { /* per-connection errors are handled by the connection */ });

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
    close: () => (closed ??= (async () => {
      driver.stop();
      streams.close();
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
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SimVenueRequestError(400, -1100, 'JSON body must be an object.');
  return Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]);
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
