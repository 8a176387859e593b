/** Runs the QuantMesh CLI from source as a child process (what `npx quantmesh` does), for app tests. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { type OwnedProcess, projectRoot, startProcess } from '../harness/child-process.js';

// The child's cwd is a temp dir, so tsx is given by URL rather than resolved from there.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const BIN = join(projectRoot, 'src/cli/bin.ts');

export function startQuantMesh(args: readonly string[], cwd: string): OwnedProcess {
  return startProcess(process.execPath, ['--import', TSX, BIN, ...args], { cwd });
}

/**
 * The configuration sections of an instance trading one symbol's grid on a sim-venue account
 * through the ccxt adapter (cancel_on_exit on): what the app tests' instances share.
 */
export function simVenueTradingYaml(
  venueUrl: string,
  account: { apiKey: string; apiSecret: string },
  symbol: string,
): string {
  return `exchanges:
  binance:
    api_key: ${account.apiKey}
    secret_key: ${account.apiSecret}
    base_url: ${venueUrl}
trading:
  symbols:
    - { exchange: binance, symbol: ${symbol}, price_interval: "50", order_quantity: "130", buy_window_size: 6, sell_window_size: 6, reconcile_interval: 2s }
system:
  cancel_on_exit: true
`;
}

/** The same for a spot grid: the account's Binance spot API on the sim venue (ccxt `binance`). */
export function spotVenueTradingYaml(
  venueUrl: string,
  account: { apiKey: string; apiSecret: string },
  symbol: string,
): string {
  return simVenueTradingYaml(venueUrl, account, symbol).replace(
    `    base_url: ${venueUrl}\n`,
    `    base_url: ${venueUrl}\n    market: spot\n`,
  );
}

/** The `instance`, `database` and `storage` sections of a one-instance test: SQLite and its spool in `dir`, flushed every 100 ms. */
export function sqliteInstanceYaml(id: string, dir: string): string {
  return `instance:
  id: ${id}
database:
  type: sqlite
  dsn: ${join(dir, 'quantmesh.db')}
storage:
  spool_path: ${join(dir, 'spool')}
  flush_interval: 100ms
`;
}

/** Reads a finished instance's SQLite file (read-only). */
export function readSqlite<T>(file: string, read: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The pino records (JSON lines) in `output` that `match`. */
export function logRecords(
  output: string,
  match: (record: Record<string, unknown>) => boolean,
): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter(match);
}

/** The last status line of each symbol an instance logged after it began to stop, with the grids stopped. */
export function stoppedStatusLines(output: string): { symbol: string; orders: number }[] {
  const lines = output.split('\n');
  const stoppedAt = lines.findIndex((line) => line.includes('"msg":"stopping:'));
  return logRecords(
    lines.slice(stoppedAt).join('\n'),
    (record) => (record.symbolStatus as { state?: string } | undefined)?.state === 'stopped',
  ).map((record) => record.symbolStatus as { symbol: string; orders: number });
}

/** The `instance`, `database` and `storage` sections of an instance of a cluster sharing one PostgreSQL database (spool in `dir`). */
export function sharedPostgresYaml(id: string, dir: string, databaseUrl: string): string {
  return `instance:
  id: ${id}
database:
  type: postgres
  dsn: ${databaseUrl}
storage:
  spool_path: ${join(dir, 'spool')}
  flush_interval: 100ms
`;
}
