/**
 * `PaperExchange`: paper trading on a real venue. Market data (markets with their filters, live
 * prices) comes from the venue through a keyless ccxt client; orders never reach it: they are
 * matched locally by the sim matching engine on the venue's live prices, with the configured fees,
 * and the venue's tick, step, minimum quantity and minimum notional enforced. A resting order fills
 * when a live price crosses it (at its limit, as maker); a crossing order takes the live price (taker).
 *
 * The engine is built on first use (the venue's markets are only known once loaded) and waits for a
 * first live price of every symbol, so no order meets a placeholder price. With `journalPath` it is
 * durable like the embedded sim (JournaledSimEngine): a restart finds the same paper account.
 */
import { dec } from '../../domain/decimal.js';
import type { Balance, Candle, Market, Position, PriceTick } from '../../domain/market.js';
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
import { JournaledSimEngine } from '../sim/journaled-sim-engine.js';
import { SIM_CAPABILITIES, SimExchange } from '../sim/sim-exchange.js';
import { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import type { FeeRates } from '../sim/sim-account.js';
import type { SimSymbolSettings } from '../sim/sim-settings.js';

export interface PaperExchangeOptions {
  readonly name: string;
  /** The real venue's public side: a ccxt exchange without keys. */
  readonly venue: Exchange;
  /** The symbols to paper trade (the venue's ids). */
  readonly symbols: readonly string[];
  readonly balances: Readonly<Record<string, string>>;
  readonly fees: FeeRates;
  readonly journalPath?: string | undefined;
}

const PAPER_ACCOUNT = 'paper';

export class PaperExchange implements Exchange {
  readonly name: string;
  readonly capabilities: ExchangeCapabilities;
  readonly #options: PaperExchangeOptions;
  #sim: Promise<{ exchange: SimExchange; feed: StreamHandle }> | undefined;
  #account = PAPER_ACCOUNT;

  constructor(options: PaperExchangeOptions) {
    this.name = options.name;
    this.#options = options;
    // What the paper venue can do is the sim's, within the real venue's client order id rules.
    const real = options.venue.capabilities;
    this.capabilities = {
      ...SIM_CAPABILITIES,
      positions: real.positions,
      leverage: real.leverage,
      clientOrderIdMaxLength: real.clientOrderIdMaxLength,
      clientOrderIdPattern: real.clientOrderIdPattern,
    };
  }

  /** The paper account (a journaled one keeps the id it was started with). */
  get account(): string {
    return this.#account;
  }

  async market(symbol: string, signal?: AbortSignal): Promise<Market> {
    return (await this.#ready()).market(symbol, signal);
  }

  async placeOrder(request: PlaceOrderRequest, signal?: AbortSignal): Promise<OrderReport> {
    return (await this.#ready()).placeOrder(request, signal);
  }

  async placeOrders(
    requests: readonly PlaceOrderRequest[],
    signal?: AbortSignal,
  ): Promise<readonly BatchPlaceResult[]> {
    return (await this.#ready()).placeOrders(requests, signal);
  }

  async cancelOrder(
    symbol: string,
    id: { clientOrderId?: string; exchangeOrderId?: string },
    signal?: AbortSignal,
  ): Promise<OrderReport> {
    return (await this.#ready()).cancelOrder(symbol, id, signal);
  }

  async cancelAllOrders(symbol: string, signal?: AbortSignal): Promise<number> {
    return (await this.#ready()).cancelAllOrders(symbol, signal);
  }

  async getOrder(symbol: string, clientOrderId: string, signal?: AbortSignal): Promise<OrderReport | undefined> {
    return (await this.#ready()).getOrder(symbol, clientOrderId, signal);
  }

  async openOrders(symbol: string, signal?: AbortSignal): Promise<readonly OrderReport[]> {
    return (await this.#ready()).openOrders(symbol, signal);
  }

  async fillsSince(
    symbol: string,
    cursor: string | undefined,
    limit?: number,
    signal?: AbortSignal,
  ): Promise<FillPage> {
    return (await this.#ready()).fillsSince(symbol, cursor, limit, signal);
  }

  async positions(symbols?: readonly string[], signal?: AbortSignal): Promise<readonly Position[]> {
    return (await this.#ready()).positions(symbols, signal);
  }

  async balances(signal?: AbortSignal): Promise<readonly Balance[]> {
    return (await this.#ready()).balances(signal);
  }

  async setLeverage(symbol: string, leverage: number, signal?: AbortSignal): Promise<void> {
    return (await this.#ready()).setLeverage(symbol, leverage, signal);
  }

  async streamPrices(symbols: readonly string[], listeners: StreamListeners<PriceTick>): Promise<StreamHandle> {
    return (await this.#ready()).streamPrices(symbols, listeners);
  }

  async streamCandles(
    symbols: readonly string[],
    interval: string,
    listeners: StreamListeners<Candle>,
  ): Promise<StreamHandle> {
    return (await this.#ready()).streamCandles(symbols, interval, listeners);
  }

  async streamExecutions(listeners: StreamListeners<ExecutionEvent>): Promise<StreamHandle> {
    return (await this.#ready()).streamExecutions(listeners);
  }

  /** Paper trading sends no keys: the venue's public data only. */
  changeCredentials(): void {}

  async close(): Promise<void> {
    const sim = await this.#sim?.catch(() => undefined);
    await sim?.feed.close();
    await sim?.exchange.close();
    await this.#options.venue.close();
  }

  #ready(): Promise<SimExchange> {
    this.#sim ??= this.#open();
    // A failed start (venue unreachable) is tried again by the next call.
    this.#sim.catch(() => {
      this.#sim = undefined;
    });
    return this.#sim.then((sim) => sim.exchange);
  }

  async #open(): Promise<{ exchange: SimExchange; feed: StreamHandle }> {
    const { venue, symbols, name } = this.#options;
    const markets = await Promise.all(symbols.map((symbol) => venue.market(symbol)));
    // The random walk never runs (nothing steps the engine): every price is the venue's. The start
    // price is a placeholder the first live price replaces before any order is accepted.
    const settings = {
      venue: name,
      seed: 0,
      fees: this.#options.fees,
      symbols: markets.map((market): SimSymbolSettings => ({ ...market, initialPrice: market.tickSize })),
    };
    const balances = Object.fromEntries(
      Object.entries(this.#options.balances).map(([asset, amount]) => [asset, dec(amount)]),
    );
    const now = Date.now();
    const journaled =
      this.#options.journalPath === undefined
        ? undefined
        : JournaledSimEngine.open({
            settings,
            balances,
            openingPositions: undefined,
            freshAccount: PAPER_ACCOUNT,
            now,
            journalPath: this.#options.journalPath,
          });
    const engine =
      journaled ?? new SimMatchingEngine({ ...settings, startTime: now, accounts: [{ id: PAPER_ACCOUNT, balances }] });
    this.#account = journaled?.account ?? PAPER_ACCOUNT;
    const priced = new Set<string>();
    let allPriced: () => void = () => undefined;
    const firstPrices = new Promise<void>((resolve) => {
      allPriced = resolve;
    });
    const feed = await venue.streamPrices(symbols, {
      onData: (tick) => {
        if (!symbols.includes(tick.symbol)) return;
        engine.resumeAt(tick.time);
        engine.setPrice(tick.symbol, tick.price);
        priced.add(tick.symbol);
        if (priced.size === symbols.length) allPriced();
      },
    });
    await firstPrices;
    return { exchange: new SimExchange(engine, { account: this.#account, name }), feed };
  }
}
