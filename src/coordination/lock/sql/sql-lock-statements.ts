/**
 * The statements of SqlLock per dialect. Lease times are milliseconds on the DATABASE's clock, taken
 * inside the statement that uses them, so every instance judges expiry on the same clock.
 *
 * Table `qm_locks(lock_key PK, owner, token, expires_at)`: a row is never deleted. Release clears
 * the owner and expiry; the token column only ever grows (+1 on every acquisition), which makes it
 * the fencing token.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';

export type SqlLockDialect = 'postgres' | 'mysql' | 'sqlite';

/** Milliseconds since the epoch on the database's clock, fixed for the statement. */
function dbNowMs(dialect: SqlLockDialect): RawBuilder<number> {
  switch (dialect) {
    case 'postgres':
      return sql<number>`(extract(epoch from statement_timestamp()) * 1000)::bigint`;
    case 'mysql':
      return sql<number>`CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)`;
    case 'sqlite':
      return sql<number>`CAST(unixepoch('subsec') * 1000 AS INTEGER)`;
  }
}

export function createTable(dialect: SqlLockDialect): RawBuilder<unknown> {
  switch (dialect) {
    case 'postgres':
      return sql`CREATE TABLE IF NOT EXISTS qm_locks (lock_key VARCHAR(255) PRIMARY KEY, owner VARCHAR(64), token BIGINT NOT NULL, expires_at BIGINT NOT NULL)`;
    // utf8mb4_bin: keys compare byte for byte; 191 characters fit InnoDB's index prefix limit.
    case 'mysql':
      return sql`CREATE TABLE IF NOT EXISTS qm_locks (lock_key VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, owner VARCHAR(64), token BIGINT NOT NULL, expires_at BIGINT NOT NULL) ENGINE=InnoDB`;
    case 'sqlite':
      return sql`CREATE TABLE IF NOT EXISTS qm_locks (lock_key TEXT PRIMARY KEY, owner TEXT, token INTEGER NOT NULL, expires_at INTEGER NOT NULL)`;
  }
}

/**
 * Takes the key if it has no row or its lease ran out, in one statement; resolves with the new token,
 * or undefined when another holder's lease is still running.
 */
export async function acquire(
  db: Kysely<any>,
  dialect: SqlLockDialect,
  key: string,
  owner: string,
  ttlMs: number,
): Promise<bigint | undefined> {
  const now = dbNowMs(dialect);
  if (dialect === 'mysql') {
    // MySQL has no RETURNING on upserts. Assignments run left to right, so expires_at is changed
    // last and every condition still sees the old lease.
    await sql`INSERT INTO qm_locks (lock_key, owner, token, expires_at) VALUES (${key}, ${owner}, 1, ${now} + ${ttlMs})
      ON DUPLICATE KEY UPDATE
        token = IF(expires_at <= ${now}, token + 1, token),
        owner = IF(expires_at <= ${now}, VALUES(owner), owner),
        expires_at = IF(expires_at <= ${now}, VALUES(expires_at), expires_at)`.execute(db);
    // Any pooled connection may read back: owner and token change together in one statement and the
    // owner is unique to this attempt, so "owner is ours" means the token is ours.
    const { rows } = await sql<{
      owner: string | null;
      token: string | number;
    }>`SELECT owner, token FROM qm_locks WHERE lock_key = ${key}`.execute(db);
    const row = rows[0];
    return row !== undefined && row.owner === owner ? BigInt(row.token) : undefined;
  }
  const { rows } = await sql<{
    token: string | number | bigint;
  }>`INSERT INTO qm_locks (lock_key, owner, token, expires_at) VALUES (${key}, ${owner}, 1, ${now} + ${ttlMs})
    ON CONFLICT (lock_key) DO UPDATE SET owner = excluded.owner, token = qm_locks.token + 1, expires_at = excluded.expires_at
    WHERE qm_locks.expires_at <= ${now}
    RETURNING token`.execute(db);
  return rows[0] === undefined ? undefined : BigInt(rows[0].token);
}

/**
 * Raises the key's token column to `floor` if it is lower, creating a free row when there is none
 * (the next acquisition adds one). A holder's owner and expiry are left as they are.
 */
export async function raiseFloor(db: Kysely<any>, dialect: SqlLockDialect, key: string, floor: bigint): Promise<void> {
  const value = floor.toString();
  if (dialect === 'mysql') {
    await sql`INSERT INTO qm_locks (lock_key, owner, token, expires_at) VALUES (${key}, NULL, ${value}, 0)
      ON DUPLICATE KEY UPDATE token = GREATEST(token, VALUES(token))`.execute(db);
    return;
  }
  const greatest =
    dialect === 'sqlite' ? sql`MAX(qm_locks.token, excluded.token)` : sql`GREATEST(qm_locks.token, excluded.token)`;
  await sql`INSERT INTO qm_locks (lock_key, owner, token, expires_at) VALUES (${key}, NULL, ${value}, 0)
    ON CONFLICT (lock_key) DO UPDATE SET token = ${greatest}`.execute(db);
}

/** Resets the lease to `ttlMs` from now if `owner` still holds it; true when it did. */
export async function extend(
  db: Kysely<any>,
  dialect: SqlLockDialect,
  key: string,
  owner: string,
  ttlMs: number,
): Promise<boolean> {
  const now = dbNowMs(dialect);
  const result =
    await sql`UPDATE qm_locks SET expires_at = ${now} + ${ttlMs} WHERE lock_key = ${key} AND owner = ${owner} AND expires_at > ${now}`.execute(
      db,
    );
  return (result.numAffectedRows ?? 0n) > 0n;
}

/** Ends the lease if `owner` still holds it (the row and its token stay); true when it did. */
export async function release(db: Kysely<any>, dialect: SqlLockDialect, key: string, owner: string): Promise<boolean> {
  const now = dbNowMs(dialect);
  const result =
    await sql`UPDATE qm_locks SET owner = NULL, expires_at = 0 WHERE lock_key = ${key} AND owner = ${owner} AND expires_at > ${now}`.execute(
      db,
    );
  return (result.numAffectedRows ?? 0n) > 0n;
}
