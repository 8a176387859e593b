/**
 * `CcxtExchange`: the Exchange port over any ccxt pro venue with futures or spot markets (REST
 * through ccxt with its rate limiter on, streams through `watch*`). Symbols are the venue's own ids
 * (`BTCUSDT`), resolved to ccxt's unified symbols of the configured market type.
 *
 * Invariants: every ccxt error leaves as a typed error of `../errors.ts` (a transport failure of a
 * state-changing call as NetworkUnknownOutcomeError); a client order id outside the venue's limits
 * is refused before anything is sent; no secret appears in an error or a log line.
 */
import type { Exchange as CcxtClient, Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import { createHash } from 'node:crypto';
import type { Fill } from '../../domain/fill.js';
import type { Balance, Candle, Market, MarketType, Position, PriceTick } from '../../domain/market.js';
import {
  InvalidOrderError,
  NetworkUnknownOutcomeError,
  RateLimitedError,
  UnknownOrderError,
  UnknownSymbolError,
  UnsupportedVenueError,
} from '../errors.js';
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
  VenueCredentials,
} from '../exchange.js';
import { SILENT_VENUE_LOGGER, type VenueLogger } from '../venue-logger.js';
import { type CcxtConnectionOptions, createCcxtClient, placingOrdersWhile } from './ccxt-client-factory.js';
import { type MapContext, errorFromVenueCode, mapCcxtError, venueErrorCode } from './ccxt-error-mapper.js';
import { FillCursor } from './ccxt-fill-cursor.js';
import {
  type VenueMarket,
  contractsOf,
  decimalOf,
  fillOf,
  orderReportOf,
  positionOf,
  venueMarketOf,
} from './ccxt-parsers.js';
import { CcxtStreams } from './ccxt-streams.js';
import { CCXT_VENUE_PROFILES, type CcxtVenueProfile, GENERIC_PROFILE } from './ccxt-venue-profiles.js';

export interface CcxtExchangeOptions extends CcxtConnectionOptions {
  /** Venue name as configured. */
  readonly name: string;
  readonly logger?: VenueLogger | undefined;
}

const BATCH_SIZE = 5;

interface ResolvedMarket extends VenueMarket {
  readonly ccxtSymbol: string;
}

/** Settles as `pending`, or rejects with the signal's reason if it aborts first (no listener is left behind). */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Several venues (Bybit, OKX, Bitget) acknowledge a placement with its ids only (no amount): the
 * order is then what was asked for (a new order, nothing filled yet), whatever defaults ccxt filled
 * in (ccxt's OKX answer says `reduceOnly: false`). `amount` is what was sent to ccxt (contracts on
 * contract markets), as ccxt's own answers count it.
 */
function withRequest(order: CcxtOrder, request: PlaceOrderRequest, amount: number): CcxtOrder {
  if (order.amount !== undefined && order.amount !== null) return order;
  return {
    ...order,
    side: request.side.toLowerCase() as CcxtOrder['side'],
    type: request.type.toLowerCase(),
    price: request.price === undefined ? undefined : Number(request.price.toFixed()),
    amount,
    filled: order.filled ?? 0,
    postOnly: request.postOnly,
    reduceOnly: request.reduceOnly,
  } as CcxtOrder;
}

/** The stable identity of the account behind an API key that never reveals it: a short hash. */
export function accountIdentity(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}

const accountOf = (apiKey: string | undefined): string => (apiKey === undefined ? 'public' : accountIdentity(apiKey));

export class CcxtExchange implements Exchange {
  readonly name: string;
  readonly capabilities: ExchangeCapabilities;
  #account: string;
  readonly #client: CcxtClient;
  readonly #cancelTimers: () => void;
  readonly #profile: CcxtVenueProfile;
  readonly #marketType: MarketType;
  readonly #streams: CcxtStreams;
  readonly #clientOrderIds = new Map<string, string>();
  readonly #needsProxyAgent: boolean;
  #markets: Promise<Map<string, ResolvedMarket>> | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: CcxtExchangeOptions) {
    this.name = options.name;
    this.#profile = CCXT_VENUE_PROFILES[options.ccxtId] ?? GENERIC_PROFILE;
    this.#marketType = options.marketType;
    this.#account = accountOf(options.apiKey);
    const handle = createCcxtClient({
      ...options,
      venue: options.name,
      profile: this.#profile,
      logger: options.logger ?? SILENT_VENUE_LOGGER,
    });
    this.#client = handle.client;
    this.#cancelTimers = handle.cancelTimers;
    this.#needsProxyAgent = options.baseUrl?.startsWith('http://') === true;
    const has = this.#client.has;
    this.capabilities = {
      batchPlace:
        has['createOrders'] === true &&
        (this.#profile.batchMarketTypes ?? ['future', 'spot']).includes(options.marketType),
      positions: options.marketType === 'future',
      leverage: options.marketType === 'future' && has['setLeverage'] === true,
      clientOrderIdMaxLength: this.#profile.clientOrderIdMaxLength,
      clientOrderIdPattern: this.#profile.clientOrderIdPattern,
      requestValidityMs: requestValidityMs(this.#client),
    };
    this.#streams = new CcxtStreams({
      client: this.#client,
      venue: this.name,
      mapError: (error) => this.#map(error, false),
      resolve: (symbol) => this.#resolve(symbol),
      ready: () => this.#ready(),
      fillOf: (trade) => this.#fillOf(trade),
      orderReportOf: async (order) => this.#report(order, await this.#resolve(this.#idOf(order.symbol)), undefined),
    });
  }

  async market(symbol: string, signal?: AbortSignal): Promise<Market> {
    signal?.throwIfAborted();
    return (await this.#resolve(symbol)).market;
  }

  async placeOrder(request: PlaceOrderRequest, signal?: AbortSignal): Promise<OrderReport> {
    const venue = await this.#resolve(request.symbol);
    this.#check(request, venue);
    const amount = contractsOf(request.quantity, venue);
    const order = await this.#request(signal, true, request.clientOrderId, () =>
      placingOrdersWhile(1, () =>
        this.#client.createOrder(
          venue.ccxtSymbol,
          request.type.toLowerCase() as 'limit',
          request.side.toLowerCase() as 'buy',
          amount,
          request.price === undefined ? undefined : Number(request.price.toFixed()),
          this.#orderParams(request),
        ),
      ),
    );
    return this.#report(withRequest(order, request, amount), venue, request.clientOrderId);
  }

  async placeOrders(
    requests: readonly PlaceOrderRequest[],
    signal?: AbortSignal,
  ): Promise<readonly BatchPlaceResult[]> {
    if (!this.capabilities.batchPlace) return Promise.all(requests.map((request) => this.#settle(request, signal)));
    const results: BatchPlaceResult[] = [];
    for (let start = 0; start < requests.length; start += BATCH_SIZE) {
      const batch = requests.slice(start, start + BATCH_SIZE);
      try {
        const resolved = await Promise.all(batch.map((request) => this.#resolve(request.symbol)));
        batch.forEach((request, index) => this.#check(request, resolved[index] as ResolvedMarket));
        const amounts = batch.map((request, index) => contractsOf(request.quantity, resolved[index] as ResolvedMarket));
        const orders = await this.#request(signal, true, undefined, () =>
          placingOrdersWhile(batch.length, () =>
            this.#client.createOrders(
              batch.map((request, index) => ({
                symbol: (resolved[index] as ResolvedMarket).ccxtSymbol,
                type: request.type.toLowerCase(),
                side: request.side.toLowerCase(),
                amount: amounts[index],
                price: request.price === undefined ? undefined : Number(request.price.toFixed()),
                params: this.#orderParams(request),
              })) as never,
            ),
          ),
        );
        batch.forEach((request, index) => {
          const order = orders[index];
          const code = order === undefined ? undefined : venueErrorCode(JSON.stringify(order.info ?? {}));
          results.push(
            order === undefined || order.id === undefined || code !== undefined
              ? {
                  ok: false,
                  clientOrderId: request.clientOrderId,
                  error: errorFromVenueCode(code, this.#context(true, request.clientOrderId)),
                }
              : {
                  ok: true,
                  order: this.#report(
                    withRequest(order, request, amounts[index] as number),
                    resolved[index] as ResolvedMarket,
                    request.clientOrderId,
                  ),
                },
          );
        });
      } catch (error) {
        // A batch the request budget cannot take whole goes out one order at a time, nearest to the
        // market first: as many as it has room for are placed, the rest are refused with its wait
        // (a 429 for the batch paused the budget already, so nothing more is sent). The ids are the
        // same, so the venue refuses a second copy of an order it did take.
        if (error instanceof RateLimitedError && batch.length > 1) {
          for (const request of batch) results.push(await this.#settle(request, signal));
          continue;
        }
        for (const request of batch)
          results.push({ ok: false, clientOrderId: request.clientOrderId, error: error as Error });
      }
    }
    return results;
  }

  async cancelOrder(
    symbol: string,
    id: { clientOrderId?: string; exchangeOrderId?: string },
    signal?: AbortSignal,
  ): Promise<OrderReport> {
    const venue = await this.#resolve(symbol);
    const params = id.clientOrderId === undefined ? {} : { clientOrderId: id.clientOrderId };
    const order = await this.#request(signal, true, id.clientOrderId, () =>
      this.#client.cancelOrder(id.exchangeOrderId ?? '', venue.ccxtSymbol, params),
    );
    return this.#report(order, venue, id.clientOrderId);
  }

  /** Counts the open orders, then cancels them in one request (an order placed in between is cancelled but not counted). */
  async cancelAllOrders(symbol: string, signal?: AbortSignal): Promise<number> {
    const open = await this.openOrders(symbol, signal);
    if (open.length === 0) return 0;
    const { ccxtSymbol } = await this.#resolve(symbol);
    await this.#request(signal, true, undefined, () => this.#client.cancelAllOrders(ccxtSymbol));
    return open.length;
  }

  async getOrder(symbol: string, clientOrderId: string, signal?: AbortSignal): Promise<OrderReport | undefined> {
    const venue = await this.#resolve(symbol);
    try {
      return this.#report(
        await this.#request(signal, false, undefined, () =>
          this.#client.fetchOrder('', venue.ccxtSymbol, { clientOrderId }),
        ),
        venue,
        clientOrderId,
      );
    } catch (error) {
      if (error instanceof UnknownOrderError) return undefined;
      throw error;
    }
  }

  async openOrders(symbol: string, signal?: AbortSignal): Promise<readonly OrderReport[]> {
    const venue = await this.#resolve(symbol);
    const orders = await this.#request(signal, false, undefined, () => this.#client.fetchOpenOrders(venue.ccxtSymbol));
    return orders.map((order) => this.#report(order, venue, undefined));
  }

  async fillsSince(symbol: string, cursor: string | undefined, limit = 500, signal?: AbortSignal): Promise<FillPage> {
    const { ccxtSymbol } = await this.#resolve(symbol);
    const position = FillCursor.parse(cursor, this.#profile.fillPaging, this.name);
    const { trades, hasMore } = await position.page(
      (since, count, params) =>
        this.#request(signal, false, undefined, () => this.#client.fetchMyTrades(ccxtSymbol, since, count, params)),
      limit,
    );
    const fills: Fill[] = [];
    for (const trade of trades) fills.push(await this.#fillOf(trade));
    return { fills, cursor: FillCursor.of(trades.at(-1), this.#profile.fillPaging) ?? cursor, hasMore };
  }

  async positions(symbols?: readonly string[], signal?: AbortSignal): Promise<readonly Position[]> {
    if (this.#marketType !== 'future') return [];
    const markets = await this.#ready();
    const wanted =
      symbols === undefined
        ? [...markets.values()].filter((entry) => entry.unsupported === undefined)
        : await Promise.all(symbols.map((symbol) => this.#resolve(symbol)));
    const positions = await this.#request(signal, false, undefined, () =>
      this.#client.fetchPositions(wanted.map((entry) => entry.ccxtSymbol)),
    );
    const bySymbol = new Map(wanted.map((entry) => [entry.ccxtSymbol, entry]));
    return positions.flatMap((position) => {
      const venue = bySymbol.get(position.symbol ?? '');
      return venue === undefined ? [] : [positionOf(position, venue)];
    });
  }

  async balances(signal?: AbortSignal): Promise<readonly Balance[]> {
    await this.#ready();
    const balance = await this.#request(signal, false, undefined, () => this.#client.fetchBalance());
    const totals = (balance.total ?? {}) as unknown as Record<string, number | undefined>;
    return Object.keys(totals)
      .sort()
      .map((asset) => {
        const entry = balance[asset] as { free?: number; used?: number; total?: number } | undefined;
        return { asset, free: decimalOf(entry?.free), locked: decimalOf(entry?.used), total: decimalOf(entry?.total) };
      });
  }

  async setLeverage(symbol: string, leverage: number, signal?: AbortSignal): Promise<void> {
    const { ccxtSymbol } = await this.#resolve(symbol);
    await this.#request(signal, true, undefined, () => this.#client.setLeverage(leverage, ccxtSymbol));
  }

  streamPrices(symbols: readonly string[], listeners: StreamListeners<PriceTick>): Promise<StreamHandle> {
    return this.#streams.prices(symbols, listeners);
  }

  streamCandles(
    symbols: readonly string[],
    interval: string,
    listeners: StreamListeners<Candle>,
  ): Promise<StreamHandle> {
    return this.#streams.candles(symbols, interval, listeners);
  }

  streamExecutions(listeners: StreamListeners<ExecutionEvent>): Promise<StreamHandle> {
    return this.#streams.executions(listeners);
  }

  get account(): string {
    return this.#account;
  }

  /** ccxt signs each request, and the streams' next subscription attempt, with the client's current keys. */
  changeCredentials(credentials: VenueCredentials): void {
    this.#client.apiKey = credentials.apiKey ?? '';
    this.#client.secret = credentials.apiSecret ?? '';
    this.#client.password = credentials.password ?? '';
    this.#account = accountOf(credentials.apiKey);
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#streams.stop();
      // ccxt rejects every pending watch with ExchangeClosedByUser; the loops own those promises.
      await this.#client.close().catch(() => undefined);
      this.#cancelTimers();
      await this.#streams.drained();
    })();
    return this.#closed;
  }

  #ready(): Promise<Map<string, ResolvedMarket>> {
    this.#markets ??= (async () => {
      if (this.#needsProxyAgent) await this.#client.loadHttpProxyAgent();
      try {
        await this.#client.loadMarkets();
      } catch (error) {
        this.#markets = undefined;
        throw this.#map(error, false);
      }
      // Perpetual swaps (inverse ones too, listed to be refused with their reason) or spot markets.
      const wanted =
        this.#marketType === 'future'
          ? (m: { swap?: boolean }) => m.swap === true
          : (m: { spot?: boolean }) => m.spot === true;
      const markets = new Map<string, ResolvedMarket>();
      for (const market of Object.values(this.#client.markets ?? {})) {
        if (market === undefined || !wanted(market) || market.id === undefined) continue;
        const entry = { ...venueMarketOf(market, this.#marketType), ccxtSymbol: market.symbol };
        // A tradable market wins over an unsupported one that shares its id.
        if (entry.unsupported === undefined || markets.get(market.id) === undefined) markets.set(market.id, entry);
      }
      return markets;
    })();
    return this.#markets;
  }

  async #resolve(symbol: string): Promise<ResolvedMarket> {
    const entry = (await this.#ready()).get(symbol);
    if (entry === undefined) throw new UnknownSymbolError(`no ${this.#marketType} market ${symbol}`, this.name);
    if (entry.unsupported !== undefined) throw new UnsupportedVenueError(`${symbol}: ${entry.unsupported}`, this.name);
    return entry;
  }

  #orderParams(request: PlaceOrderRequest): Record<string, unknown> {
    return {
      clientOrderId: request.clientOrderId,
      ...(request.postOnly ? { postOnly: true } : {}),
      ...(request.reduceOnly ? { reduceOnly: true } : {}),
    };
  }

  /**
   * Refuses, before sending, what ccxt would otherwise silently round onto the venue's grid (an
   * order different from the one decided) and client order ids beyond the venue's limits.
   */
  #check(request: PlaceOrderRequest, { market, contractSize }: VenueMarket): void {
    const refuse = (why: string): never => {
      throw new InvalidOrderError(`${request.symbol}: ${why}`, this.name);
    };
    const { clientOrderId, price, quantity } = request;
    if (
      clientOrderId.length > this.#profile.clientOrderIdMaxLength ||
      !this.#profile.clientOrderIdPattern.test(clientOrderId)
    ) {
      refuse(`client order id ${JSON.stringify(clientOrderId)} breaks the venue's limits`);
    }
    if (price !== undefined && !market.tickSize.isZero() && !price.mod(market.tickSize).isZero())
      refuse(`price ${price.toFixed()} is off the tick grid ${market.tickSize.toFixed()}`);
    if (!market.stepSize.isZero() && !quantity.mod(market.stepSize).isZero())
      refuse(
        contractSize.eq(1)
          ? `quantity ${quantity.toFixed()} is off the step grid ${market.stepSize.toFixed()}`
          : `quantity ${quantity.toFixed()} ${market.base} is not a whole multiple of the contract lot ${market.stepSize.toFixed()} ${market.base} (contracts of ${contractSize.toFixed()} ${market.base})`,
      );
    if (quantity.lt(market.minQuantity))
      refuse(`quantity ${quantity.toFixed()} is below the minimum ${market.minQuantity.toFixed()}`);
  }

  async #settle(request: PlaceOrderRequest, signal: AbortSignal | undefined): Promise<BatchPlaceResult> {
    try {
      return { ok: true, order: await this.placeOrder(request, signal) };
    } catch (error) {
      return { ok: false, clientOrderId: request.clientOrderId, error: error as Error };
    }
  }

  #report(order: CcxtOrder, venue: VenueMarket, clientOrderId: string | undefined): OrderReport {
    const report = orderReportOf(order, venue);
    const own = this.#ownClientOrderId(report.clientOrderId);
    const withId = { ...report, clientOrderId: own === '' && clientOrderId !== undefined ? clientOrderId : own };
    if (withId.clientOrderId !== '') this.#clientOrderIds.set(withId.exchangeOrderId, withId.clientOrderId);
    return withId;
  }

  /** A trade's client order id: known from our own orders, or looked up once by exchange order id. */
  async #fillOf(trade: CcxtTrade): Promise<Fill> {
    const venue = await this.#resolve(this.#idOf(trade.symbol));
    const orderId = String(trade.order);
    let clientOrderId = this.#clientOrderIds.get(orderId);
    if (clientOrderId === undefined) {
      try {
        clientOrderId = this.#ownClientOrderId(
          (await this.#client.fetchOrder(orderId, venue.ccxtSymbol)).clientOrderId ?? '',
        );
      } catch (error) {
        throw this.#map(error, false);
      }
      this.#clientOrderIds.set(orderId, clientOrderId);
    }
    return fillOf(trade, venue, { exchange: this.name, account: this.#account, clientOrderId });
  }

  /** Our client order id as the venue echoes it, without the venue's own prefix (Gate's `t-`). */
  #ownClientOrderId(echoed: string): string {
    const prefix = this.#profile.clientOrderIdPrefix;
    return prefix !== undefined && echoed.startsWith(prefix) ? echoed.slice(prefix.length) : echoed;
  }

  #idOf(ccxtSymbol: string | undefined): string {
    return ccxtSymbol === undefined ? '' : (this.#client.markets?.[ccxtSymbol]?.id ?? '');
  }

  /**
   * Runs one ccxt request: nothing is sent when `signal` is already aborted; an abort while waiting
   * ends the wait (a state-changing request then has an unknown outcome); ccxt errors are mapped.
   */
  async #request<T>(
    signal: AbortSignal | undefined,
    changesState: boolean,
    clientOrderId: string | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    signal?.throwIfAborted();
    const pending = run();
    try {
      return await (signal === undefined ? pending : untilAborted(pending, signal));
    } catch (error) {
      if (signal?.aborted === true && error === signal.reason) {
        if (changesState)
          throw new NetworkUnknownOutcomeError('aborted before the venue answered', this.name, { cause: error });
        throw error;
      }
      throw this.#map(error, changesState, clientOrderId);
    }
  }

  #context(changesState: boolean, clientOrderId?: string): MapContext {
    return { venue: this.name, profile: this.#profile, changesState, clientOrderId };
  }

  #map(error: unknown, changesState: boolean, clientOrderId?: string): Error {
    return mapCcxtError(error, this.#context(changesState, clientOrderId));
  }
}

/** Clock offset and transit on top of a request's own window (its recvWindow, or the client's timeout). */
const REQUEST_TRANSIT_MARGIN_MS = 1_000;

/**
 * A signed request is refused once its timestamp is older than its recvWindow (Binance and
 * alikes); without one, a request the client timed out on is taken to be dead by then.
 */
function requestValidityMs(client: { readonly timeout: number; readonly options: Record<string, unknown> }): number {
  const recvWindow = Number(client.options['recvWindow'] ?? 0);
  return Math.max(Number.isFinite(recvWindow) ? recvWindow : 0, client.timeout) + REQUEST_TRANSIT_MARGIN_MS;
}
