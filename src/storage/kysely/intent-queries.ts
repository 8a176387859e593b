/**
 * Fenced order intents (Invariant 1, database layer). Atomically: raise the fence row of `fenceKey`
 * to the intents' token (an upsert that takes the row's write lock, so concurrent callers on other
 * connections queue behind it until commit), refuse when a higher token was already recorded (or
 * the same token by another instance), then insert each intent unless its slot round or client
 * order id exists. A stale writer therefore either sees the newer token or commits before it
 * exists; it can never slip in after. An intent fenced by its symbol's ownership as well does the
 * same for the ownership fence first (always in this order: two fences never deadlock each other).
 *
 * A window of intents (one symbol's placements under one lock) shares its fences, so they are
 * held once for all of them. Round trips per window: PostgreSQL 1 (one autocommitted statement:
 * the fence upserts and the inserts as data-modifying CTEs), SQLite 1 transaction of 2–3
 * statements (upserts with RETURNING, one multi-row insert), MySQL a transaction of 2 statements
 * per fence and one insert per intent (no RETURNING: which row was a duplicate is only told by
 * each insert's own count). test/storage/intent-round-trips.test.ts holds these counts.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { DuplicateIntentError, StaleFencingTokenError } from '../errors.js';
import type { IntentFilter, OrderIntent } from '../records.js';
import { insertIgnoring, raiseFence, raisedFenceSql } from './dialect-sql.js';
import { type QueryContext, pageLimit, pageOffset } from './query-context.js';
import type { StorageSchema } from './kysely-schema.js';
import { intentFromRow, intentRow, toBigInt } from './row-mappers.js';

/** One fence an intent window is checked against. */
interface Fence {
  readonly key: string;
  readonly token: bigint;
}

export async function recordIntent(context: QueryContext, intent: OrderIntent): Promise<void> {
  const existing = await recordIntents(context, [intent]);
  if (existing.length > 0) throw new DuplicateIntentError(intent.exchange, intent.clientOrderId);
}

/**
 * Records a window of intents that share their fence, ownership fence and instance; resolves with
 * the client order ids that were not recorded because their slot round or id existed.
 */
export async function recordIntents(context: QueryContext, intents: readonly OrderIntent[]): Promise<string[]> {
  if (intents.length === 0) return [];
  const first = intents[0]!;
  for (const intent of intents)
    if (
      intent.fenceKey !== first.fenceKey ||
      intent.fencingToken !== first.fencingToken ||
      intent.instanceId !== first.instanceId ||
      intent.exchange !== first.exchange ||
      intent.ownershipFence?.fenceKey !== first.ownershipFence?.fenceKey ||
      intent.ownershipFence?.fencingToken !== first.ownershipFence?.fencingToken
    )
      throw new Error('recordIntents: every intent of a window must share its fences, instance and exchange');
  const fences: Fence[] = [
    ...(first.ownershipFence === undefined
      ? []
      : [{ key: first.ownershipFence.fenceKey, token: first.ownershipFence.fencingToken }]),
    { key: first.fenceKey, token: first.fencingToken },
  ];
  if (context.dialect === 'postgres') return recordInOneStatement(context.db, fences, first.instanceId, intents);
  return context.atomic(async (db) => {
    for (const fence of fences) await holdFence(db, context, fence.key, fence.token, first.instanceId);
    const rows = intents.map(intentRow);
    if (context.dialect === 'sqlite') {
      const recorded = await db
        .insertInto('order_intents')
        .values(rows)
        .onConflict((conflict) => conflict.doNothing())
        .returning('client_order_id')
        .execute();
      const ids = new Set(recorded.map((row) => row.client_order_id));
      return intents.filter((intent) => !ids.has(intent.clientOrderId)).map((intent) => intent.clientOrderId);
    }
    const existing: string[] = [];
    for (const row of rows)
      if ((await insertIgnoring(db, context.dialect, 'order_intents', [row])) === 0) existing.push(row.client_order_id);
    return existing;
  });
}

/**
 * PostgreSQL: the whole window in one autocommitted statement. Each fence is raised only once the
 * fences before it admitted the holder (`where exists`), the intents are inserted only once every
 * fence did, and the statement answers each fence's recorded token and holder and the inserted ids.
 * The upserts hold the fence rows' write locks until the statement commits, as a transaction would.
 */
async function recordInOneStatement(
  db: Kysely<StorageSchema>,
  fences: readonly Fence[],
  holder: string,
  intents: readonly OrderIntent[],
): Promise<string[]> {
  const parameters: unknown[] = [holder];
  const parameter = (value: unknown) => `$${parameters.push(value)}`;
  const ctes = fences.map((fence, index) => {
    const guard = index === 0 ? '' : ` where exists (select 1 from admitted${index - 1})`;
    const key = parameter(fence.key);
    const token = parameter(fence.token.toString());
    return (
      `fence${index} as (${raisedFenceSql(`select ${key}, ${token}::bigint, $1::varchar${guard}`)} returning max_token, holder), ` +
      `admitted${index} as (select 1 from fence${index} where max_token = ${token}::bigint and holder = $1::varchar)`
    );
  });
  const rows = parameter(JSON.stringify(intents.map(intentRow)));
  const last = fences.length - 1;
  const text =
    `with ${ctes.join(', ')}, inserted as (insert into order_intents select * from json_populate_recordset(null::order_intents, ${rows}::json)` +
    ` where exists (select 1 from admitted${last}) on conflict do nothing returning client_order_id) select ` +
    fences
      .map(
        (_, index) =>
          `(select max_token from fence${index}) as token${index}, exists (select 1 from admitted${index}) as admitted${index}`,
      )
      .join(', ') +
    `, (select coalesce(json_agg(client_order_id), '[]'::json) from inserted) as inserted`;
  const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, parameters));
  const answer = result.rows[0]!;
  // The first fence that did not admit the holder refuses the window (the later ones were not raised).
  fences.forEach((fence, index) => {
    if (answer[`admitted${index}`] !== true)
      throw new StaleFencingTokenError(fence.key, fence.token, toBigInt(answer[`token${index}`] as string));
  });
  const inserted = new Set(answer.inserted as string[]);
  return intents.filter((intent) => !inserted.has(intent.clientOrderId)).map((intent) => intent.clientOrderId);
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
  const fence = await raiseFence(db, context.dialect, fenceKey, token.toString(), holder);
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
