/**
 * Fills are keyed (exchange, account, symbol, trade id): Binance and others number trades per symbol,
 * so two symbols of one account can report the same trade id, and the old key (without the symbol)
 * dropped the second symbol's real fill as a duplicate (Invariant 2). No dialect can change a primary
 * key in place on all three servers (SQLite cannot at all), so the table is rebuilt: a new table with
 * the new key, every row copied, the old table dropped, the new one renamed. Each step checks what
 * exists first, so a MySQL start that died half-way (MySQL DDL is not transactional) finishes the rebuild.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { SqlDialect } from '../database.js';

const REBUILT = 'fills_keyed_by_symbol';

export function fillsKeyedBySymbol(dialect: SqlDialect): Migration {
  const decimal =
    dialect === 'sqlite' ? sql`text` : dialect === 'postgres' ? sql`numeric(38, 18)` : sql`decimal(38, 18)`;
  const text = (length: number) => sql`varchar(${sql.raw(String(length))})`;
  return {
    async up(db: Kysely<unknown>) {
      const tables = new Set((await db.introspection.getTables()).map((table) => table.name));
      if (tables.has('fills')) {
        await db.schema
          .createTable(REBUILT)
          .ifNotExists()
          .addColumn('exchange', text(64), (c) => c.notNull())
          .addColumn('account', text(128), (c) => c.notNull())
          .addColumn('symbol', text(64), (c) => c.notNull())
          .addColumn('trade_id', text(128), (c) => c.notNull())
          .addColumn('client_order_id', text(64), (c) => c.notNull())
          .addColumn('exchange_order_id', text(128), (c) => c.notNull())
          .addColumn('side', text(4), (c) => c.notNull())
          .addColumn('price', decimal, (c) => c.notNull())
          .addColumn('quantity', decimal, (c) => c.notNull())
          .addColumn('fee', decimal, (c) => c.notNull())
          .addColumn('fee_asset', text(32), (c) => c.notNull())
          .addColumn('is_maker', 'integer', (c) => c.notNull())
          .addColumn('time', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('fills_by_symbol_pk', ['exchange', 'account', 'symbol', 'trade_id'])
          .execute();
        const columns = sql.raw(
          ['exchange', 'account', 'symbol', 'trade_id', 'client_order_id', 'exchange_order_id', 'side', 'price']
            .concat(['quantity', 'fee', 'fee_asset', 'is_maker', 'time'])
            .join(', '),
        );
        // A half-finished earlier attempt may have copied some rows already.
        await sql`delete from ${sql.table(REBUILT)}`.execute(db);
        await sql`insert into ${sql.table(REBUILT)} (${columns}) select ${columns} from fills`.execute(db);
        await db.schema.dropTable('fills').execute();
      }
      await db.schema.alterTable(REBUILT).renameTo('fills').execute();
      await db.schema.createIndex('fills_symbol_time').on('fills').columns(['symbol', 'time']).execute();
    },
  };
}
