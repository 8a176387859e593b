/**
 * MySQL/MariaDB through mysql2. Pool settings: `connectionLimit` = maxOpenConns, `maxIdle` =
 * maxIdleConns, `idleTimeout` closes idle connections, and connMaxLifetimeSeconds is enforced here
 * (mysql2 has no lifetime option): a connection older than it is destroyed when next taken from the
 * pool. BIGINT and DECIMAL come back as strings (`supportBigNumbers` + `bigNumberStrings`; decimals
 * are strings by default). Several hosts form a primary/replica set: the writable one has
 * `@@global.read_only = 0`; after a connection or read-only failure `reprobe()` makes the next
 * connection look again.
 */
import { MysqlDialect, type MysqlPool, type MysqlPoolConnection } from 'kysely';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import type { HostPort, ServerConnection } from '../dsn.js';
import { hostText, PrimaryFollower } from './primary-finder.js';
import type { FailureKind, PoolSettings, StorageDialect } from './storage-dialect.js';

const CONNECT_TIMEOUT_MS = 5_000;
const IDLE_TIMEOUT_MS = 30_000;

function connectionOptions(connection: ServerConnection, host: HostPort): mysql.ConnectionOptions {
  return {
    host: host.host,
    port: host.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    connectTimeout: CONNECT_TIMEOUT_MS,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: 'utf8mb4',
    timezone: 'Z',
  };
}

async function isWritable(connection: ServerConnection, host: HostPort): Promise<boolean> {
  const probe = await mysqlPromise.createConnection(connectionOptions(connection, host));
  try {
    const [rows] = await probe.query('select @@global.read_only as read_only');
    return Number((rows as { read_only: number | string }[])[0]!.read_only) === 0;
  } finally {
    await probe.end().catch(() => undefined);
  }
}

/** A pool that follows the primary: a mysql2 pool on the writable host, replaced after `reprobe()`. */
class PrimaryFollowingPool implements MysqlPool {
  readonly #follower: PrimaryFollower<mysql.Pool>;
  readonly #bornAt = new WeakMap<object, number>();

  constructor(
    connection: ServerConnection,
    readonly settings: PoolSettings,
  ) {
    this.#follower = new PrimaryFollower(
      'mysql',
      connection.hosts,
      (host) => isWritable(connection, host),
      (host) => {
        const pool = mysql.createPool({
          ...connectionOptions(connection, host),
          connectionLimit: settings.maxOpenConns,
          maxIdle: settings.maxIdleConns,
          idleTimeout: IDLE_TIMEOUT_MS,
        });
        return pool;
      },
      (pool) => new Promise<void>((resolve) => pool.end(() => resolve())),
    );
  }

  get follower(): PrimaryFollower<mysql.Pool> {
    return this.#follower;
  }

  getConnection(callback: (error: unknown, connection: MysqlPoolConnection) => void): void {
    this.#follower.ensure().then(
      (pool) => this.#take(pool, callback),
      (error: unknown) => callback(error, undefined as never),
    );
  }

  end(callback: (error: unknown) => void): void {
    this.#follower.end().then(() => callback(undefined), callback);
  }

  #take(pool: mysql.Pool, callback: (error: unknown, connection: MysqlPoolConnection) => void): void {
    pool.getConnection((error, connection) => {
      if (error) return callback(error, undefined as never);
      const lifetimeMs = this.settings.connMaxLifetimeSeconds * 1000;
      let bornAt = this.#bornAt.get(connection);
      if (bornAt === undefined) this.#bornAt.set(connection, (bornAt = Date.now()));
      if (lifetimeMs > 0 && Date.now() - bornAt > lifetimeMs) {
        connection.destroy();
        return this.#take(pool, callback);
      }
      callback(undefined, connection as unknown as MysqlPoolConnection);
    });
  }
}

const READ_ONLY_ERRNOS = new Set([1290, 1836]);

function classifyMysqlError(error: unknown): FailureKind {
  const { errno, fatal, code } = error as { errno?: unknown; fatal?: unknown; code?: unknown };
  if (typeof errno === 'number' && READ_ONLY_ERRNOS.has(errno)) return 'read-only';
  if (errno === 1213 || errno === 1205) return 'conflict'; // deadlock, lock wait timeout: rolled back
  // mysql2 marks every error that kills the connection (refused, reset, lost, timeout) as fatal.
  if (fatal === true || code === 'ECONNREFUSED' || errno === 1053 || errno === 1040) return 'unavailable';
  return 'other';
}

export function createMysqlDialect(connection: ServerConnection, settings: PoolSettings): StorageDialect {
  const pool = new PrimaryFollowingPool(connection, settings);
  return {
    dialect: 'mysql',
    kyselyDialect: new MysqlDialect({ pool }),
    classify: classifyMysqlError,
    reprobe: () => pool.follower.reprobe(),
    currentHost: () => hostText(pool.follower.host),
  };
}
