/** Grids and slots. A grid's anchor is fixed by its first insert and never rewritten (grid-strategy.md). */
import type { GridRecord, SlotRecord } from '../records.js';
import { insertIgnoring, upsertRows } from './dialect-sql.js';
import type { QueryContext } from './query-context.js';
import { gridFromRow, gridRow, slotFromRow, slotRow } from './row-mappers.js';

export async function ensureGrid(context: QueryContext, grid: GridRecord): Promise<GridRecord> {
  // Insert-if-absent then read: of two instances creating the same grid at once, the first anchor wins for both.
  await insertIgnoring(context.db, context.dialect, 'grids', [gridRow(grid)]);
  const stored = await getGrid(context, grid.exchange, grid.symbol);
  if (stored === undefined) throw new Error(`grid ${grid.exchange} ${grid.symbol} vanished after insert`);
  return stored;
}

export async function getGrid({ db }: QueryContext, exchange: string, symbol: string): Promise<GridRecord | undefined> {
  const row = await db
    .selectFrom('grids')
    .selectAll()
    .where('exchange', '=', exchange)
    .where('symbol', '=', symbol)
    .executeTakeFirst();
  return row === undefined ? undefined : gridFromRow(row);
}

export async function setGridPaused(
  { db }: QueryContext,
  exchange: string,
  symbol: string,
  paused: boolean,
  reason: string | undefined,
  time: number,
): Promise<void> {
  await db
    .updateTable('grids')
    .set({ paused: paused ? 1 : 0, paused_reason: paused ? (reason ?? null) : null, updated_at: time })
    .where('exchange', '=', exchange)
    .where('symbol', '=', symbol)
    .execute();
}

export async function getSlots({ db }: QueryContext, exchange: string, symbol: string): Promise<SlotRecord[]> {
  const rows = await db
    .selectFrom('slots')
    .selectAll()
    .where('exchange', '=', exchange)
    .where('symbol', '=', symbol)
    .orderBy('level')
    .execute();
  return rows.map(slotFromRow);
}

/**
 * A multi-row upsert (a window's slots in one statement). A slot listed twice is written once, as
 * its last entry: one statement must not upsert a row twice (PostgreSQL refuses it).
 */
export async function saveSlots(context: QueryContext, slots: readonly SlotRecord[]): Promise<void> {
  if (slots.length === 0) return;
  const rows = [
    ...new Map(slots.map((slot) => [`${slot.exchange}|${slot.symbol}|${slot.level}`, slotRow(slot)])).values(),
  ];
  await context.atomic((db) => upsertRows(db, context.dialect, 'slots', ['exchange', 'symbol', 'level'], rows));
}
