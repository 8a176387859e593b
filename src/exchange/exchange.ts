/**
 * The Exchange port: everything QuantMesh asks of a venue. Adapters (in-process sim, ccxt) normalise
 * statuses to `VenueOrderStatus` and raise only the typed errors of `./errors.ts`.
 *
 * Contract shared by every method:
 * - amounts are exact decimals, times epoch milliseconds UTC;
 * - a method that changes state at the venue either resolves (accepted), throws a definitive error
 *   (`kind` retryable / non-retryable / fatal: it did not take effect), or throws
 *   NetworkUnknownOutcomeError, after which the caller must call `getOrder` by client order id;
 * - an aborted `signal` ends the wait; for state-changing calls that outcome is unknown.
 */
import type { Decimal } from '../domain/decimal.js';
import type { Fill } from '../domain/fill.js';
import type { Balance, Candle, Market, Position, PriceTick } from '../domain/market.js';
import type { Order, OrderSide, OrderType, VenueOrderStatus } from '../domain/order.js';

export interface PlaceOrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Required for LIMIT; must be on the tick grid. */
  readonly price?: Decimal | undefined;
  /** Must be on the step grid and ≥ the market's minimum quantity and notional. */
  readonly quantity: Decimal;
  /** Rejected with PostOnlyWouldCrossError instead of taking liquidity. */
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  /** Unique per account among open orders; the venue refuses a duplicate (DuplicateClientOrderIdError). */
  readonly clientOrderId: string;
}

/** The venue's view of one order. */
export interface OrderReport extends Pick<
  Order,
  | 'symbol'
  | 'clientOrderId'
  | 'side'
  | 'type'
  | 'price'
  | 'quantity'
  | 'filledQuantity'
  | 'averagePrice'
  | 'postOnly'
  | 'reduceOnly'
  | 'updatedAt'
> {
  /** The venue always names its orders. */
  readonly exchangeOrderId: string;
  /** Only the statuses a venue reports; the local pending ones never come from a venue. */
  readonly status: VenueOrderStatus;
}

/** Outcome of one entry of a batch: the report, or the typed error for that entry alone. */
export type BatchPlaceResult =
  | { readonly ok: true; readonly order: OrderReport }
  | { readonly ok: false; readonly clientOrderId: string; readonly error: Error };

/** A page of fills after a cursor. `cursor` is opaque; pass it back to get the fills after this page. */
export interface FillPage {
  readonly fills: readonly Fill[];
  readonly cursor: string | undefined;
  /** True when more fills are already available after `cursor`. */
  readonly hasMore: boolean;
}

export type ExecutionEvent =
  { readonly type: 'order'; readonly order: OrderReport } | { readonly type: 'fill'; readonly fill: Fill };

/** A live subscription. Streams reconnect and resubscribe by themselves; `close` ends them for good. */
export interface StreamHandle {
  close(): Promise<void>;
}

export interface StreamListeners<T> {
  readonly onData: (value: T) => void;
  /** A reconnect happened: events may have been missed, so callers reconcile through REST. */
  readonly onReconnect?: () => void;
  /** A stream-level problem that did not stop the stream (malformed message, reconnect attempt). */
  readonly onError?: (error: Error) => void;
}

export interface ExchangeCapabilities {
  readonly batchPlace: boolean;
  readonly positions: boolean;
  readonly leverage: boolean;
  /** Maximum client order id length and the characters allowed. */
  readonly clientOrderIdMaxLength: number;
  readonly clientOrderIdPattern: RegExp;
  /**
   * How long after it was sent a request may still take effect at the venue (a signed request's
   * recvWindow, or the client's timeout, plus transit and clock offset); 0 when a request takes
   * effect before its call settles or never (an in-process venue). Until then a venue answering
   * that it does not hold an id is no proof that the id's order will not appear.
   */
  readonly requestValidityMs: number;
}

/** The account's API credentials as configured (secrets: never logged nor echoed). */
export interface VenueCredentials {
  readonly apiKey?: string | undefined;
  readonly apiSecret?: string | undefined;
  /** Passphrase (OKX, Bitget). */
  readonly password?: string | undefined;
}

export interface Exchange {
  /** Venue name as configured (`binance`, `sim`, ...). */
  readonly name: string;
  /** Account identity used to keep fill ids unique per account (never a secret). */
  readonly account: string;
  readonly capabilities: ExchangeCapabilities;

  /** Loads market metadata; idempotent. Throws UnknownSymbolError for a symbol the venue lacks. */
  market(symbol: string, signal?: AbortSignal): Promise<Market>;

  placeOrder(request: PlaceOrderRequest, signal?: AbortSignal): Promise<OrderReport>;
  /** Places several orders; each entry succeeds or fails on its own. */
  placeOrders(requests: readonly PlaceOrderRequest[], signal?: AbortSignal): Promise<readonly BatchPlaceResult[]>;

  /** Cancels by client order id (preferred) or exchange order id. UnknownOrderError when it is not open. */
  cancelOrder(
    symbol: string,
    id: { clientOrderId?: string; exchangeOrderId?: string },
    signal?: AbortSignal,
  ): Promise<OrderReport>;
  /** Cancels every open order of `symbol`; returns how many were cancelled. */
  cancelAllOrders(symbol: string, signal?: AbortSignal): Promise<number>;

  /** Looks an order up by client order id (open or recently closed); undefined when the venue never saw it. */
  getOrder(symbol: string, clientOrderId: string, signal?: AbortSignal): Promise<OrderReport | undefined>;
  openOrders(symbol: string, signal?: AbortSignal): Promise<readonly OrderReport[]>;

  /**
   * Fills of `symbol` strictly after `cursor` (from the beginning of the retained history when
   * undefined), oldest first, at most `limit`. Each fill appears on exactly one page for a given
   * cursor chain: the basis of exactly-once recovery (Invariant 2).
   */
  fillsSince(symbol: string, cursor: string | undefined, limit?: number, signal?: AbortSignal): Promise<FillPage>;

  positions(symbols?: readonly string[], signal?: AbortSignal): Promise<readonly Position[]>;
  balances(signal?: AbortSignal): Promise<readonly Balance[]>;
  setLeverage(symbol: string, leverage: number, signal?: AbortSignal): Promise<void>;

  streamPrices(symbols: readonly string[], listeners: StreamListeners<PriceTick>): Promise<StreamHandle>;
  streamCandles(
    symbols: readonly string[],
    interval: string,
    listeners: StreamListeners<Candle>,
  ): Promise<StreamHandle>;
  /** Order updates and fills of this account, all symbols. */
  streamExecutions(listeners: StreamListeners<ExecutionEvent>): Promise<StreamHandle>;

  /**
   * Signs every later request and stream subscription with these credentials (an operator fixed a
   * refused key through the configuration centre); `account` follows the new key, as a restart with
   * it would. Venues that take no keys (the embedded sim, paper trading) ignore it.
   */
  changeCredentials(credentials: VenueCredentials): void;

  /** Closes connections and streams; idempotent. */
  close(): Promise<void>;
}
