/**
 * `db copy` (R11): copies every table from one database to another of any dialect in batches (keyset
 * pagination by primary key, multi-row upserts, so a second run repairs instead of duplicating), then
 * verifies each table on both sides: row count and a checksum that does not depend on row order (the
 * sum modulo 2^256 of the sha256 of every canonical row, so two collations ordering text keys
 * differently still agree). When a table differs, the differing keys are listed (up to 10).
 */
import type { Kysely } from 'kysely';
import { CopyTargetNotEmptyError } from '../errors.js';
import type { StorageSchema } from '../kysely/kysely-schema.js';
import { upsertRows } from '../kysely/dialect-sql.js';
import type { SqlDialect } from '../database.js';
import { COPY_TABLES, type TableSpec } from './copy-tables.js';
import { ProgressBar, type ProgressOutput } from '../../observability/progress-bar.js';
import { rowDigest, rowKey, scanTable } from './table-scan.js';

export interface CopyEndpoint {
  readonly db: Kysely<StorageSchema>;
  readonly dialect: SqlDialect;
}

export interface TableComparison {
  readonly table: string;
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly sourceChecksum: string;
  readonly targetChecksum: string;
  readonly equal: boolean;
  /** Keys present on one side only or with different content (at most 10). */
  readonly differingKeys: readonly string[];
}

const MODULUS = 1n << 256n;
const MAX_LISTED = 10;

async function countRows(endpoint: CopyEndpoint, spec: TableSpec): Promise<number> {
  // The table is chosen at run time from the spec, which Kysely's typed builder cannot follow.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const row = await (endpoint.db as Kysely<any>)
    .selectFrom(spec.name)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Tables of the target that already hold rows. */
export async function nonEmptyTables(target: CopyEndpoint): Promise<string[]> {
  const counts = await Promise.all(
    COPY_TABLES.map(async (spec) => [spec.name, await countRows(target, spec)] as const),
  );
  return counts.filter(([, n]) => n > 0).map(([name]) => name);
}

export async function copyDatabase(
  source: CopyEndpoint,
  target: CopyEndpoint,
  options: { force?: boolean; batchSize?: number; progress?: ProgressOutput } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 1000;
  if (options.force !== true) {
    const filled = await nonEmptyTables(target);
    if (filled.length > 0) throw new CopyTargetNotEmptyError(filled);
  }
  const bar = options.progress === undefined ? undefined : new ProgressBar(options.progress, { unit: 'rows' });
  let copied = 0;
  for (const spec of COPY_TABLES) {
    const total = await countRows(source, spec);
    let done = 0;
    bar?.update(done, total, spec.name);
    for await (const rows of scanTable(source.db, spec, batchSize)) {
      await upsertRows(target.db, target.dialect, spec.name, spec.key, rows);
      done += rows.length;
      bar?.update(done, total, spec.name);
    }
    bar?.finish();
    copied += done;
  }
  return copied;
}

async function summarise(
  endpoint: CopyEndpoint,
  spec: TableSpec,
  batchSize: number,
): Promise<{ rows: number; checksum: bigint }> {
  let rows = 0;
  let checksum = 0n;
  for await (const batch of scanTable(endpoint.db, spec, batchSize)) {
    rows += batch.length;
    for (const row of batch) checksum = (checksum + rowDigest(row)) % MODULUS;
  }
  return { rows, checksum };
}

async function digestsByKey(endpoint: CopyEndpoint, spec: TableSpec, batchSize: number): Promise<Map<string, bigint>> {
  const digests = new Map<string, bigint>();
  for await (const batch of scanTable(endpoint.db, spec, batchSize))
    for (const row of batch) digests.set(rowKey(spec, row), rowDigest(row));
  return digests;
}

export async function verifyCopy(
  source: CopyEndpoint,
  target: CopyEndpoint,
  options: { batchSize?: number } = {},
): Promise<TableComparison[]> {
  const batchSize = options.batchSize ?? 1000;
  const comparisons: TableComparison[] = [];
  for (const spec of COPY_TABLES) {
    const [from, to] = await Promise.all([summarise(source, spec, batchSize), summarise(target, spec, batchSize)]);
    const equal = from.rows === to.rows && from.checksum === to.checksum;
    let differingKeys: string[] = [];
    if (!equal) {
      const [left, right] = await Promise.all([
        digestsByKey(source, spec, batchSize),
        digestsByKey(target, spec, batchSize),
      ]);
      const keys = new Set([...left.keys(), ...right.keys()]);
      differingKeys = [...keys].filter((key) => left.get(key) !== right.get(key)).slice(0, MAX_LISTED);
    }
    comparisons.push({
      table: spec.name,
      sourceRows: from.rows,
      targetRows: to.rows,
      equal,
      differingKeys,
      sourceChecksum: from.checksum.toString(16).padStart(64, '0'),
      targetChecksum: to.checksum.toString(16).padStart(64, '0'),
    });
  }
  return comparisons;
}
