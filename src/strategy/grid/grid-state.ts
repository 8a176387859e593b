/**
 * The state of one symbol's grid: immutable values, every transition returns a new object.
 *
 * Invariants kept by every transition of this folder (grid-strategy.md, architecture Invariant 1):
 * - a slot holds at most one order (`Slot.order`), and a slot with an order gets no new order
 *   until that order is fully accounted for (terminal at the venue and every reported fill applied);
 * - a `PENDING_NEW` or `PENDING_CANCEL` order blocks its slot like a working one (the outcome of the
 *   request is not known yet);
 * - the lattice, once created from the first price, never moves;
 * - prices and quantities are exact decimals, levels are integers.
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Lattice } from '../../domain/lattice.js';
import type { Market } from '../../domain/market.js';
import type { OrderSide, OrderStatus } from '../../domain/order.js';
import type { ClientOrderIdFormat } from './client-order-id.js';
import type { GridSettings } from './grid-settings.js';
import type { SlotMap } from './slot-map.js';

/** The one order of a slot, as the grid accounts for it. */
export interface SlotOrder {
  readonly clientOrderId: string;
  readonly exchangeOrderId?: string | undefined;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** Quantity of the fills applied to the slot's position so far. */
  readonly filledQuantity: Decimal;
  /**
   * Filled quantity the venue reported with a terminal status. While it exceeds `filledQuantity`
   * some fills are still in flight: the order stays in the slot and blocks it.
   */
  readonly venueFilledQuantity?: Decimal | undefined;
  readonly status: OrderStatus;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type SlotPosition = 'EMPTY' | 'FILLED';

export interface Slot {
  readonly level: number;
  /**
   * The slot's intent generation, part of each client order id of the slot: advances when the
   * position returns to zero (a completed buy→sell round) and when an order of the slot ends
   * without filling completely, so no intent (level, side, cycle) is ever placed twice.
   */
  readonly cycle: number;
  readonly position: SlotPosition;
  readonly positionQuantity: Decimal;
  /** Real average entry price of `positionQuantity` (0 when EMPTY). */
  readonly entryPrice: Decimal;
  /** Buy fees (quote) of the quantity still held, carried pro rata into trades. */
  readonly entryFees: Decimal;
  /** Time of the first buy fill of the position (trade `openedAt`). */
  readonly openedAt: number;
  /** Post-only rejections in a row; at POST_ONLY_REJECTION_LIMIT the slot's orders go out as GTC. */
  readonly postOnlyRejections: number;
  readonly order?: SlotOrder | undefined;
  readonly updatedAt: number;
}

export const POST_ONLY_REJECTION_LIMIT = 3;

export type PauseReason =
  'configuration' | 'account-check' | 'stop-loss' | 'take-profit' | 'position-drift' | 'operator';

export interface Pause {
  readonly reason: PauseReason;
  readonly message: string;
}

/**
 * The close order the grid waits for (at most one at a time: a second close while the first may
 * still fill would sell the position twice).
 */
export interface PendingClose {
  readonly clientOrderId: string;
  readonly quantity: Decimal;
  /** Quantity of its fills applied to the slots so far. */
  readonly filledQuantity: Decimal;
  /**
   * `sent`: the request is in flight, its answer awaited (never looked up: a lookup could miss an
   * order still on its way and free a second close); `working`: the venue reported it open;
   * `unknown`: the send's outcome is unknown, only a lookup may end it; `ended`: terminal at the
   * venue, waiting for fills up to `venueFilledQuantity`.
   */
  readonly status: 'sent' | 'working' | 'unknown' | 'ended';
  readonly venueFilledQuantity: Decimal | undefined;
}

/**
 * The grid must become flat (risk close, or stop with close_positions_on_exit): until its position
 * is under one closable order, it closes what it holds, one close at a time, backing off after
 * attempts that closed nothing.
 */
export interface Closing {
  readonly order: PendingClose | undefined;
  /** Attempts in a row that closed nothing (rejected, not sent, ended unfilled, unanswered lookups). */
  readonly failures: number;
  /** No new close, and no new lookup of an unknown one, before this time (epoch ms). */
  readonly nextAttemptAt: number;
}

/** Facts of the start-up account check (AccountChecked); evaluated once a price is known. */
export interface AccountFacts {
  /** Quote balance available for new orders. */
  readonly availableBalance: Decimal;
  /** Account (or symbol) leverage; 1 on spot. */
  readonly leverage: number;
}

export interface GridState {
  readonly exchange: string;
  readonly symbol: string;
  readonly market: Market;
  readonly settings: GridSettings;
  readonly idFormat: ClientOrderIdFormat;
  /** Undefined until the first price creates it; never moved afterwards. */
  readonly lattice: Lattice | undefined;
  /** Short hash of exchange, symbol and lattice: the grid part of every client order id. */
  readonly tag: string | undefined;
  /** Every slot the grid has traded (slot-map.ts: scans read the slots with orders or positions only). */
  readonly slots: SlotMap;
  readonly pause: Pause | undefined;
  /** The market panic monitor says all monitored symbols panic: no buys. */
  readonly panic: boolean;
  /** No buys before this time (epoch ms) after an insufficient-margin rejection. */
  readonly marginLockedUntil: number;
  /**
   * Nothing is placed before this time (epoch ms): the account's request budget or the venue
   * refused a placement as rate-limited and said when there is room again. The engine wakes the grid
   * then (`RateLimitWaitEnded`), so it places at once, nearest to the market first. Not persisted:
   * the shared budget keeps refusing for an engine that starts again.
   */
  readonly rateLimitedUntil: number;
  /**
   * The engine cannot record order intents (the shared database is down): nothing new is placed or
   * closed until it is released; resting orders, fills and risk checks go on. Not persisted: an
   * engine that starts again finds the outage out again.
   */
  readonly placementsHeld: boolean;
  /** Highest price since the trailing take-profit armed; undefined while not armed. */
  readonly trailingPeak: Decimal | undefined;
  /** 'passed' once the start-up account check succeeded; no order is placed before. */
  readonly accountCheck: 'unchecked' | 'passed';
  readonly accountFacts: AccountFacts | undefined;
  readonly lastPrice: Decimal | undefined;
  /** Set by StopRequested: no new orders; `cancelOrders` = cancel every order as soon as it can be. */
  readonly stopping: { readonly cancelOrders: boolean } | undefined;
  /** Set by a risk close or a closing stop; cleared by an operator resume. */
  readonly closing: Closing | undefined;
  /** Close orders this grid has sent: part of each close id, so no two closes share one. */
  readonly closeSequence: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function emptySlot(level: number, cycle = 0, time = 0): Slot {
  return Object.freeze({
    level,
    cycle,
    position: 'EMPTY',
    positionQuantity: ZERO,
    entryPrice: ZERO,
    entryFees: ZERO,
    openedAt: 0,
    postOnlyRejections: 0,
    order: undefined,
    updatedAt: time,
  });
}

export function slotAt(state: GridState, level: number): Slot {
  return state.slots.get(level) ?? emptySlot(level);
}

/** A new slot value; `position` always follows `positionQuantity`. */
export function changeSlot(slot: Slot, change: Partial<Omit<Slot, 'level' | 'position'>>, time: number): Slot {
  // One object per change (this runs several times per event).
  const next = { ...slot, ...change, updatedAt: time };
  next.position = next.positionQuantity.isPositive() && !next.positionQuantity.isZero() ? 'FILLED' : 'EMPTY';
  return Object.freeze(next);
}

export function changeOrder(order: SlotOrder, change: Partial<SlotOrder>, time: number): SlotOrder {
  return Object.freeze({ ...order, ...change, updatedAt: time });
}

export function withSlots(state: GridState, slots: readonly Slot[], time: number): GridState {
  if (slots.length === 0) return state;
  return Object.freeze({ ...state, slots: state.slots.with(slots), updatedAt: time });
}

export function changeState(state: GridState, change: Partial<GridState>, time: number): GridState {
  return Object.freeze({ ...state, ...change, updatedAt: time });
}

/** Slots whose order is present (working, pending or awaiting fills), in level order. */
export function slotsWithOrders(state: GridState): Slot[] {
  return [...state.slots.withOrders()].sort((a, b) => a.level - b.level);
}

export function filledSlots(state: GridState): Slot[] {
  return [...state.slots.withOrders(), ...state.slots.heldWithoutOrder()]
    .filter((slot) => slot.position === 'FILLED')
    .sort((a, b) => a.level - b.level);
}

export interface GridIdentity {
  readonly exchange: string;
  readonly symbol: string;
  readonly market: Market;
  readonly settings: GridSettings;
  readonly idFormat?: ClientOrderIdFormat | undefined;
}
