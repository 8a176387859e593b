/**
 * The sim venue's WebSocket side, as Binance USDⓈ-M futures serves it: market streams (`SUBSCRIBE`
 * on `/ws`-style paths, or streams in the path) and user-data streams (`?listenKey=` or
 * `/ws/<listenKey>`) carrying `ORDER_TRADE_UPDATE`, `ACCOUNT_UPDATE` and `listenKeyExpired`. A
 * malformed client message gets a Binance-style error reply; it never closes the server. Test
 * hooks duplicate or reorder a connection's next events, drop connections and expire listen keys.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Fill } from '../../domain/fill.js';
import type { Candle } from '../../domain/market.js';
import type { OrderReport } from '../exchange.js';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import { algoUpdatePayload } from './binance-algo-payloads.js';
import { accountUpdatePayload, klinePayload, orderTradeUpdatePayload } from './binance-payloads.js';
import { spotUserStreamEvents } from './binance-user-events.js';
import { DepthStreamEvents, parseDepthStream } from './depth-stream-events.js';
import type { ListenKeys } from './listen-keys.js';
import { bookTickerEvent, priceMoveEvents } from './market-stream-events.js';
import type { MarketHistory } from './market-history.js';
import type { SimVenueBook } from './sim-venue-book.js';

export type StreamFaultKind = 'duplicate' | 'reorder';

interface Connection {
  readonly socket: WebSocket;
  readonly streams: Set<string>;
  /** Combined-stream connections (`/stream`) wrap each event as `{stream, data}`. */
  readonly combined: boolean;
  readonly accountId: string | undefined;
  /** Test hooks: the next events sent twice, or swapped pairwise (the first of a pair held back). */
  duplicates: number;
  reorders: number;
  held: string | undefined;
}

/** A deliberately broken frame, for tests that check clients drop malformed messages. */
export const MALFORMED_FRAME = '{"e":"ORDER_TRADE_UPDATE","E":';

export interface StreamSources {
  readonly engine: SimMatchingEngine;
  readonly listenKeys: ListenKeys;
  readonly history: MarketHistory;
  readonly book: SimVenueBook;
}

export class SimVenueStreams {
  readonly #engine: SimMatchingEngine;
  readonly #listenKeys: ListenKeys;
  readonly #history: MarketHistory;
  readonly #book: SimVenueBook;
  readonly #depth: DepthStreamEvents;
  readonly #connections = new Set<Connection>();
  readonly #unsubscribe: () => void;

  constructor(sources: StreamSources) {
    this.#engine = sources.engine;
    this.#listenKeys = sources.listenKeys;
    this.#history = sources.history;
    this.#book = sources.book;
    this.#depth = new DepthStreamEvents(sources.book);
    this.#book.onChange((symbol) => this.#onBookChange(symbol));
    this.#unsubscribe = this.#engine.subscribe({
      onPrice: (tick) => {
        for (const [stream, payload] of priceMoveEvents(tick, this.#history, (name) => this.#watched(name)))
          this.#publish(stream, payload);
      },
      onCandle: (candle) => this.#onCandle(candle),
      onExecution: (accountId, order, fill) => this.#onExecution(accountId, order, fill),
    });
  }

  /** Accepts one WebSocket connection; refuses a user stream with an unknown or expired listen key. */
  accept(socket: WebSocket, request: IncomingMessage): void {
    const url = new URL(request.url ?? '/', 'ws://sim');
    const pathParts = url.pathname.split('/').filter((part) => part !== '');
    const last = pathParts.at(-1) ?? '';
    const listenKey =
      url.searchParams.get('listenKey') ?? (this.#listenKeys.accountOf(last) !== undefined ? last : undefined);
    let accountId: string | undefined;
    if (listenKey !== undefined) {
      accountId = this.#listenKeys.accountOf(listenKey);
      if (accountId === undefined) {
        socket.close(4001, 'invalid listen key');
        return;
      }
    }
    const combined = last === 'stream';
    const streams = new Set<string>(
      [...(url.searchParams.get('streams')?.split('/') ?? []), ...(last.includes('@') ? [last] : [])].map((stream) =>
        stream.toLowerCase(),
      ),
    );
    const connection: Connection = {
      socket,
      streams,
      combined,
      accountId,
      duplicates: 0,
      reorders: 0,
      held: undefined,
    };
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
    for (const connection of this.#connections)
      if (connection.accountId === accountId) connection.socket.close(4002, 'listen key closed');
  }

  /** Tells the key's user streams that it expired (`listenKeyExpired`), then closes them, as Binance stops them. */
  expireListenKey(listenKey: string, accountId: string): void {
    for (const connection of this.#connections) {
      if (connection.accountId !== accountId) continue;
      connection.socket.send(JSON.stringify({ e: 'listenKeyExpired', E: this.#engine.now(), listenKey }));
      connection.socket.close(4003, 'listen key expired');
    }
  }

  /** Sends a malformed frame to every market (`market`) or user (`user`) connection (test hook). */
  injectMalformed(target: 'market' | 'user'): number {
    const connections = this.#targets(target);
    for (const connection of connections) connection.socket.send(MALFORMED_FRAME);
    return connections.length;
  }

  /** Test hook: the next `count` events of every open `target` connection are duplicated or swapped pairwise. */
  addFault(kind: StreamFaultKind, target: 'market' | 'user', count: number): number {
    const connections = this.#targets(target);
    for (const connection of connections) {
      if (kind === 'duplicate') connection.duplicates += count;
      else connection.reorders += count;
    }
    return connections.length;
  }

  clearFaults(): void {
    for (const connection of this.#connections) {
      connection.duplicates = 0;
      connection.reorders = 0;
      if (connection.held !== undefined) connection.socket.send(connection.held);
      connection.held = undefined;
    }
  }

  close(): void {
    this.#unsubscribe();
    this.dropAll();
  }

  #targets(target: 'market' | 'user'): Connection[] {
    return [...this.#connections].filter((connection) => (connection.accountId !== undefined) === (target === 'user'));
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
    const params =
      Array.isArray(request?.params) && request.params.every((item) => typeof item === 'string')
        ? (request.params as string[])
        : undefined;
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
      connection.socket.send(
        JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown method or bad params' }, id }),
      );
    }
  }

  /** Kline streams need the engine to build candles of their interval; diff depth needs a baseline. */
  #track(stream: string): void {
    const depth = parseDepthStream(stream);
    const kline = /^([a-z0-9]+)@kline_(\w+)$/.exec(stream);
    try {
      if (depth?.levels === undefined && depth !== undefined) this.#depth.watch(depth.symbol);
      if (kline !== null) this.#engine.trackCandles((kline[1] as string).toUpperCase(), kline[2] as string);
    } catch {
      // An unknown symbol or interval simply never produces events, as at Binance.
    }
  }

  #watched(stream: string): boolean {
    for (const connection of this.#connections) if (connection.streams.has(stream)) return true;
    return false;
  }

  #onBookChange(symbol: string): void {
    const now = this.#engine.now();
    // The book is only computed for the streams someone watches (a snapshot sorts every level).
    if (this.#watched(`${symbol.toLowerCase()}@bookticker`)) this.#publish(...bookTickerEvent(symbol, this.#book, now));
    const depthStreams = new Map<string, number | undefined>();
    for (const connection of this.#connections) {
      for (const stream of connection.streams) {
        const depth = parseDepthStream(stream);
        if (depth?.symbol === symbol) depthStreams.set(stream, depth.levels);
      }
    }
    // A client syncs a new diff subscription on a REST snapshot, so the chain may restart when it has no watcher.
    if (![...depthStreams.values()].includes(undefined)) this.#depth.unwatch(symbol);
    const partialLevels = [
      ...new Set([...depthStreams.values()].filter((levels): levels is number => levels !== undefined)),
    ];
    const { diff, partials } = this.#depth.onChange(symbol, now, partialLevels);
    for (const [stream, levels] of depthStreams) {
      const payload = levels === undefined ? diff : partials.get(levels);
      if (payload !== undefined) this.#publish(stream, payload);
    }
  }

  #onCandle(candle: Candle): void {
    this.#publish(`${candle.symbol.toLowerCase()}@kline_${candle.interval}`, klinePayload(candle, this.#engine.now()));
  }

  #onExecution(accountId: string, order: OrderReport, fill: Fill | undefined): void {
    if (![...this.#connections].some((connection) => connection.accountId === accountId)) return;
    if (this.#engine.market(order.symbol).type === 'spot') {
      for (const event of spotUserStreamEvents(this.#engine, accountId, order, fill))
        this.#sendToAccount(accountId, event);
      return;
    }
    const now = this.#engine.now();
    const conditional = this.#engine.findOrder(accountId, order.symbol, { exchangeOrderId: order.exchangeOrderId });
    // A conditional order reports through ALGO_UPDATE; once it fires, its executions as an order too.
    if (conditional?.trigger !== undefined) this.#sendToAccount(accountId, algoUpdatePayload(conditional, now));
    if (conditional?.trigger === undefined || fill !== undefined)
      this.#sendToAccount(accountId, orderTradeUpdatePayload(order, conditional?.trigger, fill, now));
    if (fill !== undefined) {
      const quote = this.#engine.market(fill.symbol).quote;
      const balances = this.#engine.balances(accountId).filter((balance) => balance.asset === quote);
      this.#sendToAccount(
        accountId,
        accountUpdatePayload(balances, this.#engine.positions(accountId, [fill.symbol]), now),
      );
    }
  }

  #publish(stream: string, payload: object): void {
    let text: string | undefined;
    let wrapped: string | undefined;
    for (const connection of this.#connections) {
      if (!connection.streams.has(stream)) continue;
      if (connection.combined) this.#send(connection, (wrapped ??= JSON.stringify({ stream, data: payload })));
      else this.#send(connection, (text ??= JSON.stringify(payload)));
    }
  }

  #sendToAccount(accountId: string, payload: object): void {
    let text: string | undefined;
    for (const connection of this.#connections) {
      if (connection.accountId === accountId) this.#send(connection, (text ??= JSON.stringify(payload)));
    }
  }

  #send(connection: Connection, frame: string): void {
    if (connection.held !== undefined) {
      connection.socket.send(frame);
      connection.socket.send(connection.held);
      connection.held = undefined;
      return;
    }
    if (connection.reorders > 0) {
      connection.reorders -= 1;
      connection.held = frame;
      return;
    }
    connection.socket.send(frame);
    if (connection.duplicates > 0) {
      connection.duplicates -= 1;
      connection.socket.send(frame);
    }
  }
}
