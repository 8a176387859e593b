/**
 * Outputs of the grid state machine, imperative (style rule 3). The engine carries them out in
 * order through its ports; the grid never performs I/O.
 */
import type { Decimal } from '../../domain/decimal.js';
import type { OrderSide } from '../../domain/order.js';
import type { Trade } from '../../domain/trade.js';
import type { PauseReason } from './grid-state.js';

export type CancelReason = 'budget' | 'panic' | 'pause' | 'risk-close' | 'orphan' | 'stop';

/** Risk and reconciliation facts the engine records as EventRecords (types match storage's EventType). */
export type GridEventRecordType =
  'risk.triggered' | 'risk.recovered' | 'grid.paused' | 'grid.resumed' | 'order.unknown' | 'reconciliation';

export type GridCommand =
  /** Post a limit order; the slot already holds it as PENDING_NEW. Write the fenced intent first. */
  | {
      readonly type: 'PlaceOrder';
      readonly level: number;
      readonly cycle: number;
      readonly side: OrderSide;
      readonly price: Decimal;
      readonly quantity: Decimal;
      readonly postOnly: boolean;
      readonly reduceOnly: boolean;
      readonly clientOrderId: string;
    }
  /** Cancel an order; the slot holds it as PENDING_CANCEL until the venue answers. */
  | {
      readonly type: 'CancelOrder';
      readonly level: number;
      readonly clientOrderId: string;
      readonly reason: CancelReason;
    }
  /** The grid cannot account for this order: ask the venue (answer with OrderReported or UnknownOutcomeResolved). */
  | { readonly type: 'LookupOrder'; readonly clientOrderId: string }
  | { readonly type: 'PauseSymbol'; readonly reason: PauseReason; readonly message: string }
  /**
   * Close (part of) the grid position with a market sell, reduce-only on futures. Send it like a
   * PlaceOrder (fenced intent first); its outcome comes back as OrderReported / OrderCanceled /
   * OrderExpired, OrderRejected, UnknownOutcomeResolved (not sent) or OrderOutcomeUnknown, its fills
   * as OrderFilled.
   */
  | {
      readonly type: 'ClosePosition';
      readonly clientOrderId: string;
      /** The decision's time and the grid's close sequence number: what the id encodes, typed. */
      readonly decidedAt: number;
      readonly sequence: number;
      readonly quantity: Decimal;
      readonly reduceOnly: boolean;
    }
  | { readonly type: 'BookTrade'; readonly trade: Trade }
  /** Save the grid record (when `grid`) and the slot records (and slot orders) of `levels`. */
  | { readonly type: 'PersistState'; readonly grid: boolean; readonly levels: readonly number[] }
  | {
      readonly type: 'RecordEvent';
      readonly eventType: GridEventRecordType;
      readonly details: Readonly<Record<string, string | number | boolean>>;
    };
