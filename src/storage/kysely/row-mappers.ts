/**
 * Converts between the port's records and table rows. Integers arrive as number, string or bigint
 * depending on the driver; decimals arrive as strings (servers pad them to 18 places) and leave as
 * canonical decimal text, so nothing passes through a binary float.
 */
import { createHash } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import { dec, decimalToString, type Decimal } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { OrderSide, OrderStatus, OrderType } from '../../domain/order.js';
import type { Trade } from '../../domain/trade.js';
import type {
  EventRecord,
  EventType,
  FillCursorRecord,
  GridRecord,
  OrderIntent,
  OrderRecord,
  OrderStateChange,
  SlotRecord,
} from '../records.js';
import type {
  EventsTable,
  FillCursorsTable,
  FillsTable,
  GridsTable,
  OrderIntentsTable,
  OrdersTable,
  OrderStatesTable,
  SlotsTable,
  TradesTable,
} from './kysely-schema.js';

export function toNumber(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toBigInt(value: number | string | bigint): bigint {
  return BigInt(value);
}

export const text = (value: Decimal): string => decimalToString(value);
const optionalText = (value: Decimal | undefined): string | null =>
  value === undefined ? null : decimalToString(value);
const optionalDec = (value: string | null): Decimal | undefined => (value === null ? undefined : dec(value));
const flag = (value: boolean): number => (value ? 1 : 0);
const isSet = (value: number | string | bigint): boolean => toNumber(value) !== 0;

export function tradeRow(trade: Trade): Insertable<TradesTable> {
  return {
    id: trade.id,
    exchange: trade.exchange,
    symbol: trade.symbol,
    level: trade.level,
    cycle: trade.cycle,
    quantity: text(trade.quantity),
    buy_price: text(trade.buyPrice),
    sell_price: text(trade.sellPrice),
    fees: text(trade.fees),
    realized_pnl: text(trade.realizedPnl),
    opened_at: trade.openedAt,
    closed_at: trade.closedAt,
  };
}

export function tradeFromRow(row: Selectable<TradesTable>): Trade {
  return {
    id: row.id,
    exchange: row.exchange,
    symbol: row.symbol,
    level: toNumber(row.level),
    cycle: toNumber(row.cycle),
    quantity: dec(row.quantity),
    buyPrice: dec(row.buy_price),
    sellPrice: dec(row.sell_price),
    fees: dec(row.fees),
    realizedPnl: dec(row.realized_pnl),
    openedAt: toNumber(row.opened_at),
    closedAt: toNumber(row.closed_at),
  };
}

export function fillRow(fill: Fill): Insertable<FillsTable> {
  return {
    exchange: fill.exchange,
    account: fill.account,
    trade_id: fill.tradeId,
    symbol: fill.symbol,
    client_order_id: fill.clientOrderId,
    exchange_order_id: fill.exchangeOrderId,
    side: fill.side,
    price: text(fill.price),
    quantity: text(fill.quantity),
    fee: text(fill.fee),
    fee_asset: fill.feeAsset,
    is_maker: flag(fill.isMaker),
    time: fill.time,
  };
}

export function fillFromRow(row: Selectable<FillsTable>): Fill {
  return {
    exchange: row.exchange,
    account: row.account,
    tradeId: row.trade_id,
    symbol: row.symbol,
    clientOrderId: row.client_order_id,
    exchangeOrderId: row.exchange_order_id,
    side: row.side as OrderSide,
    price: dec(row.price),
    quantity: dec(row.quantity),
    fee: dec(row.fee),
    feeAsset: row.fee_asset,
    isMaker: isSet(row.is_maker),
    time: toNumber(row.time),
  };
}

export function orderRow(order: OrderRecord): Insertable<OrdersTable> {
  return {
    exchange: order.exchange,
    client_order_id: order.clientOrderId,
    symbol: order.symbol,
    exchange_order_id: order.exchangeOrderId ?? null,
    side: order.side,
    order_type: order.type,
    price: optionalText(order.price),
    quantity: text(order.quantity),
    filled_quantity: text(order.filledQuantity),
    average_price: optionalText(order.averagePrice),
    status: order.status,
    post_only: flag(order.postOnly),
    reduce_only: flag(order.reduceOnly),
    level: order.level ?? null,
    cycle: order.cycle ?? null,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}

export function orderFromRow(row: Selectable<OrdersTable>): OrderRecord {
  return {
    exchange: row.exchange,
    symbol: row.symbol,
    clientOrderId: row.client_order_id,
    exchangeOrderId: row.exchange_order_id ?? undefined,
    side: row.side as OrderSide,
    type: row.order_type as OrderType,
    price: optionalDec(row.price),
    quantity: dec(row.quantity),
    filledQuantity: dec(row.filled_quantity),
    averagePrice: optionalDec(row.average_price),
    status: row.status as OrderStatus,
    postOnly: isSet(row.post_only),
    reduceOnly: isSet(row.reduce_only),
    level: row.level === null ? undefined : toNumber(row.level),
    cycle: row.cycle === null ? undefined : toNumber(row.cycle),
    createdAt: toNumber(row.created_at),
    updatedAt: toNumber(row.updated_at),
  };
}

export function orderStateFromRow(row: Selectable<OrderStatesTable>): OrderStateChange {
  return {
    exchange: row.exchange,
    clientOrderId: row.client_order_id,
    status: row.status as OrderStatus,
    filledQuantity: dec(row.filled_quantity),
    time: toNumber(row.time),
  };
}

export function gridRow(grid: GridRecord): Insertable<GridsTable> {
  return {
    exchange: grid.exchange,
    symbol: grid.symbol,
    anchor: text(grid.anchor),
    grid_interval: text(grid.interval),
    paused: flag(grid.paused),
    paused_reason: grid.pausedReason ?? null,
    created_at: grid.createdAt,
    updated_at: grid.updatedAt,
  };
}

export function gridFromRow(row: Selectable<GridsTable>): GridRecord {
  return {
    exchange: row.exchange,
    symbol: row.symbol,
    anchor: dec(row.anchor),
    interval: dec(row.grid_interval),
    paused: isSet(row.paused),
    pausedReason: row.paused_reason ?? undefined,
    createdAt: toNumber(row.created_at),
    updatedAt: toNumber(row.updated_at),
  };
}

export function slotRow(slot: SlotRecord): Insertable<SlotsTable> {
  return {
    exchange: slot.exchange,
    symbol: slot.symbol,
    level: slot.level,
    cycle: slot.cycle,
    position_quantity: text(slot.positionQuantity),
    entry_price: text(slot.entryPrice),
    entry_fees: text(slot.entryFees),
    post_only_rejections: slot.postOnlyRejections,
    updated_at: slot.updatedAt,
  };
}

export function slotFromRow(row: Selectable<SlotsTable>): SlotRecord {
  return {
    exchange: row.exchange,
    symbol: row.symbol,
    level: toNumber(row.level),
    cycle: toNumber(row.cycle),
    positionQuantity: dec(row.position_quantity),
    entryPrice: dec(row.entry_price),
    entryFees: dec(row.entry_fees),
    postOnlyRejections: toNumber(row.post_only_rejections),
    updatedAt: toNumber(row.updated_at),
  };
}

export function intentRow(intent: OrderIntent): Insertable<OrderIntentsTable> {
  return {
    exchange: intent.exchange,
    client_order_id: intent.clientOrderId,
    symbol: intent.symbol,
    level: intent.level,
    cycle: intent.cycle,
    side: intent.side,
    price: text(intent.price),
    quantity: text(intent.quantity),
    fence_key: intent.fenceKey,
    fencing_token: intent.fencingToken.toString(),
    instance_id: intent.instanceId,
    created_at: intent.createdAt,
  };
}

export function intentFromRow(row: Selectable<OrderIntentsTable>): OrderIntent {
  return {
    exchange: row.exchange,
    symbol: row.symbol,
    level: toNumber(row.level),
    cycle: toNumber(row.cycle),
    side: row.side as OrderSide,
    clientOrderId: row.client_order_id,
    price: dec(row.price),
    quantity: dec(row.quantity),
    fenceKey: row.fence_key,
    fencingToken: toBigInt(row.fencing_token),
    instanceId: row.instance_id,
    createdAt: toNumber(row.created_at),
  };
}

export function eventRow(event: EventRecord): Insertable<EventsTable> {
  const details = JSON.stringify(event.details);
  const canonical = JSON.stringify([
    event.time,
    event.type,
    event.instanceId,
    event.exchange ?? null,
    event.symbol ?? null,
    details,
  ]);
  return {
    id: createHash('sha256').update(canonical).digest('hex'),
    time: event.time,
    event_type: event.type,
    instance_id: event.instanceId,
    exchange: event.exchange ?? null,
    symbol: event.symbol ?? null,
    details,
  };
}

export function eventFromRow(row: Selectable<EventsTable>): EventRecord {
  return {
    time: toNumber(row.time),
    type: row.event_type as EventType,
    instanceId: row.instance_id,
    exchange: row.exchange ?? undefined,
    symbol: row.symbol ?? undefined,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

export function cursorRow(cursor: FillCursorRecord): Insertable<FillCursorsTable> {
  return {
    exchange: cursor.exchange,
    account: cursor.account,
    symbol: cursor.symbol,
    cursor: cursor.cursor,
    updated_at: cursor.updatedAt,
  };
}

export function cursorFromRow(row: Selectable<FillCursorsTable>): FillCursorRecord {
  return {
    exchange: row.exchange,
    account: row.account,
    symbol: row.symbol,
    cursor: row.cursor,
    updatedAt: toNumber(row.updated_at),
  };
}
