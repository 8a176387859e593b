/**
 * The transaction of a SpooledDatabase: writes are collected in order and handed to the spool as
 * one group on commit (durable all or none); reads see the database. `recordIntent` and
 * `ensureGrid` need the database's answer at once, so they are refused inside a spooled
 * transaction: call them on the database itself.
 */
import type { Fill } from '../../domain/fill.js';
import type { Trade } from '../../domain/trade.js';
import type { Database, Tx } from '../database.js';
import { InvalidStorageOptionsError } from '../errors.js';
import type { EventRecord, FillCursorRecord, GridRecord, OrderIntent, OrderRecord, SlotRecord } from '../records.js';
import type { SpoolWrite } from './spool-codec.js';
import { DatabaseReads } from './database-reads.js';

export class SpoolingTx extends DatabaseReads implements Tx {
  readonly #commit: (writes: readonly SpoolWrite[]) => Promise<void>;
  #writes: SpoolWrite[] = [];
  #done = false;

  constructor(inner: Database, commit: (writes: readonly SpoolWrite[]) => Promise<void>) {
    super(inner);
    this.#commit = commit;
  }

  async commit(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#commit(this.#writes);
  }

  async rollback(): Promise<void> {
    this.#done = true;
    this.#writes = [];
  }

  #add(write: SpoolWrite): void {
    if (this.#done) throw new InvalidStorageOptionsError('write after commit or rollback of a spooled transaction');
    this.#writes.push(write);
  }

  async saveTrade(trade: Trade): Promise<void> { this.#add({ op: 'trades', trades: [trade] }); }
  async batchSaveTrades(trades: readonly Trade[]): Promise<void> { if (trades.length > 0) this.#add({ op: 'trades', trades }); }
  async saveOrder(order: OrderRecord): Promise<void> { this.#add({ op: 'order', order }); }
  async saveFill(fill: Fill): Promise<boolean> { this.#add({ op: 'fills', fills: [fill] }); return true; }
  async batchSaveFills(fills: readonly Fill[]): Promise<number> { if (fills.length > 0) this.#add({ op: 'fills', fills }); return fills.length; }
  async saveSlots(slots: readonly SlotRecord[]): Promise<void> { if (slots.length > 0) this.#add({ op: 'slots', slots }); }
  async saveEvent(event: EventRecord): Promise<void> { this.#add({ op: 'event', event }); }
  async saveFillCursor(cursor: FillCursorRecord): Promise<void> { this.#add({ op: 'cursor', cursor }); }
  async setGridPaused(exchange: string, symbol: string, paused: boolean, reason: string | undefined, time: number): Promise<void> {
    this.#add({ op: 'paused', exchange, symbol, paused, reason, time });
  }

  recordIntent(_intent: OrderIntent): Promise<void> {
    return Promise.reject(new InvalidStorageOptionsError('recordIntent must not run inside a spooled transaction (it needs the database at once)'));
  }

  ensureGrid(_grid: GridRecord): Promise<GridRecord> {
    return Promise.reject(new InvalidStorageOptionsError('ensureGrid must not run inside a spooled transaction (its answer is needed at once)'));
  }

}
