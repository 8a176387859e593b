/**
 * The budget store in the database (PostgreSQL, MySQL/MariaDB, SQLite): table
 * `qm_rate_budget(budget_key PK, version, state)`, created on first use like the lock's table. The
 * first write inserts version 1 unless a row exists; later writes update where the version is
 * still the one read.
 */
import { createTableOnce } from '../lock/sql/create-table-once.js';
import { type Kysely, sql } from 'kysely';
import type { SqlLockDialect } from '../lock/sql/sql-lock-statements.js';
import type { BudgetStore, VersionedValue } from './budget-store.js';

function createTable(dialect: SqlLockDialect) {
  switch (dialect) {
    case 'postgres':
      return sql`CREATE TABLE IF NOT EXISTS qm_rate_budget (budget_key VARCHAR(255) PRIMARY KEY, version BIGINT NOT NULL, state TEXT NOT NULL)`;
    case 'mysql':
      return sql`CREATE TABLE IF NOT EXISTS qm_rate_budget (budget_key VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, version BIGINT NOT NULL, state TEXT NOT NULL) ENGINE=InnoDB`;
    case 'sqlite':
      return sql`CREATE TABLE IF NOT EXISTS qm_rate_budget (budget_key TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL)`;
  }
}

export class SqlBudgetStore implements BudgetStore {
  readonly backend = 'database';
  readonly #db: Kysely<any>;
  readonly #dialect: SqlLockDialect;
  readonly #ownsDb: boolean;
  /** Creates the table on first use (the adapters' shared rule: once, one retry for racing instances). */
  readonly #ensureSchema: () => Promise<void>;

  constructor(options: { db: Kysely<any>; dialect: SqlLockDialect; ownsDb?: boolean }) {
    this.#db = options.db;
    this.#dialect = options.dialect;
    this.#ensureSchema = createTableOnce(options.db, () => createTable(options.dialect));
    this.#ownsDb = options.ownsDb ?? false;
  }

  async read(key: string): Promise<VersionedValue> {
    await this.#ensureSchema();
    const row = await this.#db
      .selectFrom('qm_rate_budget')
      .select(['version', 'state'])
      .where('budget_key', '=', key)
      .executeTakeFirst();
    return { version: row === undefined ? 0 : Number(row.version), value: row?.state };
  }

  async compareAndSet(key: string, version: number, value: string): Promise<boolean> {
    await this.#ensureSchema();
    if (version === 0) {
      const insert = this.#db.insertInto('qm_rate_budget').values({ budget_key: key, version: 1, state: value });
      const result = await (
        this.#dialect === 'mysql'
          ? insert.ignore()
          : insert.onConflict((conflict) => conflict.column('budget_key').doNothing())
      ).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    }
    const result = await this.#db
      .updateTable('qm_rate_budget')
      .set({ version: version + 1, state: value })
      .where('budget_key', '=', key)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async close(): Promise<void> {
    if (this.#ownsDb) await this.#db.destroy();
  }
}
