/**
 * Orders: one row per (exchange, clientOrderId), upserted; an update behind the stored state is
 * ignored, so replaying a spool out of date cannot roll an order back. "Behind" is judged by what
 * cannot go backwards before clocks: a terminal state beats a working one, a larger filled quantity
 * beats a smaller one, and only then the later updatedAt wins (the venue's and the engine's clocks
 * differ, so time alone would let a stale local state hide the venue's final answer). Each change
 * of status or filled quantity appends to `order_states` with the next sequence number.
 */
import { type Kysely, sql } from 'kysely';
import { dec } from '../../domain/decimal.js';
import { type OrderStatus, isTerminal } from '../../domain/order.js';
import type { OrderFilter, OrderRecord, OrderStateChange } from '../records.js';
import { insertIgnoring } from './dialect-sql.js';
import type { StorageSchema } from './kysely-schema.js';
import { type QueryContext, pageLimit, pageOffset } from './query-context.js';
import { orderFromRow, orderRow, orderStateFromRow, text, toNumber } from './row-mappers.js';

export async function saveOrder(context: QueryContext, order: OrderRecord): Promise<void> {
  const row = orderRow(order);
  await context.atomic(async (db) => {
    const existing = await lockedOrder(db, context, order);
    if (existing !== undefined && isAhead(existing, order)) return;
    const inserted = existing === undefined ? await insertIgnoring(db, context.dialect, 'orders', [row]) : 0;
    if (inserted === 0) {
      const { exchange, client_order_id, ...changes } = row;
      await db
        .updateTable('orders')
        .set(changes)
        .where('exchange', '=', exchange)
        .where('client_order_id', '=', client_order_id)
        .execute();
    }
    const changed =
      existing === undefined ||
      existing.status !== order.status ||
      !dec(existing.filled_quantity).eq(order.filledQuantity);
    if (changed) await appendState(db, context, order);
  });
}

/** True when the stored order is further along than `update` (see the module comment). */
function isAhead(
  stored: { status: string; filled_quantity: string; updated_at: unknown },
  update: OrderRecord,
): boolean {
  const storedTerminal = isTerminal(stored.status as OrderStatus);
  if (storedTerminal !== isTerminal(update.status)) return storedTerminal;
  const filled = dec(stored.filled_quantity).cmp(update.filledQuantity);
  if (filled !== 0) return filled > 0;
  return toNumber(stored.updated_at as number) > update.updatedAt;
}

function lockedOrder(db: Kysely<StorageSchema>, context: QueryContext, order: OrderRecord) {
  const query = db
    .selectFrom('orders')
    .select(['status', 'filled_quantity', 'updated_at'])
    .where('exchange', '=', order.exchange)
    .where('client_order_id', '=', order.clientOrderId);
  // SQLite has a single writer and no row locks; the servers lock the row against a concurrent save.
  return (context.dialect === 'sqlite' ? query : query.forUpdate()).executeTakeFirst();
}

async function appendState(db: Kysely<StorageSchema>, context: QueryContext, order: OrderRecord): Promise<void> {
  const last = await db
    .selectFrom('order_states')
    .select(sql<number | string | bigint | null>`max(seq)`.as('seq'))
    .where('exchange', '=', order.exchange)
    .where('client_order_id', '=', order.clientOrderId)
    .executeTakeFirst();
  const seq = last?.seq === null || last?.seq === undefined ? 1 : toNumber(last.seq) + 1;
  await insertIgnoring(db, context.dialect, 'order_states', [
    {
      exchange: order.exchange,
      client_order_id: order.clientOrderId,
      seq,
      status: order.status,
      filled_quantity: text(order.filledQuantity),
      time: order.updatedAt,
    },
  ]);
}

export async function getOrders({ db }: QueryContext, filter: OrderFilter): Promise<OrderRecord[]> {
  let query = db.selectFrom('orders').selectAll();
  if (filter.exchange !== undefined) query = query.where('exchange', '=', filter.exchange);
  if (filter.symbol !== undefined) query = query.where('symbol', '=', filter.symbol);
  if (filter.clientOrderId !== undefined) query = query.where('client_order_id', '=', filter.clientOrderId);
  if (filter.status !== undefined) {
    if (filter.status.length === 0) return [];
    query = query.where('status', 'in', [...filter.status]);
  }
  if (filter.from !== undefined) query = query.where('updated_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('updated_at', '<', filter.to);
  const rows = await query
    .orderBy('updated_at')
    .orderBy('client_order_id')
    .limit(pageLimit(filter.limit))
    .offset(pageOffset(filter.offset))
    .execute();
  return rows.map(orderFromRow);
}

export async function getOrderHistory(
  { db }: QueryContext,
  exchange: string,
  clientOrderId: string,
): Promise<OrderStateChange[]> {
  const rows = await db
    .selectFrom('order_states')
    .selectAll()
    .where('exchange', '=', exchange)
    .where('client_order_id', '=', clientOrderId)
    .orderBy('seq')
    .execute();
  return rows.map(orderStateFromRow);
}
