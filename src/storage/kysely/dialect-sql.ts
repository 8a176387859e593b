/**
 * The few places where the three SQL dialects differ, kept in one file (docs/storage.md, "Dialect
 * differences"): idempotent inserts, upserts, the UTC day of an epoch-ms column, and exact decimal
 * aggregation (SQLite has no decimal type: it sums decimal TEXT through the exact `dec_*` functions
 * that `sqlite-dialect.ts` registers on its connection).
 */
import { CompiledQuery, type Expression, type Kysely, type RawBuilder, sql } from 'kysely';
import type { SqlDialect } from '../database.js';
import type { StorageSchema } from './kysely-schema.js';

type TableName = keyof StorageSchema;
/** Helpers write any table; the typed row comes from `row-mappers.ts`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const CHUNK_PARAMETERS = 30_000; // below SQLite's 32766 and the servers' 65535 bind parameters

const insertTexts = new Map<string, string>();

/**
 * The text of a multi-row insert that skips existing keys. This is the hot path of batch writes and
 * spool flushes, so it is built once per (dialect, table, columns, row count) and executed as a
 * compiled query, instead of rebuilding Kysely's node tree for thousands of values per batch.
 */
function ignoringInsertText(dialect: SqlDialect, table: TableName, columns: readonly string[], rows: number): string {
  // mysql2 expands one `?` bound to an array of rows into the whole VALUES list itself.
  const cacheKey = `${dialect}|${table}|${columns.join(',')}|${dialect === 'mysql' ? 0 : rows}`;
  let text = insertTexts.get(cacheKey);
  if (text === undefined) {
    const quote = (name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
    let parameter = 0;
    const placeholder = () => (dialect === 'postgres' ? `$${(parameter += 1)}` : '?');
    const tuples =
      dialect === 'mysql'
        ? '?'
        : Array.from({ length: rows }, () => `(${columns.map(placeholder).join(', ')})`).join(', ');
    const head = `insert ${dialect === 'mysql' ? 'ignore ' : ''}into ${quote(table)} (${columns.map(quote).join(', ')}) values ${tuples}`;
    text = dialect === 'mysql' ? head : `${head} on conflict do nothing`;
    if (insertTexts.size > 256) insertTexts.clear();
    insertTexts.set(cacheKey, text);
  }
  return text;
}

/** Inserts rows, skipping those whose primary or unique key exists; returns how many were inserted. */
export async function insertIgnoring<T extends object>(
  db: Kysely<StorageSchema>,
  dialect: SqlDialect,
  table: TableName,
  rows: readonly T[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = Object.keys(rows[0]!);
  const chunk = Math.max(1, Math.floor(CHUNK_PARAMETERS / columns.length));
  let inserted = 0;
  for (let start = 0; start < rows.length; start += chunk) {
    const slice = rows.slice(start, start + chunk);
    const tuples = slice.map((row) => columns.map((column) => (row as Record<string, unknown>)[column]));
    const parameters = dialect === 'mysql' ? [tuples] : tuples.flat();
    const result = await db.executeQuery(
      CompiledQuery.raw(ignoringInsertText(dialect, table, columns, slice.length), parameters),
    );
    inserted += Number(result.numAffectedRows ?? 0n);
  }
  return inserted;
}

/** Inserts the row or, when `keys` exist, overwrites its other columns. */
export function upsertRow<T extends object>(
  db: Kysely<StorageSchema>,
  dialect: SqlDialect,
  table: TableName,
  keys: readonly (keyof T & string)[],
  row: T,
): Promise<void> {
  return upsertRows(db, dialect, table, keys, [row]);
}

/** Multi-row upsert: rows whose `keys` exist get their other columns overwritten by the new values. */
export async function upsertRows<T extends object>(
  db: Kysely<StorageSchema>,
  dialect: SqlDialect,
  table: TableName,
  keys: readonly (keyof T & string)[],
  rows: readonly T[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!).filter((column) => !keys.includes(column as keyof T & string));
  const chunk = Math.max(1, Math.floor(CHUNK_PARAMETERS / Object.keys(rows[0]!).length));
  for (let start = 0; start < rows.length; start += chunk) {
    const query = (db as AnyDb).insertInto(table).values(rows.slice(start, start + chunk) as T[]);
    // The new row's values: `excluded.col` on PostgreSQL/SQLite, `values(col)` on MySQL.
    const fresh = (column: string) =>
      dialect === 'mysql' ? sql`values(${sql.ref(column)})` : sql.ref(`excluded.${column}`);
    const updates = Object.fromEntries(columns.map((column) => [column, fresh(column)]));
    await (
      dialect === 'mysql'
        ? query.onDuplicateKeyUpdate(updates)
        : query.onConflict((conflict) => conflict.columns([...keys]).doUpdateSet(updates))
    ).execute();
  }
}

/**
 * The holder after a fence upsert: the new one when the token rises (or the row has none yet, from
 * before migration 0004); an equal token leaves the recorded holder, so `recordIntent` can refuse a
 * second holder. Every expression of the SET reads the old row on PostgreSQL and SQLite.
 */
const RAISED_HOLDER = `case when excluded.max_token > fences.max_token or (excluded.max_token = fences.max_token and fences.holder is null) then excluded.holder else fences.holder end`;

/** PostgreSQL: the fence upsert of the (fence_key, max_token, holder) row that `source` yields (a VALUES or SELECT). */
export function raisedFenceSql(source: string): string {
  return `insert into fences (fence_key, max_token, holder) ${source} on conflict (fence_key) do update set max_token = greatest(fences.max_token, excluded.max_token), holder = ${RAISED_HOLDER}`;
}

/**
 * Raises `fences.max_token` to `token` if it is higher (see RAISED_HOLDER for the holder), taking
 * the row's write lock until commit; returns the row as it is now (one statement with RETURNING on
 * PostgreSQL and SQLite, an upsert and a read on MySQL).
 */
export async function raiseFence(
  db: Kysely<StorageSchema>,
  dialect: SqlDialect,
  fenceKey: string,
  token: string,
  holder: string,
): Promise<{ max_token: string | number | bigint; holder: string | null }> {
  if (dialect === 'postgres') {
    const result = await db.executeQuery<{ max_token: string; holder: string | null }>(
      CompiledQuery.raw(`${raisedFenceSql('values ($1, $2::bigint, $3::varchar)')} returning max_token, holder`, [
        fenceKey,
        token,
        holder,
      ]),
    );
    return result.rows[0]!;
  }
  const query = db.insertInto('fences').values({ fence_key: fenceKey, max_token: token, holder });
  if (dialect === 'sqlite')
    return query
      .onConflict((conflict) =>
        conflict.column('fence_key').doUpdateSet({
          max_token: sql<string>`max(fences.max_token, excluded.max_token)`,
          holder: sql.raw<string>(RAISED_HOLDER),
        }),
      )
      .returning(['max_token', 'holder'])
      .executeTakeFirstOrThrow();
  // MySQL assigns left to right, each seeing the columns already assigned: holder first, against the old max_token.
  await query
    .onDuplicateKeyUpdate({
      holder: sql<string>`if(values(max_token) > max_token or (values(max_token) = max_token and holder is null), values(holder), holder)`,
      max_token: sql<string>`greatest(max_token, values(max_token))`,
    })
    .execute();
  return db
    .selectFrom('fences')
    .select(['max_token', 'holder'])
    .where('fence_key', '=', fenceKey)
    .executeTakeFirstOrThrow();
}

/** Whole UTC days since the epoch of an epoch-ms BIGINT column (integer division on every dialect). */
export function utcDayNumber(dialect: SqlDialect, column: Expression<unknown>): RawBuilder<number | string | bigint> {
  return dialect === 'mysql' ? sql`(${column} div 86400000)` : sql`(${column} / 86400000)`;
}

/** Exact sum of a decimal column, as decimal text or a driver string. */
export function decimalSum(dialect: SqlDialect, value: Expression<unknown>): RawBuilder<string | null> {
  return dialect === 'sqlite' ? sql`dec_sum(${value})` : sql`sum(${value})`;
}

/** Exact product of two decimal columns. */
export function decimalProduct(
  dialect: SqlDialect,
  left: Expression<unknown>,
  right: Expression<unknown>,
): RawBuilder<string> {
  return dialect === 'sqlite' ? sql`dec_mul(${left}, ${right})` : sql`(${left} * ${right})`;
}

/** 1 when the decimal column is > 0, else 0 (SQLite compares decimal TEXT exactly through `dec_sign`). */
export function isPositive(dialect: SqlDialect, value: Expression<unknown>): RawBuilder<number> {
  return dialect === 'sqlite'
    ? sql`(case when dec_sign(${value}) > 0 then 1 else 0 end)`
    : sql`(case when ${value} > 0 then 1 else 0 end)`;
}
