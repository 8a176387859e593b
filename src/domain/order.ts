/**
 * Orders and their state machine (style rule 9, after NautilusTrader's `OrderStatus::transition`).
 *
 * Venue statuses are normalised by the exchange adapters to `NEW`, `PARTIALLY_FILLED`, `FILLED`,
 * `CANCELED`, `REJECTED`, `EXPIRED`; `PENDING_NEW` and `PENDING_CANCEL` are local states while a
 * request is in flight. `transition` lists every allowed (status, event) pair; any other pair throws
 * InvalidOrderTransitionError.
 */
import type { Decimal } from './decimal.js';
import { InvalidOrderTransitionError } from './errors.js';

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'MARKET';

export const VENUE_ORDER_STATUSES = ['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'] as const;
export type VenueOrderStatus = (typeof VENUE_ORDER_STATUSES)[number];
export type OrderStatus = VenueOrderStatus | 'PENDING_NEW' | 'PENDING_CANCEL';

/** Statuses after which the order can never fill again. */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']);

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** True while the order may still rest or fill at the venue (counts against the slot's one order). */
export function isWorking(status: OrderStatus): boolean {
  return !isTerminal(status);
}

/** What happened to an order, past tense (style rule 3). */
export type OrderEvent =
  | 'Submitted' // request sent
  | 'Accepted' // venue acknowledged: resting
  | 'Rejected' // venue refused definitively
  | 'PartiallyFilled'
  | 'Filled'
  | 'CancelRequested'
  | 'CancelRejected' // cancel refused: the order is still live (or already gone: resolved by lookup)
  | 'Canceled'
  | 'Expired';

const ALLOWED: Readonly<Record<OrderStatus, Partial<Record<OrderEvent, OrderStatus>>>> = {
  PENDING_NEW: {
    Accepted: 'NEW',
    Rejected: 'REJECTED',
    // Venues may report a fill before (or instead of) the acknowledgement.
    PartiallyFilled: 'PARTIALLY_FILLED',
    Filled: 'FILLED',
    Canceled: 'CANCELED',
    Expired: 'EXPIRED',
    CancelRequested: 'PENDING_CANCEL',
  },
  NEW: {
    Accepted: 'NEW',
    PartiallyFilled: 'PARTIALLY_FILLED',
    Filled: 'FILLED',
    CancelRequested: 'PENDING_CANCEL',
    Canceled: 'CANCELED',
    Expired: 'EXPIRED',
  },
  PARTIALLY_FILLED: {
    PartiallyFilled: 'PARTIALLY_FILLED',
    Filled: 'FILLED',
    CancelRequested: 'PENDING_CANCEL',
    Canceled: 'CANCELED',
    Expired: 'EXPIRED',
  },
  PENDING_CANCEL: {
    Canceled: 'CANCELED',
    // A fill can race the cancel request: the venue matched before it saw the cancel.
    PartiallyFilled: 'PENDING_CANCEL',
    Filled: 'FILLED',
    CancelRejected: 'NEW',
    Expired: 'EXPIRED',
    Accepted: 'PENDING_CANCEL',
  },
  // A fill after a cancel is a real-world possibility: the fill report can arrive late. The order
  // stays CANCELED; the fill itself is still applied by the caller (fills are facts).
  CANCELED: { Canceled: 'CANCELED', PartiallyFilled: 'CANCELED', Filled: 'CANCELED' },
  FILLED: { Filled: 'FILLED', PartiallyFilled: 'FILLED' },
  REJECTED: { Rejected: 'REJECTED' },
  EXPIRED: { Expired: 'EXPIRED', PartiallyFilled: 'EXPIRED', Filled: 'EXPIRED' },
};

/** Next status for `event`, or InvalidOrderTransitionError. */
export function transition(from: OrderStatus, event: OrderEvent): OrderStatus {
  const next = ALLOWED[from][event];
  if (next === undefined) throw new InvalidOrderTransitionError(from, event);
  return next;
}

/** Maps a venue-reported status to the event that leads there. */
export function eventForVenueStatus(status: VenueOrderStatus): OrderEvent {
  switch (status) {
    case 'NEW':
      return 'Accepted';
    case 'PARTIALLY_FILLED':
      return 'PartiallyFilled';
    case 'FILLED':
      return 'Filled';
    case 'CANCELED':
      return 'Canceled';
    case 'REJECTED':
      return 'Rejected';
    case 'EXPIRED':
      return 'Expired';
  }
}

/** An order as QuantMesh knows it. All amounts are exact decimals; times are epoch milliseconds UTC. */
export interface Order {
  readonly exchange: string;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly exchangeOrderId?: string | undefined;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Limit price; absent for market orders. */
  readonly price?: Decimal | undefined;
  readonly quantity: Decimal;
  readonly filledQuantity: Decimal;
  /** Average price of the filled quantity, when any. */
  readonly averagePrice?: Decimal | undefined;
  readonly status: OrderStatus;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}
