import type { Fill } from '../../domain/fill.js';
import type { FillCursorRecord, FillFilter } from '../records.js';
import { insertIgnoring, upsertRow } from './dialect-sql.js';
import { type QueryContext, pageLimit, pageOffset } from './query-context.js';
import { cursorFromRow, cursorRow, fillFromRow, fillRow } from './row-mappers.js';

/** Fills are stored once per (exchange, account, symbol, tradeId) (Invariant 2); returns how many were new. */
export function saveFills(context: QueryContext, fills: readonly Fill[]): Promise<number> {
  return insertIgnoring(context.db, context.dialect, 'fills', fills.map(fillRow));
}

export async function getFills({ db }: QueryContext, filter: FillFilter): Promise<Fill[]> {
  let query = db.selectFrom('fills').selectAll();
  if (filter.exchange !== undefined) query = query.where('exchange', '=', filter.exchange);
  if (filter.account !== undefined) query = query.where('account', '=', filter.account);
  if (filter.symbol !== undefined) query = query.where('symbol', '=', filter.symbol);
  if (filter.clientOrderId !== undefined) query = query.where('client_order_id', '=', filter.clientOrderId);
  if (filter.tradeId !== undefined) query = query.where('trade_id', '=', filter.tradeId);
  if (filter.from !== undefined) query = query.where('time', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('time', '<', filter.to);
  const rows = await query
    .orderBy('time')
    .orderBy('trade_id')
    .limit(pageLimit(filter.limit))
    .offset(pageOffset(filter.offset))
    .execute();
  return rows.map(fillFromRow);
}

export async function getFillCursor(
  { db }: QueryContext,
  exchange: string,
  account: string,
  symbol: string,
): Promise<FillCursorRecord | undefined> {
  const row = await db
    .selectFrom('fill_cursors')
    .selectAll()
    .where('exchange', '=', exchange)
    .where('account', '=', account)
    .where('symbol', '=', symbol)
    .executeTakeFirst();
  return row === undefined ? undefined : cursorFromRow(row);
}

export async function saveFillCursor(context: QueryContext, cursor: FillCursorRecord): Promise<void> {
  await upsertRow(context.db, context.dialect, 'fill_cursors', ['exchange', 'account', 'symbol'], cursorRow(cursor));
}
