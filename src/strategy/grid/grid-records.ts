/**
 * Conversions between the grid state and what the engine stores through the Database port. The
 * shapes below restate storage's GridRecord, SlotRecord and OrderRecord (the pure core may not
 * import storage); a type test proves they stay assignable both ways.
 *
 * Persisted: lattice (anchor, interval), pause, and per slot the cycle, position, real entry
 * price, entry fees, post-only streak and its working order. Not persisted (rebuilt at start):
 * the last price, the panic flag (the monitor resends it), the margin lock, the trailing
 * take-profit peak, the account check (re-run before the first order) and `openedAt` of a
 * position (reloaded as the slot's last update time). A grid paused by a stop loss or take-profit
 * reloads closing (close-position.ts): what it still holds is closed after the start reconciled.
 */
import type { Decimal } from '../../domain/decimal.js';
import { ZERO } from '../../domain/decimal.js';
import { lattice } from '../../domain/lattice.js';
import { type Order, isWorking } from '../../domain/order.js';
import { gridTag } from './client-order-id.js';
import { startClosing } from './close-position.js';
import { createGridState } from './create-grid-state.js';
import { InvalidGridRecordError } from './errors.js';
import { SlotMap } from './slot-map.js';
import {
  type GridIdentity,
  type GridState,
  type Pause,
  type PauseReason,
  type Slot,
  type SlotOrder,
  changeSlot,
  changeState,
  emptySlot,
} from './grid-state.js';

export interface GridSnapshot {
  readonly exchange: string;
  readonly symbol: string;
  readonly anchor: Decimal;
  readonly interval: Decimal;
  readonly paused: boolean;
  readonly pausedReason?: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SlotSnapshot {
  readonly exchange: string;
  readonly symbol: string;
  readonly level: number;
  readonly cycle: number;
  readonly positionQuantity: Decimal;
  readonly entryPrice: Decimal;
  readonly entryFees: Decimal;
  readonly postOnlyRejections: number;
  readonly updatedAt: number;
}

/** Storage's OrderRecord: the domain Order plus where it sits on the grid. */
export interface SlotOrderSnapshot extends Order {
  readonly level?: number | undefined;
  readonly cycle?: number | undefined;
}

const PAUSE_REASONS: readonly PauseReason[] = [
  'configuration',
  'account-check',
  'stop-loss',
  'take-profit',
  'position-drift',
  'operator',
];

function pauseText(pause: Pause): string {
  return `${pause.reason}: ${pause.message}`;
}

/** A stored reason this grid did not write (an operator's pause) reads as an operator pause. */
function parsePause(text: string | undefined): Pause {
  const split = (text ?? '').indexOf(': ');
  const reason = PAUSE_REASONS.find((r) => split > 0 && text!.slice(0, split) === r);
  return reason === undefined
    ? { reason: 'operator', message: text ?? '' }
    : { reason, message: text!.slice(split + 2) };
}

/** The grid record, once the first price has fixed the lattice. */
export function toGridRecord(state: GridState): GridSnapshot | undefined {
  if (state.lattice === undefined) return undefined;
  return {
    exchange: state.exchange,
    symbol: state.symbol,
    anchor: state.lattice.anchor,
    interval: state.lattice.interval,
    paused: state.pause !== undefined,
    pausedReason: state.pause === undefined ? undefined : pauseText(state.pause),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

export function toSlotRecord(state: GridState, slot: Slot): SlotSnapshot {
  return {
    exchange: state.exchange,
    symbol: state.symbol,
    level: slot.level,
    cycle: slot.cycle,
    positionQuantity: slot.positionQuantity,
    entryPrice: slot.entryPrice,
    entryFees: slot.entryFees,
    postOnlyRejections: slot.postOnlyRejections,
    updatedAt: slot.updatedAt,
  };
}

/** The slot's order as an order record (level and cycle set), or undefined when the slot has none. */
export function toOrderRecord(state: GridState, slot: Slot): SlotOrderSnapshot | undefined {
  const order = slot.order;
  if (order === undefined) return undefined;
  return {
    exchange: state.exchange,
    symbol: state.symbol,
    clientOrderId: order.clientOrderId,
    exchangeOrderId: order.exchangeOrderId,
    side: order.side,
    type: 'LIMIT',
    price: order.price,
    quantity: order.quantity,
    filledQuantity: order.filledQuantity,
    averagePrice: undefined,
    status: order.status,
    postOnly: order.postOnly,
    reduceOnly: order.reduceOnly,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    level: slot.level,
    cycle: slot.cycle,
  };
}

function toSlotOrder(record: SlotOrderSnapshot): SlotOrder {
  return Object.freeze({
    clientOrderId: record.clientOrderId,
    exchangeOrderId: record.exchangeOrderId,
    side: record.side,
    price: record.price ?? ZERO,
    quantity: record.quantity,
    filledQuantity: record.filledQuantity,
    venueFilledQuantity: undefined,
    status: record.status,
    postOnly: record.postOnly,
    reduceOnly: record.reduceOnly,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  });
}

/**
 * Rebuilds a grid from its records. Only orders that are still working (or pending) return to their
 * slots; the engine reconciles them with the venue before placing anything. Throws
 * InvalidGridRecordError when the records belong to another grid or contradict each other.
 */
export function fromRecords(
  identity: GridIdentity,
  grid: GridSnapshot,
  slots: readonly SlotSnapshot[],
  orders: readonly SlotOrderSnapshot[],
): GridState {
  if (grid.exchange !== identity.exchange || grid.symbol !== identity.symbol)
    throw new InvalidGridRecordError(
      `grid record of ${grid.exchange}/${grid.symbol} loaded for ${identity.exchange}/${identity.symbol}`,
    );
  if (!grid.interval.eq(identity.settings.priceInterval)) {
    throw new InvalidGridRecordError(
      `the grid was created with price_interval ${grid.interval.toFixed()} but the settings say ${identity.settings.priceInterval.toFixed()}; close the grid before changing its interval`,
    );
  }
  const base = createGridState(identity, grid.createdAt);
  const gridLattice = lattice(grid.anchor, grid.interval);
  const bySlot = new Map<number, Slot>();
  for (const record of slots) {
    if (bySlot.has(record.level)) throw new InvalidGridRecordError(`two slot records for level ${record.level}`);
    const slot = changeSlot(
      emptySlot(record.level, record.cycle),
      {
        positionQuantity: record.positionQuantity,
        entryPrice: record.entryPrice,
        entryFees: record.entryFees,
        postOnlyRejections: record.postOnlyRejections,
      },
      record.updatedAt,
    );
    bySlot.set(
      record.level,
      slot.position === 'FILLED' ? changeSlot(slot, { openedAt: record.updatedAt }, record.updatedAt) : slot,
    );
  }
  for (const record of orders.filter((o) => isWorking(o.status))) {
    if (record.level === undefined || record.cycle === undefined) continue;
    const slot = bySlot.get(record.level) ?? emptySlot(record.level, record.cycle);
    if (slot.order !== undefined)
      throw new InvalidGridRecordError(
        `two working orders for level ${record.level}: ${slot.order.clientOrderId} and ${record.clientOrderId}`,
      );
    bySlot.set(record.level, changeSlot(slot, { order: toSlotOrder(record) }, slot.updatedAt));
  }
  const pause = grid.paused ? parsePause(grid.pausedReason) : undefined;
  const loaded = changeState(
    base,
    {
      lattice: gridLattice,
      tag: gridTag(identity.exchange, identity.symbol, gridLattice.anchor, gridLattice.interval),
      slots: SlotMap.of(bySlot.values()),
      pause,
    },
    grid.updatedAt,
  );
  return pause?.reason === 'stop-loss' || pause?.reason === 'take-profit'
    ? startClosing(loaded, grid.updatedAt)
    : loaded;
}
