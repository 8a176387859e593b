/**
 * The port's streams over ccxt pro `watch*`: prices (watchTicker), candles (watchOHLCV), and this
 * account's executions (watchOrders + watchMyTrades). One watch loop per subscription; each loop
 * reconnects and resubscribes by calling `watch*` again, then reports `onReconnect`.
 */
import ccxt, { type Exchange as CcxtClient, type Order as CcxtOrder, type Trade as CcxtTrade } from 'ccxt';
import type { Fill } from '../../domain/fill.js';
import type { Candle, PriceTick } from '../../domain/market.js';
import type { ExecutionEvent, OrderReport, StreamHandle, StreamListeners } from '../exchange.js';
import { type VenueMarket, candleOf, priceTickOf } from './ccxt-parsers.js';
import { type WatchLoop, startWatchLoop } from './ccxt-watch-loop.js';

interface Resolved extends VenueMarket {
  readonly ccxtSymbol: string;
}

export interface CcxtStreamsSettings {
  readonly client: CcxtClient;
  readonly venue: string;
  readonly mapError: (error: unknown) => Error;
  readonly resolve: (symbol: string) => Promise<Resolved>;
  readonly ready: () => Promise<unknown>;
  readonly fillOf: (trade: CcxtTrade) => Promise<Fill>;
  /** The port's report of an order update (the exchange learns its client order id from it). */
  readonly orderReportOf: (order: CcxtOrder) => Promise<OrderReport>;
}

type Loop = WatchLoop;

/**
 * Private (account) connections carry a listen key or a `private` path at the venues we know, or are
 * Binance's WebSocket API (`/ws-api/v3`), where ccxt's `binance` subscribes the spot user stream.
 */
const PRIVATE_URL = /listenKey|private|\/ws-api\//i;

export class CcxtStreams {
  readonly #settings: CcxtStreamsSettings;
  readonly #loops = new Set<Loop>();

  constructor(settings: CcxtStreamsSettings) {
    this.#settings = settings;
  }

  async prices(symbols: readonly string[], listeners: StreamListeners<PriceTick>): Promise<StreamHandle> {
    const resolved = await Promise.all(symbols.map((symbol) => this.#settings.resolve(symbol)));
    return this.#group(
      resolved.map(({ market, ccxtSymbol }) =>
        this.#loop(
          false,
          listeners,
          () => this.#settings.client.watchTicker(ccxtSymbol),
          (ticker) => {
            const tick = priceTickOf(ticker, market);
            if (tick !== undefined) listeners.onData(tick);
          },
        ),
      ),
    );
  }

  async candles(
    symbols: readonly string[],
    interval: string,
    listeners: StreamListeners<Candle>,
  ): Promise<StreamHandle> {
    const resolved = await Promise.all(symbols.map((symbol) => this.#settings.resolve(symbol)));
    return this.#group(
      resolved.map(({ market, ccxtSymbol }) => {
        let forming: Candle | undefined;
        return this.#loop(
          false,
          listeners,
          () => this.#settings.client.watchOHLCV(ccxtSymbol, interval),
          (rows) => {
            for (const row of rows) {
              const candle = candleOf(row, market, interval, false);
              // A newer open time means the previous candle is complete.
              if (forming !== undefined && candle.openTime > forming.openTime)
                listeners.onData({ ...forming, closed: true });
              if (forming === undefined || candle.openTime >= forming.openTime) {
                forming = candle;
                listeners.onData(candle);
              }
            }
          },
        );
      }),
    );
  }

  async executions(listeners: StreamListeners<ExecutionEvent>): Promise<StreamHandle> {
    await this.#settings.ready();
    const { client } = this.#settings;
    // Only the order loop reports reconnects, so a reconnect is reported once, not once per loop.
    const orders = this.#loop(
      true,
      listeners,
      () => client.watchOrders(),
      async (updates) => {
        for (const order of updates)
          listeners.onData({ type: 'order', order: await this.#settings.orderReportOf(order) });
      },
    );
    const trades = this.#loop(
      true,
      { onError: listeners.onError },
      () => client.watchMyTrades(),
      async (updates) => {
        for (const trade of updates) listeners.onData({ type: 'fill', fill: await this.#settings.fillOf(trade) });
      },
    );
    return this.#group([orders, trades]);
  }

  /** Ends every loop; the exchange then closes the ccxt client, which rejects their pending watches. */
  stop(): void {
    for (const loop of this.#loops) void loop.close();
  }

  async drained(): Promise<void> {
    await Promise.all([...this.#loops].map((loop) => loop.done));
  }

  #loop<T>(
    isPrivate: boolean,
    listeners: Pick<StreamListeners<unknown>, 'onReconnect' | 'onError'>,
    watch: () => Promise<T>,
    deliver: (value: T) => void | Promise<void>,
  ): Loop {
    const { client } = this.#settings;
    const loop = startWatchLoop({
      watch,
      deliver,
      listeners,
      connected: () =>
        Object.values(client.clients).some((connection) => {
          const { isConnected, url } = connection as { isConnected?: boolean; url?: string };
          return isConnected === true && PRIVATE_URL.test(url ?? '') === isPrivate;
        }),
      isDisconnect: (error) => error instanceof ccxt.NetworkError && !(error instanceof ccxt.ExchangeClosedByUser),
      mapError: this.#settings.mapError,
    });
    this.#loops.add(loop);
    void loop.done.finally(() => this.#loops.delete(loop));
    return loop;
  }

  /** One handle for the loops of a subscription, returned once they are connected (so no event is missed). */
  async #group(loops: readonly Loop[]): Promise<StreamHandle> {
    await Promise.all(loops.map((loop) => loop.ready));
    return {
      close: async () => {
        await Promise.all(loops.map((loop) => loop.close()));
      },
    };
  }
}
