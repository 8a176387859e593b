/**
 * The transaction of a SpooledDatabase: writes are collected in order and handed to the spool as
 * one group on commit (durable all or none); reads see the database, not the transaction's own
 * writes (`capabilities.readsOwnWrites` is false). A fill's save answers at once whether it is new
 * and holds its key until the transaction ends, so a concurrent save of the same fill waits for the
 * outcome. `recordIntent` and `ensureGrid` need the database's answer at once, so they are refused
 * inside a spooled transaction (`capabilities.immediateWritesInTransaction` is false).
 */
import type { Fill } from '../../domain/fill.js';
import type { Trade } from '../../domain/trade.js';
import type { Database, Tx } from '../database.js';
import { InvalidStorageOptionsError } from '../errors.js';
import type { EventRecord, FillCursorRecord, GridRecord, OrderIntent, OrderRecord, SlotRecord } from '../records.js';
import type { SpoolWrite } from './spool-codec.js';
import { DatabaseReads } from './database-reads.js';
import { type FillClaims, type FillNovelty, keyOf } from './fill-novelty.js';

export class SpoolingTx extends DatabaseReads implements Tx {
  readonly #novelty: FillNovelty;
  readonly #commit: (writes: readonly SpoolWrite[]) => Promise<void>;
  #writes: SpoolWrite[] = [];
  #claims: FillClaims[] = [];
  /** Keys of the fills this transaction claimed: saved again here, they are duplicates. */
  readonly #claimed = new Set<string>();
  #done = false;

  constructor(inner: Database, novelty: FillNovelty, commit: (writes: readonly SpoolWrite[]) => Promise<void>) {
    super(inner);
    this.#novelty = novelty;
    this.#commit = commit;
  }

  async commit(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      await this.#commit(this.#writes);
    } catch (error) {
      this.#settle(false);
      throw error;
    }
    this.#settle(true);
  }

  async rollback(): Promise<void> {
    this.#done = true;
    this.#writes = [];
    this.#settle(false);
  }

  #settle(durable: boolean): void {
    for (const claims of this.#claims.splice(0)) claims.settle(durable);
  }

  #add(write: SpoolWrite): void {
    this.#assertOpen();
    this.#writes.push(write);
  }

  #assertOpen(): void {
    if (this.#done) throw new InvalidStorageOptionsError('write after commit or rollback of a spooled transaction');
  }

  async saveTrade(trade: Trade): Promise<void> {
    this.#add({ op: 'trades', trades: [trade] });
  }
  async batchSaveTrades(trades: readonly Trade[]): Promise<void> {
    if (trades.length > 0) this.#add({ op: 'trades', trades });
  }
  async saveOrder(order: OrderRecord): Promise<void> {
    this.#add({ op: 'order', order });
  }
  async saveFill(fill: Fill): Promise<boolean> {
    return (await this.batchSaveFills([fill])) === 1;
  }
  async batchSaveFills(fills: readonly Fill[]): Promise<number> {
    this.#assertOpen();
    const claims = await this.#novelty.claim(fills.filter((fill) => !this.#claimed.has(keyOf(fill))));
    if (this.#done) {
      claims.settle(false);
      this.#assertOpen();
    }
    this.#claims.push(claims);
    for (const fill of claims.fresh) this.#claimed.add(keyOf(fill));
    if (claims.fresh.length > 0) this.#add({ op: 'fills', fills: claims.fresh });
    return claims.fresh.length;
  }
  async saveSlots(slots: readonly SlotRecord[]): Promise<void> {
    if (slots.length > 0) this.#add({ op: 'slots', slots });
  }
  async saveEvent(event: EventRecord): Promise<void> {
    this.#add({ op: 'event', event });
  }
  async saveFillCursor(cursor: FillCursorRecord): Promise<void> {
    this.#add({ op: 'cursor', cursor });
  }
  async setGridPaused(
    exchange: string,
    symbol: string,
    paused: boolean,
    reason: string | undefined,
    time: number,
  ): Promise<void> {
    this.#add({ op: 'paused', exchange, symbol, paused, reason, time });
  }

  async holdFence(fenceKey: string, fencingToken: bigint, holder: string): Promise<void> {
    this.#add({ op: 'fence', fenceKey, fencingToken, holder });
  }

  recordIntent(_intent: OrderIntent): Promise<void> {
    return this.recordIntents([]).then(() => undefined);
  }
  recordIntents(_intents: readonly OrderIntent[]): Promise<readonly string[]> {
    return Promise.reject(
      new InvalidStorageOptionsError(
        'recordIntent must not run inside a spooled transaction (it needs the database at once)',
      ),
    );
  }

  claimFence(_fenceKey: string, _fencingToken: bigint, _holder: string): Promise<void> {
    return Promise.reject(
      new InvalidStorageOptionsError(
        'claimFence must not run inside a spooled transaction (it needs the database at once)',
      ),
    );
  }

  ensureGrid(_grid: GridRecord): Promise<GridRecord> {
    return Promise.reject(
      new InvalidStorageOptionsError(
        'ensureGrid must not run inside a spooled transaction (its answer is needed at once)',
      ),
    );
  }
}
