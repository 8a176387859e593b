/**
 * Row shapes of the tables created by `storage/migrations/`. Decimals travel as exact decimal
 * strings (NUMERIC(38,18) on PostgreSQL, DECIMAL(38,18) on MySQL, TEXT on SQLite); integers may come
 * back as number, string (pg BIGINT, mysql2 big numbers) or bigint (SQLite safe integers), so every
 * read goes through `row-mappers.ts`. Times are epoch milliseconds UTC in BIGINT columns; booleans
 * are 0/1 integers on every dialect.
 */
import type { ColumnType } from 'kysely';

export type IntColumn = ColumnType<number | string | bigint, number | string | bigint, number | string | bigint>;
export type DecimalColumn = ColumnType<string, string, string>;
export type TextColumn = string;
export type NullableText = string | null;

export interface GridsTable {
  exchange: TextColumn;
  symbol: TextColumn;
  anchor: DecimalColumn;
  grid_interval: DecimalColumn;
  paused: IntColumn;
  paused_reason: NullableText;
  created_at: IntColumn;
  updated_at: IntColumn;
}

export interface SlotsTable {
  exchange: TextColumn;
  symbol: TextColumn;
  level: IntColumn;
  cycle: IntColumn;
  position_quantity: DecimalColumn;
  entry_price: DecimalColumn;
  entry_fees: DecimalColumn;
  post_only_rejections: IntColumn;
  updated_at: IntColumn;
}

export interface OrderIntentsTable {
  exchange: TextColumn;
  client_order_id: TextColumn;
  symbol: TextColumn;
  level: IntColumn;
  cycle: IntColumn;
  side: TextColumn;
  price: DecimalColumn;
  quantity: DecimalColumn;
  fence_key: TextColumn;
  fencing_token: IntColumn;
  instance_id: TextColumn;
  created_at: IntColumn;
}

export interface FencesTable {
  fence_key: TextColumn;
  max_token: IntColumn;
  /** The instance that recorded `max_token` (null on rows from before migration 0004). */
  holder: NullableText;
}

export interface OrdersTable {
  exchange: TextColumn;
  client_order_id: TextColumn;
  symbol: TextColumn;
  exchange_order_id: NullableText;
  side: TextColumn;
  order_type: TextColumn;
  price: string | null;
  quantity: DecimalColumn;
  filled_quantity: DecimalColumn;
  average_price: string | null;
  status: TextColumn;
  post_only: IntColumn;
  reduce_only: IntColumn;
  level: IntColumn | null;
  cycle: IntColumn | null;
  created_at: IntColumn;
  updated_at: IntColumn;
}

export interface OrderStatesTable {
  exchange: TextColumn;
  client_order_id: TextColumn;
  seq: IntColumn;
  status: TextColumn;
  filled_quantity: DecimalColumn;
  time: IntColumn;
}

export interface FillsTable {
  exchange: TextColumn;
  account: TextColumn;
  trade_id: TextColumn;
  symbol: TextColumn;
  client_order_id: TextColumn;
  exchange_order_id: TextColumn;
  side: TextColumn;
  price: DecimalColumn;
  quantity: DecimalColumn;
  fee: DecimalColumn;
  fee_asset: TextColumn;
  is_maker: IntColumn;
  time: IntColumn;
}

export interface TradesTable {
  id: TextColumn;
  exchange: TextColumn;
  symbol: TextColumn;
  level: IntColumn;
  cycle: IntColumn;
  quantity: DecimalColumn;
  buy_price: DecimalColumn;
  sell_price: DecimalColumn;
  fees: DecimalColumn;
  realized_pnl: DecimalColumn;
  opened_at: IntColumn;
  closed_at: IntColumn;
}

export interface EventsTable {
  /** sha256 of the canonical event: the same event written twice (spool replay) is stored once. */
  id: TextColumn;
  time: IntColumn;
  event_type: TextColumn;
  instance_id: TextColumn;
  exchange: NullableText;
  symbol: NullableText;
  details: TextColumn;
}

export interface FillCursorsTable {
  exchange: TextColumn;
  account: TextColumn;
  symbol: TextColumn;
  cursor: TextColumn;
  updated_at: IntColumn;
}

/** The instance registry (migration 0002): the latest self-report of each instance, as JSON. */
export interface InstancesTable {
  instance_id: TextColumn;
  heartbeat_at: IntColumn;
  snapshot: TextColumn;
}

export interface StorageSchema {
  grids: GridsTable;
  slots: SlotsTable;
  order_intents: OrderIntentsTable;
  fences: FencesTable;
  orders: OrdersTable;
  order_states: OrderStatesTable;
  fills: FillsTable;
  trades: TradesTable;
  events: EventsTable;
  fill_cursors: FillCursorsTable;
  instances: InstancesTable;
}
