/**
 * The simulated venue's matching engine: a seeded market per symbol, resting limit orders filled
 * when the price crosses them, taker fills at the market price, fees, margin, reduce-only,
 * post-only, duplicate client order ids and a request budget.
 *
 * Invariants:
 * - deterministic: for the same settings and the same calls, the same prices, fills and ids. Time is
 *   the simulated clock (`advance`/`step`/`setPrice`), never the wall clock; randomness is seeded.
 * - a client order id is used by at most one open order per account (Invariant 1's last layer);
 * - every fill has a trade id unique in the engine and is kept in ascending id order, so a cursor
 *   (the last trade id seen) yields each fill exactly once (Invariant 2).
 * - resting orders fill at their limit price (maker); crossing orders fill at the market price
 *   (taker); a resting order fills at most `liquidityPerTick` per tick.
 */
import { type Decimal, ZERO, minDecimal } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { Balance, Candle, Market, Position, PriceTick } from '../../domain/market.js';
import {
  AuthenticationError,
  DuplicateClientOrderIdError,
  InvalidOrderError,
  PostOnlyWouldCrossError,
  UnknownOrderError,
  UnknownSymbolError,
} from '../errors.js';
import type { OrderReport, PlaceOrderRequest } from '../exchange.js';
import type { OrderSide, OrderType } from '../../domain/order.js';
import { InvalidSimConfigError, WouldTriggerImmediatelyError } from './errors.js';
import { SimAccount } from './sim-account.js';
import { CandleBuilder } from './sim-candles.js';
import { SimFillLedger } from './sim-fill-ledger.js';
import { SimOrderBook } from './sim-order-book.js';
import { validateOrder } from './sim-order-validation.js';
import { type SimOrder, isOpen, remainingOf, reportOf } from './sim-order.js';
import { type PricePath, RandomWalkPath, ReplayPath } from './sim-price-path.js';
import { SimRateLimiter } from './sim-rate-limiter.js';
import { type SimTrigger, SimTriggerBook, triggerFires } from './sim-trigger-book.js';
import {
  DEFAULT_FEES,
  DEFAULT_RATE_LIMIT,
  DEFAULT_START_TIME,
  type SimEngineSettings,
  marketOf,
} from './sim-settings.js';

/** What the engine reports as it runs. Listeners are called synchronously, in event order. */
export interface SimListener {
  onPrice?(tick: PriceTick): void;
  onCandle?(candle: Candle): void;
  /** An order changed; `fill` is the execution that changed it, if any. */
  onExecution?(accountId: string, order: OrderReport, fill: Fill | undefined): void;
}

interface SymbolState {
  readonly market: Market;
  readonly path: PricePath;
  price: Decimal;
  readonly book: SimOrderBook;
  readonly triggers: SimTriggerBook;
  readonly candles: Map<string, CandleBuilder>;
}

export class SimMatchingEngine {
  readonly venue: string;
  readonly tickMs: number;
  readonly #symbols = new Map<string, SymbolState>();
  readonly #accounts = new Map<string, SimAccount>();
  readonly #orders = new Map<string, SimOrder>();
  /** account → client order id → latest order with that id. */
  readonly #byClientId = new Map<string, Map<string, SimOrder>>();
  readonly #fills = new SimFillLedger();
  readonly #listeners = new Set<SimListener>();
  readonly #liquidityPerTick: Decimal | undefined;
  readonly #rateLimiter: SimRateLimiter;
  readonly #idScope: 'open' | 'all';
  readonly #keepHistory: boolean;
  /** With history `forgotten`: orders that ended since the last step, forgotten at the next. */
  #endedSinceStep: SimOrder[] = [];
  #markCache: ReadonlyMap<string, Decimal> | undefined;
  /** Test hook: refusals still to hand out (refuseNextOrders). */
  readonly #refusals: { readonly symbol: string; readonly type: OrderType | undefined; remaining: number }[] = [];
  #now: number;
  #nextOrderId = 1;
  #nextTradeId = 1;

  constructor(settings: SimEngineSettings) {
    this.venue = settings.venue ?? 'sim';
    this.tickMs = settings.tickMs ?? 1000;
    this.#now = settings.startTime ?? DEFAULT_START_TIME;
    this.#liquidityPerTick = settings.liquidityPerTick;
    this.#rateLimiter = new SimRateLimiter(settings.rateLimit ?? DEFAULT_RATE_LIMIT, this.venue);
    this.#idScope = settings.clientOrderIdScope ?? 'open';
    this.#keepHistory = (settings.history ?? 'kept') === 'kept';
    if (settings.symbols.length === 0) throw new InvalidSimConfigError('the sim needs at least one symbol');
    settings.symbols.forEach((symbol, index) => {
      // One engine serves both APIs of a sim venue, where a symbol is futures or spot, not both.
      if (this.#symbols.has(symbol.symbol)) throw new InvalidSimConfigError(`symbol ${symbol.symbol} is listed twice`);
      const path =
        symbol.replayPrices === undefined
          ? new RandomWalkPath({
              initialPrice: symbol.initialPrice,
              tickSize: symbol.tickSize,
              volatility: symbol.volatility ?? 0.8,
              drift: symbol.drift ?? 0,
              meanReversion: symbol.meanReversion ?? 0,
              seed: settings.seed * 7919 + index,
            })
          : new ReplayPath(symbol.replayPrices);
      this.#symbols.set(symbol.symbol, {
        market: marketOf(symbol),
        path,
        price: symbol.initialPrice,
        book: new SimOrderBook(),
        triggers: new SimTriggerBook(),
        candles: new Map(),
      });
    });
    for (const account of settings.accounts) {
      this.#accounts.set(
        account.id,
        new SimAccount({
          id: account.id,
          venue: this.venue,
          fees: settings.fees ?? DEFAULT_FEES,
          balances: account.balances,
          defaultLeverage: account.defaultLeverage ?? 10,
          positions: account.positions,
        }),
      );
      this.#byClientId.set(account.id, new Map());
    }
  }

  now(): number {
    return this.#now;
  }

  /** Releases what the engine holds (nothing in memory; a journaled engine closes its file). */
  close(): void {}

  subscribe(listener: SimListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  markets(): Market[] {
    return [...this.#symbols.values()].map((state) => state.market);
  }

  market(symbol: string): Market {
    return this.#symbol(symbol).market;
  }

  price(symbol: string): Decimal {
    return this.#symbol(symbol).price;
  }

  /** Starts building candles of `interval` for `symbol` (idempotent); they arrive through onCandle. */
  trackCandles(symbol: string, interval: string): void {
    const state = this.#symbol(symbol);
    if (!state.candles.has(interval)) state.candles.set(interval, new CandleBuilder(symbol, interval));
  }

  /** Counts one request of the account against its budget (RateLimitedError when spent). */
  consumeRequest(accountId: string): void {
    this.#account(accountId);
    this.#rateLimiter.consume(accountId, this.#now);
  }

  /** One tick: the clock moves `tickMs`, every symbol's price takes its next step and orders match. */
  step(): void {
    if (this.#endedSinceStep.length > 0) this.#forgetEnded();
    this.#now += this.tickMs;
    for (const state of this.#symbols.values()) this.#move(state, state.path.next(this.tickMs));
  }

  /** Moves the clock forward to `time` without a price step (a venue reopened after a pause); never back. */
  resumeAt(time: number): void {
    if (time > this.#now) this.#now = time;
  }

  /** Runs whole ticks covering `ms` of simulated time. */
  advance(ms: number): void {
    for (let elapsed = 0; elapsed + this.tickMs <= ms; elapsed += this.tickMs) this.step();
  }

  /**
   * Test hook: the next `count` valid orders of `symbol` (of `type`, when given) are refused with an
   * InvalidOrderError before anything is reserved or matched, as a venue refuses a market order
   * outside its price band. Hooks add up; each refusal is used once.
   */
  refuseNextOrders(symbol: string, type: OrderType | undefined, count = 1): void {
    this.#symbol(symbol);
    this.#refusals.push({ symbol, type, remaining: count });
  }

  /** Test and replay hook: sets the price now (no clock move) and matches against it. */
  setPrice(symbol: string, price: Decimal): void {
    this.#move(this.#symbol(symbol), price);
  }

  /**
   * Test hook: the account's books take a fill (position and balances, fee-free at the current
   * price) that no order, fill record or report shows: what a venue-side trade the engine never
   * hears of (a fill the venue lost, a liquidation) looks like from outside.
   */
  bookUnreportedFill(accountId: string, symbol: string, side: OrderSide, quantity: Decimal): void {
    const state = this.#symbol(symbol);
    this.#account(accountId).applyFill(state.market, side, quantity, state.price, ZERO);
  }

  /**
   * With `trigger`, a MARKET request becomes a conditional order that waits (holding no funds) until
   * the price reaches the trigger, then executes as a taker; one the price already reached is refused.
   */
  placeOrder(accountId: string, request: PlaceOrderRequest, trigger?: SimTrigger): OrderReport {
    const account = this.#account(accountId);
    const state = this.#symbol(request.symbol);
    validateOrder(state.market, request, state.price, this.venue);
    if (trigger !== undefined) {
      if (request.type !== 'MARKET')
        throw new InvalidOrderError(`${trigger.kind} orders execute as market orders`, this.venue);
      if (triggerFires(trigger, state.price))
        throw new WouldTriggerImmediatelyError(
          `${trigger.kind} at ${trigger.stopPrice.toFixed()} would trigger immediately at ${state.price.toFixed()}`,
          this.venue,
        );
    }
    const refusal = this.#refusals.find(
      (entry) =>
        entry.remaining > 0 &&
        entry.symbol === request.symbol &&
        (entry.type === undefined || entry.type === request.type),
    );
    if (refusal !== undefined) {
      refusal.remaining -= 1;
      throw new InvalidOrderError(`${request.type} order ${request.clientOrderId} refused by a test hook`, this.venue);
    }
    const byId = this.#byClientId.get(accountId) as Map<string, SimOrder>;
    const previous = byId.get(request.clientOrderId);
    if (previous !== undefined && (isOpen(previous) || this.#idScope === 'all')) {
      throw new DuplicateClientOrderIdError(this.venue, request.clientOrderId);
    }
    const crosses =
      request.type === 'MARKET' ||
      (request.side === 'BUY'
        ? (request.price as Decimal).gte(state.price)
        : (request.price as Decimal).lte(state.price));
    if (request.postOnly && crosses) {
      throw new PostOnlyWouldCrossError(
        `post-only ${request.side} at ${request.price?.toFixed()} would cross the market at ${state.price.toFixed()}`,
        this.venue,
      );
    }
    if (request.reduceOnly) {
      if (state.market.type !== 'future')
        throw new InvalidOrderError('reduce-only applies to futures only', this.venue);
      account.checkReduceOnly(request.symbol, request.side, request.quantity);
    }
    const exchangeOrderId = String(this.#nextOrderId);
    const reservePrice = crosses ? state.price : (request.price as Decimal);
    if (trigger === undefined)
      account.reserve(
        exchangeOrderId,
        state.market,
        request.side,
        request.quantity,
        reservePrice,
        this.#marks(),
        request.reduceOnly,
      );
    this.#nextOrderId += 1;
    const order: SimOrder = {
      accountId,
      symbol: request.symbol,
      exchangeOrderId,
      clientOrderId: request.clientOrderId,
      side: request.side,
      type: request.type,
      price: request.price,
      quantity: request.quantity,
      postOnly: request.postOnly,
      reduceOnly: request.reduceOnly,
      createdAt: this.#now,
      trigger,
      filled: ZERO,
      filledNotional: ZERO,
      status: 'NEW',
      updatedAt: this.#now,
    };
    this.#orders.set(exchangeOrderId, order);
    byId.set(request.clientOrderId, order);
    this.#emitOrder(order, undefined);
    if (trigger !== undefined) {
      state.triggers.add(order);
    } else if (crosses) {
      // A taker takes its whole quantity at the market price (the sim has no book depth).
      this.#execute(state, order, remainingOf(order), state.price, false);
      if (isOpen(order)) this.#close(order, 'EXPIRED');
    } else {
      state.book.add(order);
    }
    return reportOf(order);
  }

  cancelOrder(
    accountId: string,
    symbol: string,
    id: { clientOrderId?: string | undefined; exchangeOrderId?: string | undefined },
  ): OrderReport {
    const order = this.findOrder(accountId, symbol, id);
    if (order === undefined || !isOpen(order)) {
      throw new UnknownOrderError(
        `no open order ${id.clientOrderId ?? id.exchangeOrderId ?? '(no id)'} on ${symbol}`,
        this.venue,
      );
    }
    this.#close(order, 'CANCELED');
    return reportOf(order);
  }

  /**
   * Binance's order amendment: a new price and total quantity for an open limit order, which keeps
   * its ids and goes to the back of its new price level; a post-only one that would cross is refused,
   * another executes what crosses as a taker. On refusal the order is unchanged.
   */
  amendOrder(
    accountId: string,
    symbol: string,
    id: { clientOrderId?: string | undefined; exchangeOrderId?: string | undefined },
    price: Decimal,
    quantity: Decimal,
  ): OrderReport {
    const order = this.findOrder(accountId, symbol, id);
    if (order === undefined || !isOpen(order))
      throw new UnknownOrderError(
        `no open order ${id.clientOrderId ?? id.exchangeOrderId ?? '(no id)'} on ${symbol}`,
        this.venue,
      );
    if (order.type !== 'LIMIT') throw new InvalidOrderError('only limit orders can be amended', this.venue);
    const state = this.#symbol(symbol);
    validateOrder(state.market, { ...order, price, quantity }, state.price, this.venue);
    if (quantity.lte(order.filled))
      throw new InvalidOrderError(
        `quantity ${quantity.toFixed()} is not above the filled ${order.filled.toFixed()}`,
        this.venue,
      );
    const crosses = order.side === 'BUY' ? price.gte(state.price) : price.lte(state.price);
    if (order.postOnly && crosses)
      throw new PostOnlyWouldCrossError(
        `post-only ${order.side} amended to ${price.toFixed()} would cross the market at ${state.price.toFixed()}`,
        this.venue,
      );
    const account = this.#account(accountId);
    const reserve = (atPrice: Decimal, amount: Decimal) =>
      account.reserve(
        order.exchangeOrderId,
        state.market,
        order.side,
        amount,
        atPrice,
        this.#marks(),
        order.reduceOnly,
      );
    account.releaseAll(order.exchangeOrderId);
    try {
      reserve(crosses ? state.price : price, quantity.minus(order.filled));
    } catch (error) {
      reserve(order.price as Decimal, remainingOf(order));
      throw error;
    }
    state.book.remove(order);
    order.price = price;
    order.quantity = quantity;
    order.updatedAt = this.#now;
    this.#emitOrder(order, undefined);
    if (crosses) {
      this.#execute(state, order, remainingOf(order), state.price, false);
      if (isOpen(order)) this.#close(order, 'EXPIRED');
    } else {
      state.book.add(order);
    }
    return reportOf(order);
  }

  /** Cancels the account's resting orders of `symbol`, or its conditional ones still waiting. */
  cancelAllOrders(accountId: string, symbol: string, which: 'resting' | 'conditional' = 'resting'): OrderReport[] {
    const state = this.#symbol(symbol);
    const mine = (which === 'resting' ? state.book : state.triggers)
      .orders()
      .filter((order) => order.accountId === accountId);
    for (const order of mine) this.#close(order, 'CANCELED');
    return mine.map(reportOf);
  }

  /** The order (open or closed) by client or exchange order id; undefined when never seen. */
  findOrder(
    accountId: string,
    symbol: string,
    id: { clientOrderId?: string | undefined; exchangeOrderId?: string | undefined },
  ): SimOrder | undefined {
    this.#account(accountId);
    const order =
      id.clientOrderId !== undefined
        ? this.#byClientId.get(accountId)?.get(id.clientOrderId)
        : this.#orders.get(id.exchangeOrderId ?? '');
    return order !== undefined && order.accountId === accountId && order.symbol === symbol ? order : undefined;
  }

  getOrder(accountId: string, symbol: string, clientOrderId: string): OrderReport | undefined {
    const order = this.findOrder(accountId, symbol, { clientOrderId });
    return order === undefined ? undefined : reportOf(order);
  }

  openOrders(accountId: string, symbol?: string): OrderReport[] {
    this.#account(accountId);
    const states = symbol === undefined ? [...this.#symbols.values()] : [this.#symbol(symbol)];
    return states.flatMap((state) =>
      this.#waitingOrders(state)
        .filter((order) => order.accountId === accountId)
        .map(reportOf),
    );
  }

  /** Every order of the account on `symbol` (open and ended, conditional ones too), oldest first. */
  orderHistory(accountId: string, symbol: string): readonly SimOrder[] {
    this.#account(accountId);
    this.#symbol(symbol);
    return [...this.#orders.values()].filter((order) => order.accountId === accountId && order.symbol === symbol);
  }

  /** The resting limit orders of every account on `symbol` (what makes the book a client sees). */
  restingOrders(symbol: string): readonly SimOrder[] {
    return this.#symbol(symbol).book.orders();
  }

  #waitingOrders(state: SymbolState): SimOrder[] {
    return [...state.book.orders(), ...state.triggers.orders()].sort(
      (a, b) => Number(a.exchangeOrderId) - Number(b.exchangeOrderId),
    );
  }

  /** Fills of `symbol` with trade id > `afterTradeId` (all when undefined), oldest first, at most `limit`. */
  fillsAfter(accountId: string, symbol: string, afterTradeId: number | undefined, limit: number): Fill[] {
    this.#symbol(symbol);
    this.#account(accountId);
    return this.#fills.after(accountId, symbol, afterTradeId, limit);
  }

  positions(accountId: string, symbols?: readonly string[]): Position[] {
    const markets = (symbols ?? [...this.#symbols.keys()]).map((symbol) => this.#symbol(symbol).market);
    return this.#account(accountId).positions(markets, this.#marks());
  }

  balances(accountId: string): Balance[] {
    const marginAssets = new Set(
      this.markets()
        .filter((market) => market.type === 'future')
        .map((market) => market.quote),
    );
    return this.#account(accountId).balances(this.#marks(), marginAssets);
  }

  setLeverage(accountId: string, symbol: string, leverage: number): void {
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125)
      throw new InvalidOrderError(`leverage ${leverage} is outside 1..125`, this.venue);
    if (this.#symbol(symbol).market.type !== 'future')
      throw new InvalidOrderError('leverage applies to futures only', this.venue);
    this.#account(accountId).setLeverage(symbol, leverage);
  }

  leverage(accountId: string, symbol: string): number {
    return this.#account(accountId).leverage(symbol);
  }

  #move(state: SymbolState, price: Decimal): void {
    state.price = price;
    this.#markCache = undefined;
    const tick = { symbol: state.market.symbol, price, time: this.#now };
    for (const listener of this.#listeners) listener.onPrice?.(tick);
    for (const order of state.triggers.takeFiredBy(price)) this.#fire(state, order);
    let volume = ZERO;
    for (const order of state.book.crossedBy(price)) {
      if (!isOpen(order)) continue;
      const quantity =
        this.#liquidityPerTick === undefined
          ? remainingOf(order)
          : minDecimal(remainingOf(order), this.#liquidityPerTick);
      volume = volume.plus(this.#execute(state, order, quantity, order.price as Decimal, true));
    }
    for (const builder of state.candles.values()) {
      for (const candle of builder.update(price, volume, this.#now)) {
        for (const listener of this.#listeners) listener.onCandle?.(candle);
      }
    }
  }

  /** Fills `quantity` of `order` at `price`; returns the quantity actually filled. */
  #execute(state: SymbolState, order: SimOrder, wanted: Decimal, price: Decimal, isMaker: boolean): Decimal {
    const account = this.#account(order.accountId);
    // A reduce-only order never flips the position: what is left beyond the position expires.
    const quantity = order.reduceOnly
      ? minDecimal(wanted, account.reducibleQuantity(order.symbol, order.side))
      : wanted;
    if (quantity.isZero()) {
      this.#close(order, 'EXPIRED');
      return ZERO;
    }
    const fee = price.mul(quantity).mul(isMaker ? account.fees.maker : account.fees.taker);
    account.release(order.exchangeOrderId, quantity);
    account.applyFill(state.market, order.side, quantity, price, fee);
    order.filled = order.filled.plus(quantity);
    order.filledNotional = order.filledNotional.plus(price.mul(quantity));
    order.status = order.filled.eq(order.quantity) ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updatedAt = this.#now;
    const fill: Fill = {
      exchange: this.venue,
      account: order.accountId,
      tradeId: String(this.#nextTradeId),
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      exchangeOrderId: order.exchangeOrderId,
      side: order.side,
      price,
      quantity,
      fee,
      feeAsset: state.market.quote,
      isMaker,
      time: this.#now,
    };
    this.#nextTradeId += 1;
    if (this.#keepHistory) this.#fills.record(fill);
    if (order.status === 'FILLED') this.#onEnded(order);
    this.#emitOrder(order, fill);
    // The position is now closed for this reduce-only order: its remainder can never fill.
    if (quantity.lt(wanted) && isOpen(order)) this.#close(order, 'EXPIRED');
    return quantity;
  }

  /** A conditional order whose trigger was reached executes as a taker; without the margin it expires. */
  #fire(state: SymbolState, order: SimOrder): void {
    try {
      this.#account(order.accountId).reserve(
        order.exchangeOrderId,
        state.market,
        order.side,
        order.quantity,
        state.price,
        this.#marks(),
        order.reduceOnly,
      );
    } catch {
      this.#close(order, 'EXPIRED');
      return;
    }
    this.#execute(state, order, remainingOf(order), state.price, false);
    if (isOpen(order)) this.#close(order, 'EXPIRED');
  }

  #close(order: SimOrder, status: 'CANCELED' | 'EXPIRED'): void {
    order.status = status;
    order.updatedAt = this.#now;
    this.#account(order.accountId).releaseAll(order.exchangeOrderId);
    this.#onEnded(order);
    this.#emitOrder(order, undefined);
  }

  /** An order ended: off the book; without history, forgotten at the next step. */
  #onEnded(order: SimOrder): void {
    this.#removeFromBook(order);
    if (!this.#keepHistory) this.#endedSinceStep.push(order);
  }

  /**
   * Kept until the next step, not dropped at once: within a tick the grid may still cancel or look
   * up an order whose ending is queued behind the event it is handling, and must get its report.
   */
  #forgetEnded(): void {
    for (const order of this.#endedSinceStep) {
      this.#orders.delete(order.exchangeOrderId);
      const byId = this.#byClientId.get(order.accountId) as Map<string, SimOrder>;
      // Under the `open` id scope a later order may already use the same client order id.
      if (byId.get(order.clientOrderId) === order) byId.delete(order.clientOrderId);
    }
    this.#endedSinceStep = [];
  }

  #removeFromBook(order: SimOrder): void {
    const state = this.#symbol(order.symbol);
    state.book.remove(order);
    state.triggers.remove(order);
  }

  #emitOrder(order: SimOrder, fill: Fill | undefined): void {
    if (this.#listeners.size === 0) return;
    const report = reportOf(order);
    for (const listener of this.#listeners) listener.onExecution?.(order.accountId, report, fill);
  }

  /** Every symbol's price; built again only after a price moved (margin checks read it per order). */
  #marks(): ReadonlyMap<string, Decimal> {
    this.#markCache ??= new Map([...this.#symbols].map(([symbol, state]) => [symbol, state.price]));
    return this.#markCache;
  }

  #symbol(symbol: string): SymbolState {
    const state = this.#symbols.get(symbol);
    if (state === undefined) throw new UnknownSymbolError(`unknown symbol ${symbol}`, this.venue);
    return state;
  }

  #account(accountId: string): SimAccount {
    const account = this.#accounts.get(accountId);
    // An account the venue does not know is an authentication failure, as with a wrong API key.
    if (account === undefined) throw new AuthenticationError(`unknown account ${accountId}`, this.venue);
    return account;
  }
}
