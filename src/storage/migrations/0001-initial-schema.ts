/**
 * The first schema: every table of the Database port. Amounts are exact (NUMERIC/DECIMAL(38,18) on
 * servers, decimal TEXT on SQLite); times are BIGINT epoch ms UTC; booleans are 0/1 integers.
 * Unique keys carry Invariants 1 and 2: one intent per (exchange, symbol, level, cycle, side) and per
 * client order id, one fill per (exchange, account, trade id) (0003 adds the symbol), one trade per id.
 */
import { type ColumnDataType, type Kysely, type Migration, sql } from 'kysely';
import type { SqlDialect } from '../database.js';

export function initialSchema(dialect: SqlDialect): Migration {
  const decimal: ColumnDataType =
    dialect === 'sqlite' ? 'text' : dialect === 'postgres' ? 'numeric(38, 18)' : 'decimal(38, 18)';
  const text = (length: number) => sql`varchar(${sql.raw(String(length))})`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('grids')
        .ifNotExists()
        .addColumn('exchange', text(64), (c) => c.notNull())
        .addColumn('symbol', text(64), (c) => c.notNull())
        .addColumn('anchor', decimal, (c) => c.notNull())
        .addColumn('grid_interval', decimal, (c) => c.notNull())
        .addColumn('paused', 'integer', (c) => c.notNull())
        .addColumn('paused_reason', text(500))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('grids_pk', ['exchange', 'symbol'])
        .execute();

      await db.schema
        .createTable('slots')
        .ifNotExists()
        .addColumn('exchange', text(64), (c) => c.notNull())
        .addColumn('symbol', text(64), (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('cycle', 'integer', (c) => c.notNull())
        .addColumn('position_quantity', decimal, (c) => c.notNull())
        .addColumn('entry_price', decimal, (c) => c.notNull())
        .addColumn('entry_fees', decimal, (c) => c.notNull())
        .addColumn('post_only_rejections', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('slots_pk', ['exchange', 'symbol', 'level'])
        .execute();

      await db.schema
        .createTable('fences')
        .ifNotExists()
        .addColumn('fence_key', text(255), (c) => c.notNull().primaryKey())
        .addColumn('max_token', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('order_intents')
        .ifNotExists()
        .addColumn('exchange', text(64), (c) => c.notNull())
        .addColumn('client_order_id', text(64), (c) => c.notNull())
        .addColumn('symbol', text(64), (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('cycle', 'integer', (c) => c.notNull())
        .addColumn('side', text(4), (c) => c.notNull())
        .addColumn('price', decimal, (c) => c.notNull())
        .addColumn('quantity', decimal, (c) => c.notNull())
        .addColumn('fence_key', text(255), (c) => c.notNull())
        .addColumn('fencing_token', 'bigint', (c) => c.notNull())
        .addColumn('instance_id', text(128), (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('order_intents_pk', ['exchange', 'client_order_id'])
        .addUniqueConstraint('order_intents_slot_round', ['exchange', 'symbol', 'level', 'cycle', 'side'])
        .execute();

      await db.schema
        .createTable('orders')
        .ifNotExists()
        .addColumn('exchange', text(64), (c) => c.notNull())
        .addColumn('client_order_id', text(64), (c) => c.notNull())
        .addColumn('symbol', text(64), (c) => c.notNull())
        .addColumn('exchange_order_id', text(128))
        .addColumn('side', text(4), (c) => c.notNull())
        .addColumn('order_type', text(16), (c) => c.notNull())
        .addColumn('price', decimal)
        .addColumn('quantity', decimal, (c) => c.notNull())
        .addColumn('filled_quantity', decimal, (c) => c.notNull())
        .addColumn('average_price', decimal)
        .addColumn('status', text(24), (c) => c.notNull())
        .addColumn('post_only', 'integer', (c) => c.notNull())
        .addColumn('reduce_only', 'integer', (c) => c.notNull())
        .addColumn('level', 'integer')
        .addColumn('cycle', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('orders_pk', ['exchange', 'client_order_id'])
        .execute();
      await db.schema.createIndex('orders_symbol_updated').on('orders').columns(['symbol', 'updated_at']).execute();

      await db.schema
        .createTable('order_states')
        .ifNotExists()
        .addColumn('exchange', text(64), (c) => c.notNull())
        .addColumn('client_order_id', text(64), (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('status', text(24), (c) => c.notNull())
        .addColumn('filled_quantity', decimal, (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('order_states_pk', ['exchange', 'client_order_id', 'seq'])
        .execute();

      await db.schema
        .createTable('fills')
        .ifNotExists()
        .addColumn('exchange', text(64), (c) => c.notNull())
        .addColumn('account', text(128), (c) => c.notNull())
        .addColumn('trade_id', text(128), (c) => c.notNull())
        .addColumn('symbol', text(64), (c) => c.notNull())
        .addColumn('client_order_id', text(64), (c) => c.notNull())
        .addColumn('exchange_order_id', text(128), (c) => c.notNull())
        .addColumn('side', text(4), (c) => c.notNull())
        .addColumn('price', decimal, (c) => c.notNull())
        .addColumn('quantity', decimal, (c) => c.notNull())
        .addColumn('fee', decimal, (c) => c.notNull())
        .addColumn('fee_asset', text(32), (c) => c.notNull())
        .addColumn('is_maker', 'integer', (c) => c.notNull())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('fills_pk', ['exchange', 'account', 'trade_id'])
        .execute();
      await db.schema.createIndex('fills_symbol_time').on('fills').columns(['symbol', 'time']).execute();

      await db.schema
        .createTable('trades')
        .ifNotExists()
        .addColumn('id', text(255), (c) => c.notNull().primaryKey())
        .addColumn('exchange', text(64), (c) => c.notNull())
        .addColumn('symbol', text(64), (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('cycle', 'integer', (c) => c.notNull())
        .addColumn('quantity', decimal, (c) => c.notNull())
        .addColumn('buy_price', decimal, (c) => c.notNull())
        .addColumn('sell_price', decimal, (c) => c.notNull())
        .addColumn('fees', decimal, (c) => c.notNull())
        .addColumn('realized_pnl', decimal, (c) => c.notNull())
        .addColumn('opened_at', 'bigint', (c) => c.notNull())
        .addColumn('closed_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('trades_symbol_closed').on('trades').columns(['symbol', 'closed_at']).execute();

      await db.schema
        .createTable('events')
        .ifNotExists()
        .addColumn('id', text(64), (c) => c.notNull().primaryKey())
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('event_type', text(64), (c) => c.notNull())
        .addColumn('instance_id', text(128), (c) => c.notNull())
        .addColumn('exchange', text(64))
        .addColumn('symbol', text(64))
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_time').on('events').columns(['time']).execute();

      await db.schema
        .createTable('fill_cursors')
        .ifNotExists()
        .addColumn('exchange', text(64), (c) => c.notNull())
        .addColumn('account', text(128), (c) => c.notNull())
        .addColumn('symbol', text(64), (c) => c.notNull())
        .addColumn('cursor', text(255), (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('fill_cursors_pk', ['exchange', 'account', 'symbol'])
        .execute();
    },
  };
}
