/**
 * The sim venue's WebSocket side, as Binance USDⓈ-M futures serves it: market streams (`SUBSCRIBE`
 * on `/ws`-style paths, or streams in the path) and user-data streams (`?listenKey=` or
 * `/ws/<listenKey>`) carrying `ORDER_TRADE_UPDATE`. A malformed client message gets a Binance-style
 * error reply; it never closes the server.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { type Decimal, ZERO, decimalToString } from '../../domain/decimal.js';
import type { Candle, PriceTick } from '../../domain/market.js';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import { klinePayload } from './binance-payloads.js';
import { userStreamEvents } from './binance-user-events.js';
import type { ListenKeys } from './listen-keys.js';

interface Connection {
  readonly socket: WebSocket;
  readonly streams: Set<string>;
  /** Combined-stream connections (`/stream`) wrap each event as `{stream, data}`. */
  readonly combined: boolean;
  readonly accountId: string | undefined;
}

interface DayStats {
  open: Decimal;
  high: Decimal;
  low: Decimal;
}

/** A deliberately broken frame, for tests that check clients drop malformed messages. */
export const MALFORMED_FRAME = '{"e":"ORDER_TRADE_UPDATE","E":';

export class SimVenueStreams {
  readonly #engine: SimMatchingEngine;
  readonly #listenKeys: ListenKeys;
  readonly #connections = new Set<Connection>();
  readonly #stats = new Map<string, DayStats>();
  readonly #unsubscribe: () => void;

  constructor(engine: SimMatchingEngine, listenKeys: ListenKeys) {
    this.#engine = engine;
    this.#listenKeys = listenKeys;
    this.#unsubscribe = engine.subscribe({
      onPrice: (tick) => this.#onPrice(tick),
      onCandle: (candle) => this.#onCandle(candle),
      onExecution: (accountId, order, fill) => {
        for (const event of userStreamEvents(this.#engine, accountId, order, fill)) this.#sendToAccount(accountId, event);
      },
    });
  }

  /** Accepts one WebSocket connection; refuses a user stream with an unknown or expired listen key. */
  accept(socket: WebSocket, request: IncomingMessage): void {
    const url = new URL(request.url ?? '/', 'ws://sim');
    const pathParts = url.pathname.split('/').filter((part) => part !== '');
    const last = pathParts.at(-1) ?? '';
    const listenKey = url.searchParams.get('listenKey') ?? (this.#listenKeys.accountOf(last) !== undefined ? last : undefined);
    let accountId: string | undefined;
    if (listenKey !== undefined) {
      accountId = this.#listenKeys.accountOf(listenKey);
      if (accountId === undefined) {
        socket.close(4001, 'invalid listen key');
        return;
      }
    }
    const combined = last === 'stream';
    const streams = new Set<string>([
      ...(url.searchParams.get('streams')?.split('/') ?? []),
      ...(last.includes('@') ? [last] : []),
    ].map((stream) => stream.toLowerCase()));
    const connection: Connection = { socket, streams, combined, accountId };
    for (const stream of streams) this.#track(stream);
    this.#connections.add(connection);
    socket.on('message', (data) => this.#onClientMessage(connection, String(data)));
    socket.on('close', () => this.#connections.delete(connection));
    socket.on('error', () => this.#connections.delete(connection));
  }

  /** Server-side kill of every connection (test hook): clients must reconnect and resubscribe. */
  dropAll(): number {
    const count = this.#connections.size;
    for (const connection of this.#connections) connection.socket.terminate();
    this.#connections.clear();
    return count;
  }

  /** Closes the user streams of a listen key that was deleted. */
  dropListenKey(accountId: string): void {
    for (const connection of this.#connections) if (connection.accountId === accountId) connection.socket.close(4002, 'listen key closed');
  }

  /** Sends a malformed frame to every market (`market`) or user (`user`) connection (test hook). */
  injectMalformed(target: 'market' | 'user'): number {
    let sent = 0;
    for (const connection of this.#connections) {
      if ((connection.accountId !== undefined) === (target === 'user')) {
        connection.socket.send(MALFORMED_FRAME);
        sent += 1;
      }
    }
    return sent;
  }

  close(): void {
    this.#unsubscribe();
    this.dropAll();
  }

  #onClientMessage(connection: Connection, text: string): void {
    let request: { method?: unknown; params?: unknown; id?: unknown };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      connection.socket.send(JSON.stringify({ error: { code: 3, msg: 'Invalid JSON' }, id: null }));
      return;
    }
    const id = typeof request?.id === 'number' || typeof request?.id === 'string' ? request.id : null;
    const params = Array.isArray(request?.params) && request.params.every((item) => typeof item === 'string') ? (request.params as string[]) : undefined;
    if (request?.method === 'LIST_SUBSCRIPTIONS') {
      connection.socket.send(JSON.stringify({ result: [...connection.streams], id }));
    } else if ((request?.method === 'SUBSCRIBE' || request?.method === 'UNSUBSCRIBE') && params !== undefined) {
      for (const stream of params.map((name) => name.toLowerCase())) {
        if (request.method === 'SUBSCRIBE') {
          connection.streams.add(stream);
          this.#track(stream);
        } else {
          connection.streams.delete(stream);
        }
      }
      connection.socket.send(JSON.stringify({ result: null, id }));
    } else {
      connection.socket.send(JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown method or bad params' }, id }));
    }
  }

  /** Kline streams need the engine to build candles of their interval. */
  #track(stream: string): void {
    const match = /^([a-z0-9]+)@kline_(\w+)$/.exec(stream);
    if (match === null) return;
    const symbol = (match[1] as string).toUpperCase();
    try {
      this.#engine.trackCandles(symbol, match[2] as string);
    } catch {
      // An unknown symbol or interval simply never produces events, as at Binance.
    }
  }

  #onPrice(tick: PriceTick): void {
    const stats = this.#stats.get(tick.symbol) ?? { open: tick.price, high: tick.price, low: tick.price };
    if (tick.price.gt(stats.high)) stats.high = tick.price;
    if (tick.price.lt(stats.low)) stats.low = tick.price;
    this.#stats.set(tick.symbol, stats);
    const lower = tick.symbol.toLowerCase();
    const price = decimalToString(tick.price);
    const step = decimalToString(this.#engine.market(tick.symbol).stepSize);
    const E = tick.time;
    const ticker = {
      e: '24hrTicker', E, s: tick.symbol, p: decimalToString(tick.price.minus(stats.open)),
      P: decimalToString(stats.open.isZero() ? ZERO : tick.price.minus(stats.open).div(stats.open).mul(100).toDecimalPlaces(3)),
      w: price, c: price, Q: step, o: decimalToString(stats.open), h: decimalToString(stats.high), l: decimalToString(stats.low),
      v: '0', q: '0', O: E - 86_400_000, C: E, F: 0, L: 0, n: 0,
    };
    const trade = { e: 'aggTrade', E, s: tick.symbol, a: E, p: price, q: step, f: E, l: E, T: E, m: false };
    this.#publish(`${lower}@ticker`, ticker);
    this.#publish(`${lower}@miniticker`, { ...ticker, e: '24hrMiniTicker' });
    this.#publish(`${lower}@aggtrade`, trade);
    this.#publish(`${lower}@trade`, { ...trade, e: 'trade', t: E });
    this.#publish(`${lower}@bookticker`, { e: 'bookTicker', u: E, E, T: E, s: tick.symbol, b: price, B: step, a: price, A: step });
    const mark = { e: 'markPriceUpdate', E, s: tick.symbol, p: price, ap: price, P: price, i: price, r: '0', T: E + 28_800_000 };
    this.#publish(`${lower}@markprice`, mark);
    this.#publish(`${lower}@markprice@1s`, mark);
  }

  #onCandle(candle: Candle): void {
    this.#publish(`${candle.symbol.toLowerCase()}@kline_${candle.interval}`, klinePayload(candle, this.#engine.now()));
  }

  #publish(stream: string, payload: object): void {
    let text: string | undefined;
    let wrapped: string | undefined;
    for (const connection of this.#connections) {
      if (!connection.streams.has(stream)) continue;
      if (connection.combined) connection.socket.send((wrapped ??= JSON.stringify({ stream, data: payload })));
      else connection.socket.send((text ??= JSON.stringify(payload)));
    }
  }

  #sendToAccount(accountId: string, payload: object): void {
    let text: string | undefined;
    for (const connection of this.#connections) {
      if (connection.accountId === accountId) connection.socket.send((text ??= JSON.stringify(payload)));
    }
  }
}
