/**
 * `SimExchange`: the Exchange port over an in-process SimMatchingEngine (the embedded default, and
 * the fast path for tests and backtests). Calls are synchronous underneath; streams are engine
 * listeners, so they never disconnect and `onReconnect` is never called.
 */
import type { Balance, Candle, Market, Position, PriceTick } from '../../domain/market.js';
import { InvalidOrderError } from '../errors.js';
import type {
  BatchPlaceResult,
  Exchange,
  ExchangeCapabilities,
  ExecutionEvent,
  FillPage,
  OrderReport,
  PlaceOrderRequest,
  StreamHandle,
  StreamListeners,
} from '../exchange.js';
import type { SimClockDriver } from './sim-clock-driver.js';
import type { SimMatchingEngine } from './sim-matching-engine.js';
import { SIM_CLIENT_ORDER_ID_PATTERN } from './sim-settings.js';

export const SIM_CAPABILITIES: ExchangeCapabilities = {
  batchPlace: true,
  positions: true,
  leverage: true,
  clientOrderIdMaxLength: 36,
  clientOrderIdPattern: SIM_CLIENT_ORDER_ID_PATTERN,
  requestValidityMs: 0,
};

const DEFAULT_FILL_PAGE = 500;

export class SimExchange implements Exchange {
  readonly name: string;
  readonly account: string;
  readonly capabilities = SIM_CAPABILITIES;
  readonly #engine: SimMatchingEngine;
  readonly #unsubscribers = new Set<() => void>();

  readonly #driver: SimClockDriver | undefined;

  /** `driver`, when given, moves the engine in real time and is stopped by `close`. */
  constructor(
    engine: SimMatchingEngine,
    options: { account: string; name?: string | undefined; driver?: SimClockDriver | undefined },
  ) {
    this.#engine = engine;
    this.#driver = options.driver;
    this.account = options.account;
    this.name = options.name ?? engine.venue;
  }

  /** The engine underneath, for backtests and tests that drive the clock or the price. */
  get engine(): SimMatchingEngine {
    return this.#engine;
  }

  async market(symbol: string, signal?: AbortSignal): Promise<Market> {
    return this.#call(signal, () => this.#engine.market(symbol));
  }

  async placeOrder(request: PlaceOrderRequest, signal?: AbortSignal): Promise<OrderReport> {
    return this.#call(signal, () => this.#engine.placeOrder(this.account, request));
  }

  async placeOrders(
    requests: readonly PlaceOrderRequest[],
    signal?: AbortSignal,
  ): Promise<readonly BatchPlaceResult[]> {
    return this.#call(signal, () =>
      requests.map((request): BatchPlaceResult => {
        try {
          return { ok: true, order: this.#engine.placeOrder(this.account, request) };
        } catch (error) {
          return { ok: false, clientOrderId: request.clientOrderId, error: error as Error };
        }
      }),
    );
  }

  async cancelOrder(
    symbol: string,
    id: { clientOrderId?: string; exchangeOrderId?: string },
    signal?: AbortSignal,
  ): Promise<OrderReport> {
    return this.#call(signal, () => this.#engine.cancelOrder(this.account, symbol, id));
  }

  async cancelAllOrders(symbol: string, signal?: AbortSignal): Promise<number> {
    return this.#call(signal, () => this.#engine.cancelAllOrders(this.account, symbol).length);
  }

  async getOrder(symbol: string, clientOrderId: string, signal?: AbortSignal): Promise<OrderReport | undefined> {
    return this.#call(signal, () => this.#engine.getOrder(this.account, symbol, clientOrderId));
  }

  async openOrders(symbol: string, signal?: AbortSignal): Promise<readonly OrderReport[]> {
    return this.#call(signal, () => this.#engine.openOrders(this.account, symbol));
  }

  async fillsSince(
    symbol: string,
    cursor: string | undefined,
    limit = DEFAULT_FILL_PAGE,
    signal?: AbortSignal,
  ): Promise<FillPage> {
    if (cursor !== undefined && !/^\d+$/.test(cursor))
      throw new InvalidOrderError(`bad fills cursor ${JSON.stringify(cursor)}`, this.name);
    return this.#call(signal, () => {
      const fills = this.#engine.fillsAfter(
        this.account,
        symbol,
        cursor === undefined ? undefined : Number(cursor),
        limit + 1,
      );
      const page = fills.slice(0, limit);
      return { fills: page, cursor: page.at(-1)?.tradeId ?? cursor, hasMore: fills.length > limit };
    });
  }

  async positions(symbols?: readonly string[], signal?: AbortSignal): Promise<readonly Position[]> {
    return this.#call(signal, () => this.#engine.positions(this.account, symbols));
  }

  async balances(signal?: AbortSignal): Promise<readonly Balance[]> {
    return this.#call(signal, () => this.#engine.balances(this.account));
  }

  async setLeverage(symbol: string, leverage: number, signal?: AbortSignal): Promise<void> {
    this.#call(signal, () => this.#engine.setLeverage(this.account, symbol, leverage));
  }

  async streamPrices(symbols: readonly string[], listeners: StreamListeners<PriceTick>): Promise<StreamHandle> {
    const wanted = this.#known(symbols);
    return this.#listen({
      onPrice: (tick) => {
        if (wanted.has(tick.symbol)) listeners.onData(tick);
      },
    });
  }

  async streamCandles(
    symbols: readonly string[],
    interval: string,
    listeners: StreamListeners<Candle>,
  ): Promise<StreamHandle> {
    const wanted = this.#known(symbols);
    for (const symbol of wanted) this.#engine.trackCandles(symbol, interval);
    return this.#listen({
      onCandle: (candle) => {
        if (wanted.has(candle.symbol) && candle.interval === interval) listeners.onData(candle);
      },
    });
  }

  async streamExecutions(listeners: StreamListeners<ExecutionEvent>): Promise<StreamHandle> {
    return this.#listen({
      onExecution: (accountId, order, fill) => {
        if (accountId !== this.account) return;
        if (fill !== undefined) listeners.onData({ type: 'fill', fill });
        listeners.onData({ type: 'order', order });
      },
    });
  }

  /** The embedded venue takes no keys. */
  changeCredentials(): void {}

  async close(): Promise<void> {
    this.#driver?.stop();
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers.clear();
    this.#engine.close();
  }

  #listen(listener: Parameters<SimMatchingEngine['subscribe']>[0]): StreamHandle {
    const unsubscribe = this.#engine.subscribe(listener);
    this.#unsubscribers.add(unsubscribe);
    return {
      close: async () => {
        unsubscribe();
        this.#unsubscribers.delete(unsubscribe);
      },
    };
  }

  #known(symbols: readonly string[]): Set<string> {
    for (const symbol of symbols) this.#engine.market(symbol);
    return new Set(symbols);
  }

  /** Every request counts against the account's budget, as at a real venue. */
  #call<T>(signal: AbortSignal | undefined, action: () => T): T {
    signal?.throwIfAborted();
    this.#engine.consumeRequest(this.account);
    return action();
  }
}
