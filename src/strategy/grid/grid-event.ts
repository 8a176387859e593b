/**
 * Inputs of the grid state machine, past tense (style rule 3). Each carries `time` (epoch ms, venue
 * or engine clock): the state machine reads no clock, so replaying the same events reproduces the
 * same states and commands.
 */
import type { Decimal } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { Order, VenueOrderStatus } from '../../domain/order.js';
import type { GridSettings } from './grid-settings.js';

/**
 * The venue's view of one order: the fields of the Exchange port's OrderReport that the grid reads
 * (an OrderReport is assignable to it; the pure core may not import the exchange port).
 */
export type VenueOrder = Pick<
  Order,
  'clientOrderId' | 'side' | 'type' | 'price' | 'quantity' | 'filledQuantity' | 'postOnly' | 'reduceOnly'
> & {
  readonly exchangeOrderId: string;
  readonly status: VenueOrderStatus;
};

/** Why the venue refused an order, sorted by what the grid does next. */
/** Why an order did not rest at the venue; `not-sent`: the engine never sent it (its runner stopped first), no intent recorded. */
export type RejectReason =
  | 'post-only-would-cross'
  | 'insufficient-margin'
  | 'reduce-only'
  | 'duplicate-client-id'
  | 'invalid'
  | 'not-sent'
  /** Refused by the account's request budget or the venue's 429/418: nothing rests, room again at `retryAt`. */
  | 'rate-limited'
  | 'other';

export type GridEvent =
  | { readonly type: 'PriceUpdated'; readonly time: number; readonly price: Decimal }
  | {
      readonly type: 'OrderAccepted';
      readonly time: number;
      readonly clientOrderId: string;
      readonly exchangeOrderId: string;
    }
  | {
      readonly type: 'OrderRejected';
      readonly time: number;
      readonly clientOrderId: string;
      readonly reason: RejectReason;
      /** For `rate-limited`: when the budget or the venue has room again (epoch ms). */
      readonly retryAt?: number | undefined;
    }
  /** One fill, partial or completing the order: the order's status follows from the applied quantity. */
  | { readonly type: 'OrderFilled'; readonly time: number; readonly fill: Fill }
  /** Canceled at the venue; `filledQuantity` is the venue's cumulative filled quantity of the order. */
  | {
      readonly type: 'OrderCanceled';
      readonly time: number;
      readonly clientOrderId: string;
      readonly filledQuantity: Decimal;
    }
  | {
      readonly type: 'OrderExpired';
      readonly time: number;
      readonly clientOrderId: string;
      readonly filledQuantity: Decimal;
    }
  /** The venue's view of one order (stream update, lookup or reconciliation): adopt or repair. */
  | { readonly type: 'OrderReported'; readonly time: number; readonly order: VenueOrder }
  /** Every open order of the symbol at the venue (start, takeover, periodic reconciliation). */
  | { readonly type: 'OpenOrdersReported'; readonly time: number; readonly orders: readonly VenueOrder[] }
  /** A place request whose outcome was unknown has been looked up; `order` undefined = never reached the venue. */
  | {
      readonly type: 'UnknownOutcomeResolved';
      readonly time: number;
      readonly clientOrderId: string;
      readonly order: VenueOrder | undefined;
    }
  /**
   * A place request was sent and its outcome is still unknown after the engine's lookups. A slot's
   * order already blocks its slot until reconciliation; a close is looked up again after a backoff.
   */
  | { readonly type: 'OrderOutcomeUnknown'; readonly time: number; readonly clientOrderId: string }
  /** An operator paused the symbol: no new orders until OperatorResumed (reason `operator`). */
  | { readonly type: 'OperatorPaused'; readonly time: number; readonly message: string }
  | { readonly type: 'OperatorResumed'; readonly time: number }
  /** The runner is stopping the symbol: no new orders; cancel (cancel_on_exit) and close (close_positions_on_exit). */
  | {
      readonly type: 'StopRequested';
      readonly time: number;
      readonly cancelOrders: boolean;
      readonly closePositions: boolean;
    }
  | { readonly type: 'MarketPanicChanged'; readonly time: number; readonly panic: boolean }
  /** The engine can (held false) or cannot (held true) record order intents: placements wait while held. */
  | { readonly type: 'PlacementsHeldChanged'; readonly time: number; readonly held: boolean }
  /** The wait a `rate-limited` rejection asked for is over (the engine's timer at `rateLimitedUntil`). */
  | { readonly type: 'RateLimitWaitEnded'; readonly time: number }
  | {
      readonly type: 'AccountChecked';
      readonly time: number;
      readonly availableBalance: Decimal;
      readonly leverage: number;
    }
  /** The venue's position of the symbol (signed base quantity), read by reconciliation while no fill happened (Invariant 3). */
  | { readonly type: 'VenuePositionReported'; readonly time: number; readonly quantity: Decimal }
  /** New settings for the running grid (configuration centre, R7); `price_interval` must stay (it fixes the lattice). */
  | { readonly type: 'SettingsChanged'; readonly time: number; readonly settings: GridSettings };
