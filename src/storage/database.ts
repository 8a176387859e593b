/**
 * The Database port (R4): one contract for SQLite, PostgreSQL and MySQL, implemented once on Kysely
 * (`storage/kysely/`). Every write is idempotent, so the write-behind spool can replay it:
 * trades by id, orders by (exchange, clientOrderId), fills by (exchange, account, symbol, tradeId), slots by
 * (exchange, symbol, level), cursors by (exchange, account, symbol).
 *
 * Failure contract: a method that cannot reach the database (or finds it read-only after a primary
 * switch) rejects with DatabaseUnavailableError: nothing is known to be written, and the next call
 * re-probes the hosts. A constraint it enforces rejects with its typed error. Outside a transaction,
 * a call undone by a deadlock or a busy SQLite writer is retried by the adapter.
 *
 * Listings are ordered and paged: `limit` is capped at 1000 (also the default).
 * Through SpooledDatabase (storage/spool/) the writes named there resolve once durable in the local
 * spool and reach the database shortly after; what that changes is declared in `capabilities`
 * (Kysely's DialectAdapter `supports…` flags are the model), so no caller asks which adapter it holds.
 */
import type { Fill } from '../domain/fill.js';
import type { Trade } from '../domain/trade.js';
import type {
  EventFilter,
  EventRecord,
  FillCursorRecord,
  FillFilter,
  GridRecord,
  InstanceRecord,
  IntentFilter,
  OrderFilter,
  OrderIntent,
  OrderRecord,
  OrderStateChange,
  SlotRecord,
  Statistics,
  StatisticsFilter,
  TradeFilter,
} from './records.js';

export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

/** Methods available both on the database and inside a transaction. */
export interface DatabaseOperations {
  /** Stores a trade; a trade with the same id is left as it is. */
  saveTrade(trade: Trade): Promise<void>;
  /** Stores many trades in multi-row inserts; duplicates by id are skipped. */
  batchSaveTrades(trades: readonly Trade[]): Promise<void>;
  getTrades(filter: TradeFilter): Promise<Trade[]>;

  /**
   * Upserts by (exchange, clientOrderId); appends to the state history when status or fill changed.
   * An update older (by updatedAt) than the stored order is ignored, so replays cannot roll it back.
   */
  saveOrder(order: OrderRecord): Promise<void>;
  getOrders(filter: OrderFilter): Promise<OrderRecord[]>;
  getOrderHistory(exchange: string, clientOrderId: string): Promise<OrderStateChange[]>;

  /**
   * Stores a fill once; returns false when (exchange, account, symbol, tradeId) was already stored (the
   * database's unique key decides), true when this call stored it. Exactly-once application of
   * fills rests on this answer (Invariant 2). Inside a transaction the answer holds if it commits.
   */
  saveFill(fill: Fill): Promise<boolean>;
  /** Stores many fills; returns how many were new (a fill listed twice counts once). */
  batchSaveFills(fills: readonly Fill[]): Promise<number>;
  getFills(filter: FillFilter): Promise<Fill[]>;

  /** Per symbol and UTC day of `closedAt`, aggregated in SQL on the server; totals add up the days. */
  getStatistics(filter: StatisticsFilter): Promise<Statistics>;

  /** Creates the grid if absent and returns the stored one (its anchor wins over `grid.anchor`). */
  ensureGrid(grid: GridRecord): Promise<GridRecord>;
  getGrid(exchange: string, symbol: string): Promise<GridRecord | undefined>;
  setGridPaused(
    exchange: string,
    symbol: string,
    paused: boolean,
    reason: string | undefined,
    time: number,
  ): Promise<void>;

  getSlots(exchange: string, symbol: string): Promise<SlotRecord[]>;
  /** Upserts by (exchange, symbol, level). */
  saveSlots(slots: readonly SlotRecord[]): Promise<void>;

  /**
   * Records an intent atomically, only if `fencingToken` is not lower than the highest token already
   * recorded for `fenceKey` (StaleFencingTokenError otherwise) and no intent exists for the same
   * (exchange, symbol, level, cycle, side) or client order id (DuplicateIntentError otherwise).
   * Safe under concurrent callers on separate connections and instances.
   */
  recordIntent(intent: OrderIntent): Promise<void>;
  /**
   * Records a window of intents (one symbol's placements under one lock) as `recordIntent` records
   * one, atomically and with each fence checked once: every intent must share `fenceKey`,
   * `fencingToken`, `ownershipFence`, `instanceId` and `exchange`. A stale token refuses them all
   * (StaleFencingTokenError); an intent whose slot round or client order id exists is not recorded
   * and its client order id is in the answer (the others are recorded all the same).
   */
  recordIntents(intents: readonly OrderIntent[]): Promise<readonly string[]>;
  /**
   * A new holder claims `fenceKey` (a symbol's ownership, at takeover): raised to `fencingToken`,
   * after which intents fenced by an older token are refused; an intent of an older token still
   * being written commits first. StaleFencingTokenError when a higher token was recorded already.
   */
  claimFence(fenceKey: string, fencingToken: bigint, holder: string): Promise<void>;
  getIntents(filter: IntentFilter): Promise<OrderIntent[]>;
  /**
   * The highest intent cycle recorded per lattice level of a symbol (level → cycle), computed on
   * the server. A takeover moves each slot past it: intents reach the database at once while the
   * slots of their dead owner may still sit in its spool (engine/persistence/grid-loader.ts).
   */
  getHighestIntentCycles(exchange: string, symbol: string): Promise<ReadonlyMap<number, number>>;

  getFillCursor(exchange: string, account: string, symbol: string): Promise<FillCursorRecord | undefined>;
  /** Upserts the cursor. */
  saveFillCursor(cursor: FillCursorRecord): Promise<void>;

  saveEvent(event: EventRecord): Promise<void>;
  getEvents(filter: EventFilter): Promise<EventRecord[]>;
}

/** The fence a symbol owner's writes are made under (Tx.holdFence): its ownership's key and token. */
export interface WriteFence {
  readonly fenceKey: string;
  readonly fencingToken: bigint;
  readonly holder: string;
}

export interface Tx extends DatabaseOperations {
  /**
   * The transaction's writes are made under `fencingToken` of `fenceKey` (its symbol's ownership):
   * they are stored only if no higher token (nor the same token by another holder) is recorded, and
   * a claim of a higher token waits until they are. On the database: StaleFencingTokenError here,
   * and the transaction must be rolled back. Through the spool, which writes the transaction later,
   * it is checked then: a fenced-out transaction is dropped whole when it reaches the database (an
   * owner's writes still spooled when another took the symbol over must not overwrite the new
   * owner's slots, nor hide from its fill recovery the fills they carry).
   */
  holdFence(fenceKey: string, fencingToken: bigint, holder: string): Promise<void>;
  commit(): Promise<void>;
  /** Undoes every write of the transaction; idempotent after commit or rollback. */
  rollback(): Promise<void>;
}

/** What an adapter does differently from the plain contract above; callers branch on these, never on the class. */
export interface DatabaseCapabilities {
  /**
   * A read sees every write that resolved before it, on the database and inside a transaction.
   * false (the spool): a write becomes visible to reads once it reached the database (`drain()`).
   */
  readonly readsOwnWrites: boolean;
  /**
   * `recordIntent` and `ensureGrid` may run inside a transaction. false (the spool, whose
   * transaction is written later): they reject there with InvalidStorageOptionsError; call them on
   * the database, outside the transaction.
   */
  readonly immediateWritesInTransaction: boolean;
}

export interface Database extends DatabaseOperations {
  readonly dialect: SqlDialect;
  readonly capabilities: DatabaseCapabilities;
  /**
   * Resolves true once every write accepted before the call is in the database (at once for an
   * adapter that writes directly); with `timeoutMs`, resolves false when that takes longer.
   */
  drain(timeoutMs?: number): Promise<boolean>;
  /** Writes accepted and not yet in the database, and their size (none for an adapter that writes directly). */
  pendingWrites(): { readonly records: number; readonly bytes: number };
  /** Starts a transaction on one pooled connection; the caller must commit or roll back. */
  beginTx(): Promise<Tx>;
  /** Runs `fn` in a transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Resolves when the (writable) database answers; DatabaseUnavailableError with the cause otherwise. */
  ping(signal?: AbortSignal): Promise<void>;
  /**
   * The instance registry (never in a transaction, never spooled: a heartbeat that cannot be written
   * is simply stale). `saveInstance` overwrites the instance's row; `getInstances` lists every row
   * by instance id.
   */
  saveInstance(record: InstanceRecord): Promise<void>;
  getInstances(): Promise<InstanceRecord[]>;
  /** Applies pending migrations; safe when several instances call it at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
