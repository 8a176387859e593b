/**
 * Binance spot's WebSocket API (`/ws-api/v3`) as far as the user-data stream goes, which is how
 * ccxt's `binance` watches spot orders, trades and balances: `userDataStream.subscribe.signature`
 * (the request signed like a REST call: HMAC-SHA256 of the key-sorted parameters), then events
 * `{subscriptionId, event}` carrying `executionReport` and `outboundAccountPosition`;
 * `userDataStream.unsubscribe` and `ping` too. A bad request gets `{id, status, error}` and never
 * closes the connection.
 */
import type { WebSocket } from 'ws';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import { signatureMatches } from './binance-signature.js';
import { spotUserStreamEvents } from './binance-user-events.js';
import type { SimVenueAccounts } from './sim-venue-accounts.js';

interface Subscription {
  readonly id: number;
  readonly accountId: string;
}

const RECV_WINDOW_MS = 5000;

export const SPOT_WS_API_PATH = '/ws-api/v3';

export class BinanceSpotWsApi {
  readonly #accounts: SimVenueAccounts;
  readonly #subscriptions = new Map<WebSocket, Subscription[]>();
  readonly #unsubscribe: () => void;
  #nextId = 0;

  constructor(engine: SimMatchingEngine, accounts: SimVenueAccounts) {
    this.#accounts = accounts;
    this.#unsubscribe = engine.subscribe({
      onExecution: (accountId, order, fill) => {
        if (engine.market(order.symbol).type !== 'spot') return;
        const events = spotUserStreamEvents(engine, accountId, order, fill);
        for (const [socket, subscriptions] of this.#subscriptions) {
          for (const subscription of subscriptions) {
            if (subscription.accountId !== accountId) continue;
            for (const event of events) socket.send(JSON.stringify({ subscriptionId: subscription.id, event }));
          }
        }
      },
    });
  }

  accept(socket: WebSocket): void {
    this.#subscriptions.set(socket, []);
    socket.on('message', (data) => this.#onRequest(socket, String(data)));
    const forget = () => this.#subscriptions.delete(socket);
    socket.on('close', forget);
    socket.on('error', forget);
  }

  /** Server-side kill of every connection (test hook). */
  dropAll(): number {
    const count = this.#subscriptions.size;
    for (const socket of this.#subscriptions.keys()) socket.terminate();
    this.#subscriptions.clear();
    return count;
  }

  close(): void {
    this.#unsubscribe();
    this.dropAll();
  }

  #onRequest(socket: WebSocket, text: string): void {
    let request: { id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      socket.send(JSON.stringify({ id: null, status: 400, error: { code: -2, msg: 'Invalid JSON' } }));
      return;
    }
    const id = typeof request?.id === 'number' || typeof request?.id === 'string' ? request.id : null;
    const reply = (result: unknown) => socket.send(JSON.stringify({ id, status: 200, result }));
    const refuse = (status: number, code: number, msg: string) =>
      socket.send(JSON.stringify({ id, status, error: { code, msg } }));
    const params = (request?.params !== null && typeof request?.params === 'object' ? request.params : {}) as Record<
      string,
      unknown
    >;
    switch (request?.method) {
      case 'ping':
        reply({});
        return;
      case 'userDataStream.subscribe.signature': {
        const accountId = this.#authenticate(params);
        if (typeof accountId !== 'string') {
          refuse(400, accountId.code, accountId.msg);
          return;
        }
        const subscription = { id: this.#nextId++, accountId };
        this.#subscriptions.get(socket)?.push(subscription);
        reply({ subscriptionId: subscription.id });
        return;
      }
      case 'userDataStream.unsubscribe': {
        const wanted = params['subscriptionId'];
        const kept = (this.#subscriptions.get(socket) ?? []).filter(
          (subscription) => wanted !== undefined && subscription.id !== Number(wanted),
        );
        this.#subscriptions.set(socket, kept);
        reply({});
        return;
      }
      default:
        refuse(400, -1100, 'Unknown method.');
    }
  }

  /** The account of a signed request, or Binance's refusal. */
  #authenticate(params: Record<string, unknown>): string | { code: number; msg: string } {
    const apiKey = params['apiKey'];
    const credentials = typeof apiKey === 'string' ? this.#accounts.lookup(apiKey) : undefined;
    if (credentials === undefined) return { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' };
    const signature = params['signature'];
    const payload = Object.keys(params)
      .filter((key) => key !== 'signature')
      .sort()
      .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(String(params[key]))}`)
      .join('&');
    if (typeof signature !== 'string' || !signatureMatches(payload, signature, credentials.secret))
      return { code: -1022, msg: 'Signature for this request is not valid.' };
    const timestamp = Number(params['timestamp']);
    const recvWindow = Math.min(Number(params['recvWindow'] ?? RECV_WINDOW_MS) || RECV_WINDOW_MS, 60_000);
    if (!Number.isFinite(timestamp) || Math.abs(Date.now() - timestamp) > recvWindow)
      return { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' };
    return credentials.accountId;
  }
}
