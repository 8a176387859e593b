/**
 * Fenced order intents (Invariant 1, database layer). In one transaction: raise the fence row of
 * `fenceKey` to the intent's token (an upsert that takes the row's write lock, so concurrent callers
 * on other connections queue behind it), read the fence back, refuse when a higher token was already
 * recorded (or the same token by another instance), then insert the intent unless its slot round or
 * client order id exists. A stale writer
 * therefore either sees the newer token or commits before it exists; it can never slip in after.
 * An intent fenced by its symbol's ownership as well does the same for the ownership fence first.
 */
import type { Kysely } from 'kysely';
import { DuplicateIntentError, StaleFencingTokenError } from '../errors.js';
import type { IntentFilter, OrderIntent } from '../records.js';
import { insertIgnoring, raiseFence } from './dialect-sql.js';
import { type QueryContext, pageLimit, pageOffset } from './query-context.js';
import type { StorageSchema } from './kysely-schema.js';
import { intentFromRow, intentRow, toBigInt } from './row-mappers.js';

export async function recordIntent(context: QueryContext, intent: OrderIntent): Promise<void> {
  await context.atomic(async (db) => {
    // The ownership fence first, always in this order: two fences never deadlock each other.
    if (intent.ownershipFence !== undefined)
      await holdFence(
        db,
        context,
        intent.ownershipFence.fenceKey,
        intent.ownershipFence.fencingToken,
        intent.instanceId,
      );
    await holdFence(db, context, intent.fenceKey, intent.fencingToken, intent.instanceId);
    const inserted = await insertIgnoring(db, context.dialect, 'order_intents', [intentRow(intent)]);
    if (inserted === 0) throw new DuplicateIntentError(intent.exchange, intent.clientOrderId);
  });
}

/**
 * A new holder's claim of a fence (a symbol's ownership at takeover): raised to `token`, so every
 * intent fenced by an older token is refused from now on, and any such intent still being written
 * commits before this returns (it holds the row's write lock), so what is read next includes it.
 */
export async function claimFence(
  context: QueryContext,
  fenceKey: string,
  token: bigint,
  holder: string,
): Promise<void> {
  await context.atomic((db) => holdFence(db, context, fenceKey, token, holder));
}

/**
 * Raises the fence row to `token` for `holder` (taking its write lock until commit); refuses when a
 * higher token is recorded, or the same token by another holder (a backend that forgot its counters
 * handed it out twice).
 */
async function holdFence(
  db: Kysely<StorageSchema>,
  context: QueryContext,
  fenceKey: string,
  token: bigint,
  holder: string,
): Promise<void> {
  await raiseFence(db, context.dialect, fenceKey, token.toString(), holder);
  const fence = await db
    .selectFrom('fences')
    .select(['max_token', 'holder'])
    .where('fence_key', '=', fenceKey)
    .executeTakeFirstOrThrow();
  const highest = toBigInt(fence.max_token);
  if (highest > token || (highest === token && fence.holder !== holder))
    throw new StaleFencingTokenError(fenceKey, token, highest);
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
