import type { Trade } from '../../domain/trade.js';
import type { TradeFilter } from '../records.js';
import { insertIgnoring } from './dialect-sql.js';
import { type QueryContext, pageLimit, pageOffset } from './query-context.js';
import { tradeFromRow, tradeRow } from './row-mappers.js';

/** Trades are immutable facts keyed by id: a second write of the same id is skipped (spool replay). */
export async function saveTrades(context: QueryContext, trades: readonly Trade[]): Promise<void> {
  await insertIgnoring(context.db, context.dialect, 'trades', trades.map(tradeRow));
}

export async function getTrades({ db }: QueryContext, filter: TradeFilter): Promise<Trade[]> {
  let query = db.selectFrom('trades').selectAll();
  if (filter.exchange !== undefined) query = query.where('exchange', '=', filter.exchange);
  if (filter.symbol !== undefined) query = query.where('symbol', '=', filter.symbol);
  if (filter.from !== undefined) query = query.where('closed_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('closed_at', '<', filter.to);
  const rows = await query
    .orderBy('closed_at')
    .orderBy('id')
    .limit(pageLimit(filter.limit))
    .offset(pageOffset(filter.offset))
    .execute();
  return rows.map(tradeFromRow);
}
