/**
 * The `quantmesh db copy` and `db migrate` operations, without the command-line parsing: open the
 * databases (DSN type inferred), run, report. Messages name databases only by their redacted DSN.
 */
import type { SqlDialect } from '../database.js';
import { redactDsn } from '../dsn.js';
import { KyselyDatabase } from '../kysely/kysely-database.js';
import { createStorageDialect } from '../open-database.js';
import { copyDatabase, type TableComparison, verifyCopy } from './copy-database.js';
import { inferDatabaseType } from './database-type.js';
import type { ProgressOutput } from '../../observability/progress-bar.js';

export interface CopyRun {
  readonly from: string;
  readonly to: string;
  readonly force?: boolean | undefined;
  readonly batchSize?: number | undefined;
  readonly out: { write(text: string): unknown };
  readonly progress: ProgressOutput;
}

function open(dsn: string, migrate: boolean, type: SqlDialect = inferDatabaseType(dsn)): Promise<KyselyDatabase> {
  return KyselyDatabase.open(createStorageDialect({ type, dsn, maxOpenConns: 4 }), { migrate });
}

export function formatComparison(comparisons: readonly TableComparison[]): string {
  const lines = comparisons.map((c) => {
    const verdict = c.equal ? 'ok' : `DIFFERS${c.differingKeys.length > 0 ? ` keys ${c.differingKeys.join(' ')}` : ''}`;
    return `${c.table.padEnd(14)} rows ${String(c.sourceRows).padStart(8)} → ${String(c.targetRows).padStart(8)}  checksum ${c.sourceChecksum.slice(0, 16)} ${c.equal ? '=' : '≠'} ${c.targetChecksum.slice(0, 16)}  ${verdict}`;
  });
  return `${lines.join('\n')}\n`;
}

/** Copies, verifies and prints the comparison; resolves true when every table matches. */
export async function runCopy(run: CopyRun): Promise<boolean> {
  // The source is read as it is (not migrated): a copy must not change the database it copies.
  const source = await open(run.from, false);
  try {
    const target = await open(run.to, true);
    try {
      run.progress.write(`copying ${redactDsn(run.from)} → ${redactDsn(run.to)}\n`);
      const endpoints = [
        { db: source.kysely, dialect: source.dialect },
        { db: target.kysely, dialect: target.dialect },
      ] as const;
      await copyDatabase(endpoints[0], endpoints[1], {
        force: run.force,
        batchSize: run.batchSize,
        progress: run.progress,
      });
      const comparisons = await verifyCopy(endpoints[0], endpoints[1], { batchSize: run.batchSize });
      run.out.write(formatComparison(comparisons));
      const equal = comparisons.every((c) => c.equal);
      run.out.write(
        equal
          ? 'verified: every table has equal row counts and checksums\n'
          : 'verification FAILED: see the tables marked DIFFERS\n',
      );
      return equal;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** Applies pending migrations to the database at `dsn`. */
export async function runMigrate(
  type: SqlDialect | undefined,
  dsn: string,
  out: { write(text: string): unknown },
): Promise<void> {
  const database = await open(dsn, false, type);
  try {
    await database.migrate();
    out.write(`migrated ${redactDsn(dsn)} (${database.dialect})\n`);
  } finally {
    await database.close();
  }
}
