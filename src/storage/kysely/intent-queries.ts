/**
 * Fenced order intents (Invariant 1, database layer). In one transaction: raise the fence row of
 * `fenceKey` to the intent's token (an upsert that takes the row's write lock, so concurrent callers
 * on other connections queue behind it), read the fence back, refuse when a higher token was already
 * recorded (or the same token by another instance), then insert the intent unless its slot round or
 * client order id exists. A stale writer
 * therefore either sees the newer token or commits before it exists; it can never slip in after.
 */
import { DuplicateIntentError, StaleFencingTokenError } from '../errors.js';
import type { IntentFilter, OrderIntent } from '../records.js';
import { insertIgnoring, raiseFence } from './dialect-sql.js';
import { type QueryContext, pageLimit, pageOffset } from './query-context.js';
import { intentFromRow, intentRow, toBigInt } from './row-mappers.js';

export async function recordIntent(context: QueryContext, intent: OrderIntent): Promise<void> {
  await context.atomic(async (db) => {
    await raiseFence(db, context.dialect, intent.fenceKey, intent.fencingToken.toString(), intent.instanceId);
    const fence = await db
      .selectFrom('fences')
      .select(['max_token', 'holder'])
      .where('fence_key', '=', intent.fenceKey)
      .executeTakeFirstOrThrow();
    const highest = toBigInt(fence.max_token);
    // An equal token from another holder: a backend that forgot its counters handed it out twice.
    const otherHolder = highest === intent.fencingToken && fence.holder !== intent.instanceId;
    if (highest > intent.fencingToken || otherHolder)
      throw new StaleFencingTokenError(intent.fenceKey, intent.fencingToken, highest);
    const inserted = await insertIgnoring(db, context.dialect, 'order_intents', [intentRow(intent)]);
    if (inserted === 0) throw new DuplicateIntentError(intent.exchange, intent.clientOrderId);
  });
}

export async function getHighestIntentCycles(
  { db }: QueryContext,
  exchange: string,
  symbol: string,
): Promise<ReadonlyMap<number, number>> {
  const rows = await db
    .selectFrom('order_intents')
    .select(['level', (eb) => eb.fn.max('cycle').as('cycle')])
    .where('exchange', '=', exchange)
    .where('symbol', '=', symbol)
    .groupBy('level')
    .execute();
  return new Map(rows.map((row) => [Number(row.level), Number(row.cycle)]));
}

export async function getIntents({ db }: QueryContext, filter: IntentFilter): Promise<OrderIntent[]> {
  let query = db.selectFrom('order_intents').selectAll();
  if (filter.exchange !== undefined) query = query.where('exchange', '=', filter.exchange);
  if (filter.symbol !== undefined) query = query.where('symbol', '=', filter.symbol);
  if (filter.clientOrderId !== undefined) query = query.where('client_order_id', '=', filter.clientOrderId);
  const rows = await query
    .orderBy('created_at')
    .orderBy('client_order_id')
    .limit(pageLimit(filter.limit))
    .offset(pageOffset(filter.offset))
    .execute();
  return rows.map(intentFromRow);
}
