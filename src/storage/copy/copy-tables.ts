/**
 * What `db copy` copies and verifies: every table of the schema with its primary key and the kind of
 * each column, so rows can be canonicalised the same way on every dialect (decimals without padding,
 * integers as decimal text). The migration bookkeeping of Kysely is not copied: the target runs its
 * own migrations.
 */
import type { StorageSchema } from '../kysely/kysely-schema.js';

export type ColumnKind = 'text' | 'decimal' | 'integer';

export interface TableSpec {
  readonly name: keyof StorageSchema;
  readonly key: readonly string[];
  readonly columns: Readonly<Record<string, ColumnKind>>;
}

const t = 'text' as const;
const d = 'decimal' as const;
const i = 'integer' as const;

export const COPY_TABLES: readonly TableSpec[] = [
  {
    name: 'grids',
    key: ['exchange', 'symbol'],
    columns: {
      exchange: t,
      symbol: t,
      anchor: d,
      grid_interval: d,
      paused: i,
      paused_reason: t,
      created_at: i,
      updated_at: i,
    },
  },
  {
    name: 'slots',
    key: ['exchange', 'symbol', 'level'],
    columns: {
      exchange: t,
      symbol: t,
      level: i,
      cycle: i,
      position_quantity: d,
      entry_price: d,
      entry_fees: d,
      post_only_rejections: i,
      updated_at: i,
    },
  },
  { name: 'fences', key: ['fence_key'], columns: { fence_key: t, max_token: i, holder: t } },
  {
    name: 'order_intents',
    key: ['exchange', 'client_order_id'],
    columns: {
      exchange: t,
      client_order_id: t,
      symbol: t,
      level: i,
      cycle: i,
      side: t,
      price: d,
      quantity: d,
      fence_key: t,
      fencing_token: i,
      instance_id: t,
      created_at: i,
    },
  },
  {
    name: 'orders',
    key: ['exchange', 'client_order_id'],
    columns: {
      exchange: t,
      client_order_id: t,
      symbol: t,
      exchange_order_id: t,
      side: t,
      order_type: t,
      price: d,
      quantity: d,
      filled_quantity: d,
      average_price: d,
      status: t,
      post_only: i,
      reduce_only: i,
      level: i,
      cycle: i,
      created_at: i,
      updated_at: i,
    },
  },
  {
    name: 'order_states',
    key: ['exchange', 'client_order_id', 'seq'],
    columns: { exchange: t, client_order_id: t, seq: i, status: t, filled_quantity: d, time: i },
  },
  {
    name: 'fills',
    key: ['exchange', 'account', 'symbol', 'trade_id'],
    columns: {
      exchange: t,
      account: t,
      trade_id: t,
      symbol: t,
      client_order_id: t,
      exchange_order_id: t,
      side: t,
      price: d,
      quantity: d,
      fee: d,
      fee_asset: t,
      is_maker: i,
      time: i,
    },
  },
  {
    name: 'trades',
    key: ['id'],
    columns: {
      id: t,
      exchange: t,
      symbol: t,
      level: i,
      cycle: i,
      quantity: d,
      buy_price: d,
      sell_price: d,
      fees: d,
      realized_pnl: d,
      opened_at: i,
      closed_at: i,
    },
  },
  {
    name: 'events',
    key: ['id'],
    columns: { id: t, time: i, event_type: t, instance_id: t, exchange: t, symbol: t, details: t },
  },
  {
    name: 'fill_cursors',
    key: ['exchange', 'account', 'symbol'],
    columns: { exchange: t, account: t, symbol: t, cursor: t, updated_at: i },
  },
];
