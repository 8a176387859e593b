/**
 * Loads a symbol's grid from the database (the same path at start and at takeover) and saves what
 * a PersistState command names. The anchor is fixed by the first instance that creates the grid
 * record; every later load rebuilds the same lattice (grid-strategy.md "Lattice and slots").
 * At a takeover the slots are then moved past the intents the previous owner recorded
 * (`advancePastRecordedIntents`, after the first reconciliation).
 */
import { isWorking } from '../../domain/order.js';
import type { Database, DatabaseOperations } from '../../storage/database.js';
import type { OrderRecord } from '../../storage/records.js';
import { fromRecords, toGridRecord, toOrderRecord, toSlotRecord } from '../../strategy/grid/grid-records.js';
import { type CyclesAdvanced, advanceCyclesPastIntents } from '../../strategy/grid/advance-cycles.js';
import { createGridState } from '../../strategy/grid/create-grid-state.js';
import type { GridIdentity, GridState } from '../../strategy/grid/grid-state.js';

export async function loadGrid(database: DatabaseOperations, identity: GridIdentity, time: number): Promise<GridState> {
  const grid = await database.getGrid(identity.exchange, identity.symbol);
  if (grid === undefined) return createGridState(identity, time);
  const slots = await database.getSlots(identity.exchange, identity.symbol);
  const orders = await database.getOrders({
    exchange: identity.exchange,
    symbol: identity.symbol,
    status: ['PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL'],
    limit: 10_000,
  });
  return fromRecords(identity, grid, slots, currentOrders(orders.filter((order) => isWorking(order.status))));
}

/**
 * The grid with every slot whose cycle is not past the highest intent cycle recorded for its level
 * moved to the cycle after it (advance-cycles.ts says why and when), and the levels moved; the
 * caller stores them (`persistGrid`) while it still owns the symbol.
 */
export async function advancePastRecordedIntents(
  database: DatabaseOperations,
  state: GridState,
  time: number,
): Promise<CyclesAdvanced> {
  return advanceCyclesPastIntents(state, await database.getHighestIntentCycles(state.exchange, state.symbol), time);
}

/**
 * The latest working order record of each level. An order that ended at the venue keeps a working
 * status in the store until its closing report is saved; a crash between the fill (stored with the
 * slot's next order, one transaction) and that report left two "working" rows for one level, and the
 * grid could not be loaded again. The slot moves to a new order only after the grid saw the previous
 * one end, so the older row is the stale one; reconciliation brings every row's truth from the venue.
 */
function currentOrders(orders: readonly OrderRecord[]): OrderRecord[] {
  const latest = new Map<number, OrderRecord>();
  const unslotted: OrderRecord[] = [];
  for (const order of orders) {
    if (order.level === undefined) {
      unslotted.push(order);
      continue;
    }
    const kept = latest.get(order.level);
    if (
      kept === undefined ||
      order.updatedAt > kept.updatedAt ||
      (order.updatedAt === kept.updatedAt && (order.cycle ?? 0) > (kept.cycle ?? 0))
    )
      latest.set(order.level, order);
  }
  return [...unslotted, ...latest.values()];
}

/**
 * Stores the grid record once its lattice exists; the stored anchor wins (first writer). Runs on the
 * database itself, not in a spooled transaction: the answer is needed at once. Returns false when
 * the stored lattice differs from this grid's, which the caller must treat as fatal for the symbol.
 */
export async function storeAnchor(database: Database, state: GridState): Promise<boolean> {
  const grid = toGridRecord(state);
  if (grid === undefined) return true;
  const stored = await database.ensureGrid(grid);
  return stored.anchor.eq(grid.anchor) && stored.interval.eq(grid.interval);
}

/** Writes the pause state (when the grid changed) and the named slots with their orders. */
export async function persistGrid(
  database: DatabaseOperations,
  state: GridState,
  gridChanged: boolean,
  levels: readonly number[],
): Promise<void> {
  const grid = toGridRecord(state);
  if (gridChanged && grid !== undefined)
    await database.setGridPaused(state.exchange, state.symbol, grid.paused, grid.pausedReason, state.updatedAt);
  const slots = levels.map((level) => state.slots.get(level)).filter((slot) => slot !== undefined);
  if (slots.length > 0) await database.saveSlots(slots.map((slot) => toSlotRecord(state, slot)));
  for (const slot of slots) {
    const order = toOrderRecord(state, slot);
    if (order !== undefined) await database.saveOrder(order);
  }
}
