/**
 * Reads a table in primary-key order, `batchSize` rows at a time, by keyset pagination (`WHERE key >
 * last key`), canonicalising each row: decimals as `decimalToString`, integers as decimal text, text
 * as is. The same logical row therefore looks the same whichever dialect it came from.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { dec, decimalToString } from '../../domain/decimal.js';
import type { StorageSchema } from '../kysely/kysely-schema.js';
import type { TableSpec } from './copy-tables.js';

export type CanonicalRow = Readonly<Record<string, string | null>>;

export function canonicalRow(spec: TableSpec, row: Record<string, unknown>): CanonicalRow {
  const canonical: Record<string, string | null> = {};
  for (const [column, kind] of Object.entries(spec.columns)) {
    const value = row[column];
    if (value === null || value === undefined) canonical[column] = null;
    else if (kind === 'decimal') canonical[column] = decimalToString(dec(value as string | bigint));
    else if (kind === 'integer') canonical[column] = BigInt(value as string | number | bigint).toString();
    else canonical[column] = String(value);
  }
  return canonical;
}

/** sha256 of the row's canonical JSON (columns in the spec's order). */
export function rowDigest(row: CanonicalRow): bigint {
  return BigInt(`0x${createHash('sha256').update(JSON.stringify(row)).digest('hex')}`);
}

/** The key of a canonical row, as JSON (for reports). */
export function rowKey(spec: TableSpec, row: CanonicalRow): string {
  return JSON.stringify(spec.key.map((column) => row[column]));
}

export async function* scanTable(
  db: Kysely<StorageSchema>,
  spec: TableSpec,
  batchSize: number,
): AsyncGenerator<CanonicalRow[]> {
  // Kysely's typed builder cannot follow a table chosen at run time; the spec names real columns.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const untyped = db as Kysely<any>;
  let last: CanonicalRow | undefined;
  for (;;) {
    let query = untyped.selectFrom(spec.name).selectAll();
    for (const column of spec.key) query = query.orderBy(column);
    if (last !== undefined) {
      const after = last;
      query = query.where(({ eb }) => {
        const columns = spec.key.map((column) => sql.ref(column));
        const values = spec.key.map((column) => after[column]!);
        // Row-value comparison (a, b) > (x, y) follows the same order as ORDER BY a, b on every dialect.
        return eb(sql`(${sql.join(columns)})`, '>', sql`(${sql.join(values)})`);
      });
    }
    const rows = (await query.limit(batchSize).execute()) as Record<string, unknown>[];
    if (rows.length === 0) return;
    const canonical = rows.map((row) => canonicalRow(spec, row));
    yield canonical;
    if (rows.length < batchSize) return;
    last = canonical.at(-1);
  }
}
