/**
 * What the Database port stores, beside the domain's Order, Fill and Trade. Amounts are exact
 * decimals; times are epoch milliseconds UTC; fencing tokens are bigints (stored as BIGINT).
 */
import type { Decimal } from '../domain/decimal.js';
import type { Order, OrderSide, OrderStatus } from '../domain/order.js';

/** A symbol's grid: the anchor is fixed at creation and never changes (grid-strategy.md). */
export interface GridRecord {
  readonly exchange: string;
  readonly symbol: string;
  readonly anchor: Decimal;
  readonly interval: Decimal;
  readonly paused: boolean;
  readonly pausedReason?: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One lattice level's persisted state. */
export interface SlotRecord {
  readonly exchange: string;
  readonly symbol: string;
  readonly level: number;
  /** The slot's order generation: advances when a round trip completes and when an order ends unfilled, so every intent has its own client order id (see grid-state.ts). */
  readonly cycle: number;
  /** Base quantity held by the slot (0 when EMPTY). */
  readonly positionQuantity: Decimal;
  /** Real average entry price of `positionQuantity` (0 when EMPTY). */
  readonly entryPrice: Decimal;
  /** Buy fees (quote) paid for the position still held, carried into the trade's fees. */
  readonly entryFees: Decimal;
  /** Post-only rejections in a row; at 3 the slot's orders go out as plain GTC limits. */
  readonly postOnlyRejections: number;
  readonly updatedAt: number;
}

/**
 * An order intent: written (fenced) before the order is sent, so an intent is sent at most once
 * across all instances (Invariant 1, database layer). Unique per (exchange, symbol, level, cycle,
 * side) and per (exchange, clientOrderId).
 */
export interface OrderIntent {
  readonly exchange: string;
  readonly symbol: string;
  readonly level: number;
  readonly cycle: number;
  readonly side: OrderSide;
  readonly clientOrderId: string;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** The lock key whose token fences this intent (the symbol or level key of R3). */
  readonly fenceKey: string;
  readonly fencingToken: bigint;
  /**
   * The symbol's ownership lease (R1) the intent is fenced by as well, checked in the same
   * transaction and not stored: an owner that lost the symbol (paused past its lease) is refused
   * even while it holds a fresh per-order lock. Absent where nothing owns symbols (tests, tools).
   */
  readonly ownershipFence?: { readonly fenceKey: string; readonly fencingToken: bigint } | undefined;
  readonly instanceId: string;
  readonly createdAt: number;
}

/** An order as stored: the domain Order plus where it sits on the grid (absent for foreign orders). */
export interface OrderRecord extends Order {
  readonly level?: number | undefined;
  readonly cycle?: number | undefined;
}

/** One entry of an order's state history (appended when the status or filled quantity changes). */
export interface OrderStateChange {
  readonly exchange: string;
  readonly clientOrderId: string;
  readonly status: OrderStatus;
  readonly filledQuantity: Decimal;
  readonly time: number;
}

export type EventType =
  | 'ownership.acquired'
  | 'ownership.released'
  | 'ownership.lost'
  | 'risk.triggered'
  | 'risk.recovered'
  | 'reconciliation'
  | 'grid.paused'
  | 'grid.resumed'
  | 'order.unknown'
  | 'instance.started'
  | 'instance.stopped'
  | 'operator.action';

/** Something an operator should be able to look back on. */
export interface EventRecord {
  readonly time: number;
  readonly type: EventType;
  readonly instanceId: string;
  readonly exchange?: string | undefined;
  readonly symbol?: string | undefined;
  /** JSON-serialisable details (never secrets). */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Where fill recovery resumes for (exchange, account, symbol). */
export interface FillCursorRecord {
  readonly exchange: string;
  readonly account: string;
  readonly symbol: string;
  readonly cursor: string;
  readonly updatedAt: number;
}

/** Per symbol and UTC day, computed by the database server. */
export interface DailyStatistics {
  readonly exchange: string;
  readonly symbol: string;
  /** UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
  /** Quote volume of the trades' sells (quantity × sell price). */
  readonly volume: Decimal;
  readonly tradeCount: number;
  /** Winning trades / tradeCount, in [0, 1]; 0 when there are no trades. */
  readonly winRate: Decimal;
}

export interface Statistics {
  readonly days: readonly DailyStatistics[];
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
  readonly volume: Decimal;
  readonly tradeCount: number;
  readonly winRate: Decimal;
}

export interface Page {
  /** At most this many rows (adapters cap it). */
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
}

export interface TimeRange {
  /** Inclusive, epoch ms. */
  readonly from?: number | undefined;
  /** Exclusive, epoch ms. */
  readonly to?: number | undefined;
}

export interface TradeFilter extends Page, TimeRange {
  readonly exchange?: string | undefined;
  readonly symbol?: string | undefined;
}

export interface OrderFilter extends Page, TimeRange {
  readonly exchange?: string | undefined;
  readonly symbol?: string | undefined;
  readonly status?: readonly OrderStatus[] | undefined;
  readonly clientOrderId?: string | undefined;
}

export interface FillFilter extends Page, TimeRange {
  readonly exchange?: string | undefined;
  readonly account?: string | undefined;
  readonly symbol?: string | undefined;
  readonly clientOrderId?: string | undefined;
  readonly tradeId?: string | undefined;
}

export interface StatisticsFilter extends TimeRange {
  readonly exchange?: string | undefined;
  readonly symbol?: string | undefined;
}

export interface EventFilter extends Page, TimeRange {
  readonly type?: EventType | undefined;
  readonly exchange?: string | undefined;
  readonly symbol?: string | undefined;
}

export interface IntentFilter extends Page {
  readonly exchange?: string | undefined;
  readonly symbol?: string | undefined;
  readonly clientOrderId?: string | undefined;
}

/**
 * What an instance last reported of itself (the instance registry): overwritten at each heartbeat.
 * `snapshot` is JSON-serialisable and never holds secrets; its shape is the reporter's (server/).
 */
export interface InstanceRecord {
  readonly instanceId: string;
  /** When the snapshot was written, epoch ms. */
  readonly heartbeatAt: number;
  readonly snapshot: Readonly<Record<string, unknown>>;
}
