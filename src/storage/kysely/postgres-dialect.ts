/**
 * PostgreSQL through pg. Pool settings: `max` = maxOpenConns; `maxLifetimeSeconds` =
 * connMaxLifetimeSeconds; idle connections beyond maxIdleConns are closed when released (pg keeps
 * the rest until `idleTimeoutMillis`). Several hosts in the DSN form a primary/replica set: the pool
 * is opened on the host that answers `pg_is_in_recovery() = false` and `transaction_read_only = off`;
 * after a connection or read-only failure the adapter calls `reprobe()` and the next connection
 * finds the new primary. BIGINT and NUMERIC come back as strings (converted by the row mappers).
 */
import { PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { type HostPort, type ServerConnection } from '../dsn.js';
import { hostText, PrimaryFollower } from './primary-finder.js';
import type { FailureKind, PoolSettings, StorageDialect } from './storage-dialect.js';

const CONNECT_TIMEOUT_MS = 5_000;
const IDLE_TIMEOUT_MS = 30_000;
/**
 * A paused instance (SIGSTOP, a VM freeze) must not keep row locks its successor needs (issue 14:
 * takeover never waits for a paused holder). Every statement of a transaction here is sent right
 * after the previous one answered, so a session idle inside a transaction this long belongs to a
 * process that stopped: the server ends it and its locks go. A lock wait is bounded as well: a
 * takeover's ownership claim fails (and is campaigned for again) instead of queueing behind it.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 1_000;
const LOCK_TIMEOUT_MS = 1_500;

function clientConfig(connection: ServerConnection, host: HostPort): pg.ClientConfig {
  return {
    host: host.host,
    port: host.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    lock_timeout: LOCK_TIMEOUT_MS,
    ssl:
      connection.params.sslmode !== undefined && connection.params.sslmode !== 'disable'
        ? { rejectUnauthorized: connection.params.sslmode === 'verify-full' }
        : undefined,
  };
}

async function isWritable(connection: ServerConnection, host: HostPort): Promise<boolean> {
  const client = new pg.Client(clientConfig(connection, host));
  client.on('error', () => undefined);
  await client.connect();
  try {
    const result = await client.query<{ recovery: boolean; read_only: string }>(
      "select pg_is_in_recovery() as recovery, current_setting('transaction_read_only') as read_only",
    );
    const row = result.rows[0]!;
    return !row.recovery && row.read_only === 'off';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A pool that follows the primary: a pg.Pool on the writable host, replaced after `reprobe()`. */
class PrimaryFollowingPool implements PostgresPool {
  readonly #follower: PrimaryFollower<pg.Pool>;
  readonly #guarded = new WeakSet<object>();

  constructor(
    connection: ServerConnection,
    readonly settings: PoolSettings,
  ) {
    this.#follower = new PrimaryFollower(
      'postgres',
      connection.hosts,
      (host) => isWritable(connection, host),
      (host) => {
        const pool = new pg.Pool({
          ...clientConfig(connection, host),
          max: settings.maxOpenConns,
          idleTimeoutMillis: IDLE_TIMEOUT_MS,
          maxLifetimeSeconds: settings.connMaxLifetimeSeconds,
        });
        // A server that goes away kills idle clients; the error surfaces on the next query instead.
        pool.on('error', () => undefined);
        return pool;
      },
      (pool) => pool.end(),
    );
  }

  get follower(): PrimaryFollower<pg.Pool> {
    return this.#follower;
  }

  async connect(): Promise<PostgresPoolClient> {
    const pool = await this.#follower.ensure();
    const client = await pool.connect();
    // pg only listens for errors of idle clients; a socket dying under a checked-out client would
    // otherwise be an unhandled 'error' event that kills the process. The failed query reports it.
    if (!this.#guarded.has(client)) {
      this.#guarded.add(client);
      client.on('error', () => undefined);
    }
    const release = client.release.bind(client);
    // Only maxIdleConns connections stay idle; the extra ones close when they come back.
    return Object.assign(client, {
      release: (destroy?: boolean | Error) =>
        release(destroy === true || destroy instanceof Error || pool.idleCount >= this.settings.maxIdleConns),
    });
  }

  end(): Promise<void> {
    return this.#follower.end();
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // A lock wait past lock_timeout, and a session ended for idling in its transaction (a paused
  // holder's, seen once it resumes): nothing was written, try again later.
  '55P03',
  '25P03',
]);

function classifyPostgresError(error: unknown): FailureKind {
  const code = (error as { code?: unknown }).code;
  if (code === '25006') return 'read-only';
  if (code === '40001' || code === '40P01') return 'conflict';
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return 'unavailable';
  if (error instanceof Error && code === undefined) {
    // pg reports a dropped socket and a connect timeout as plain Errors without a code.
    return /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed/i.test(
      error.message,
    )
      ? 'unavailable'
      : 'other';
  }
  return 'other';
}

export function createPostgresDialect(connection: ServerConnection, settings: PoolSettings): StorageDialect {
  const pool = new PrimaryFollowingPool(connection, settings);
  return {
    dialect: 'postgres',
    kyselyDialect: new PostgresDialect({ pool }),
    classify: classifyPostgresError,
    reprobe: () => pool.follower.reprobe(),
    currentHost: () => hostText(pool.follower.host),
  };
}
