import type { EventFilter, EventRecord } from '../records.js';
import { insertIgnoring } from './dialect-sql.js';
import { type QueryContext, pageLimit, pageOffset } from './query-context.js';
import { eventFromRow, eventRow } from './row-mappers.js';

/** Events are keyed by the hash of their content, so a replayed event is stored once. */
export async function saveEvents(context: QueryContext, events: readonly EventRecord[]): Promise<void> {
  await insertIgnoring(context.db, context.dialect, 'events', events.map(eventRow));
}

export async function getEvents({ db }: QueryContext, filter: EventFilter): Promise<EventRecord[]> {
  let query = db.selectFrom('events').selectAll();
  if (filter.type !== undefined) query = query.where('event_type', '=', filter.type);
  if (filter.exchange !== undefined) query = query.where('exchange', '=', filter.exchange);
  if (filter.symbol !== undefined) query = query.where('symbol', '=', filter.symbol);
  if (filter.from !== undefined) query = query.where('time', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('time', '<', filter.to);
  const rows = await query
    .orderBy('time')
    .orderBy('id')
    .limit(pageLimit(filter.limit))
    .offset(pageOffset(filter.offset))
    .execute();
  return rows.map(eventFromRow);
}
