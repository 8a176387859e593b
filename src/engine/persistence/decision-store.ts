/**
 * One transaction per decision (Invariant 2): the fill that caused it first, and nothing else when
 * the store answers that the fill was already stored (the decision is then not applied); then the
 * orders it ended, the slots and grid record it changed, its trades and its events. A decision that
 * changes nothing stored (most price ticks) opens no transaction.
 */
import type { Fill } from '../../domain/fill.js';
import type { Database, DatabaseOperations, Tx, WriteFence } from '../../storage/database.js';
import type { EventRecord, OrderRecord } from '../../storage/records.js';
import type { Decision } from '../../strategy/grid/decide.js';
import { InvalidGridRecordError } from '../../strategy/grid/errors.js';
import type { GridCommand } from '../../strategy/grid/grid-command.js';
import type { GridEvent } from '../../strategy/grid/grid-event.js';
import type { GridState } from '../../strategy/grid/grid-state.js';
import { persistGrid, storeAnchor } from './grid-loader.js';
import { endedOrderRecord } from './order-records.js';

/** What a decision stores beside what the grid's commands name. */
export interface DecisionRecords {
  /** The fill that caused it: saved first, and the decision is applied only when the fill was new. */
  readonly fill?: Fill | undefined;
  /** Details added to the decision's `reconciliation` event. */
  readonly reconciliation?: Record<string, unknown> | undefined;
  readonly orders?: readonly OrderRecord[] | undefined;
  readonly events?: readonly EventRecord[] | undefined;
}

export interface DecisionWrites {
  /** The owner's fence: a decision of an owner fenced out since is not stored (Tx.holdFence). */
  readonly fence?: WriteFence | undefined;
  /** The grid after the decision. */
  readonly state: GridState;
  readonly commands: readonly GridCommand[];
  readonly fill?: Fill | undefined;
  readonly orders: readonly OrderRecord[];
  readonly events: readonly EventRecord[];
}

/** Stores the decision; resolves false (nothing written) when its fill was stored before. */
export async function storeDecision(database: Database, writes: DecisionWrites): Promise<boolean> {
  const { state, fill, orders, events } = writes;
  const persisted = writes.commands.filter(
    (command) => command.type === 'PersistState' || command.type === 'BookTrade',
  );
  if (fill === undefined && persisted.length === 0 && orders.length === 0 && events.length === 0) return true;
  return database.transaction(async (tx) => {
    if (writes.fence !== undefined) await holdFence(tx, writes.fence);
    if (fill !== undefined && !(await tx.saveFill(fill))) return false;
    for (const order of orders) await tx.saveOrder(order);
    for (const command of persisted) {
      if (command.type === 'PersistState') await persistGrid(tx, state, command.grid, command.levels);
      else if (command.type === 'BookTrade') await tx.saveTrade(command.trade);
    }
    for (const event of events) await tx.saveEvent(event);
    return true;
  });
}

export function holdFence(tx: Tx, fence: WriteFence): Promise<void> {
  return tx.holdFence(fence.fenceKey, fence.fencingToken, fence.holder);
}

/** `write` in one transaction under `fence` (Tx.holdFence), or as it is without one. */
export async function fencedWrite(
  database: Database,
  fence: WriteFence | undefined,
  write: (operations: DatabaseOperations) => Promise<void>,
): Promise<void> {
  if (fence === undefined) return write(database);
  await database.transaction(async (tx) => {
    await holdFence(tx, fence);
    await write(tx);
  });
}

/** The event rows of a decision's RecordEvent and PauseSymbol commands; `reconciliation` details join its reconciliation event. */
export function decisionEvents(
  commands: readonly GridCommand[],
  base: Omit<EventRecord, 'type' | 'details'>,
  reconciliation: Record<string, unknown> | undefined,
): EventRecord[] {
  return commands.flatMap((command): EventRecord[] => {
    if (command.type === 'RecordEvent')
      return [
        {
          ...base,
          type: command.eventType,
          details: { ...command.details, ...(command.eventType === 'reconciliation' ? reconciliation : {}) },
        },
      ];
    if (command.type === 'PauseSymbol')
      return [{ ...base, type: 'grid.paused', details: { reason: command.reason, message: command.message } }];
    return [];
  });
}

/** A runner's store of decisions: the grid record once (the first lattice), then each decision with what it names. */
export class DecisionStore {
  readonly #database: Database;
  readonly #fence: () => WriteFence | undefined;
  #anchorStored: boolean;

  constructor(database: Database, loaded: GridState, fence: () => WriteFence | undefined) {
    this.#database = database;
    this.#fence = fence;
    this.#anchorStored = loaded.lattice !== undefined;
  }

  /**
   * Stores `decision` of `event` taken on `before`, with the order it ended and its events. The first
   * lattice's grid record goes first, on the database itself (the stored anchor wins: another anchor
   * is fatal for the symbol). Resolves false, writing nothing, when the decision's fill was stored before.
   */
  async store(
    before: GridState,
    event: GridEvent,
    decision: Decision,
    base: Omit<EventRecord, 'type' | 'details'>,
    stored: DecisionRecords,
  ): Promise<boolean> {
    const after = decision.state;
    if (!this.#anchorStored && after.lattice !== undefined) {
      if (!(await storeAnchor(this.#database, after)))
        throw new InvalidGridRecordError(
          `another instance created ${after.symbol}'s grid with a different anchor; restart to load it`,
        );
      this.#anchorStored = true;
    }
    const ended = endedOrderRecord(before, after, event, base.time);
    return storeDecision(this.#database, {
      fence: this.#fence(),
      state: after,
      commands: decision.commands,
      fill: stored.fill,
      orders: [...(ended === undefined ? [] : [ended]), ...(stored.orders ?? [])],
      events: [...decisionEvents(decision.commands, base, stored.reconciliation), ...(stored.events ?? [])],
    });
  }
}
