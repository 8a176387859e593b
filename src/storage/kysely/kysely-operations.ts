/**
 * Every DatabaseOperations method over one executor (the pool or a transaction), shared by
 * KyselyDatabase and KyselyTx. Driver failures are translated here: a lost connection or a read-only
 * server (the primary switched) becomes DatabaseUnavailableError and makes the next connection
 * re-probe the hosts (R10); anything else keeps its own type.
 */
import type { Kysely } from 'kysely';
import type { Fill } from '../../domain/fill.js';
import type { Trade } from '../../domain/trade.js';
import type { DatabaseOperations, SqlDialect } from '../database.js';
import { DatabaseUnavailableError } from '../errors.js';
import type {
  EventFilter,
  EventRecord,
  FillCursorRecord,
  FillFilter,
  GridRecord,
  IntentFilter,
  OrderFilter,
  OrderIntent,
  OrderRecord,
  OrderStateChange,
  SlotRecord,
  Statistics,
  StatisticsFilter,
  TradeFilter,
} from '../records.js';
import { getEvents, saveEvents } from './event-queries.js';
import { getFillCursor, getFills, saveFillCursor, saveFills } from './fill-queries.js';
import { ensureGrid, getGrid, getSlots, saveSlots, setGridPaused } from './grid-queries.js';
import { claimFence, getHighestIntentCycles, getIntents, recordIntent, recordIntents } from './intent-queries.js';
import type { StorageSchema } from './kysely-schema.js';
import { getOrderHistory, getOrders, saveOrder } from './order-queries.js';
import type { QueryContext } from './query-context.js';
import { getStatistics } from './statistics-query.js';
import type { FailureKind, StorageDialect } from './storage-dialect.js';

const CONFLICT_RETRY_MS = 10_000;
import { getTrades, saveTrades } from './trade-queries.js';

export abstract class KyselyOperations implements DatabaseOperations {
  readonly #context: QueryContext;
  readonly #storage: StorageDialect;

  readonly #retryConflicts: boolean;

  /** `retryConflicts`: a call outside a caller's transaction is retried whole after a conflict. */
  protected constructor(db: Kysely<StorageSchema>, storage: StorageDialect, retryConflicts: boolean) {
    this.#storage = storage;
    this.#retryConflicts = retryConflicts;
    this.#context = { db, dialect: storage.dialect, atomic: (fn) => this.atomic(fn) };
  }

  get dialect(): SqlDialect {
    return this.#storage.dialect;
  }

  /** Runs `fn` atomically on `db` (a new transaction on the pool, or the open one). */
  protected abstract atomic<T>(fn: (db: Kysely<StorageSchema>) => Promise<T>): Promise<T>;

  /**
   * Runs a driver call, translating connection and read-only failures. A conflict (deadlock, busy
   * SQLite writer) undid the call whole, so outside a caller's transaction it is retried (every
   * write is idempotent) with a growing pause, for up to CONFLICT_RETRY_MS.
   */
  protected async guard<T>(call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + CONFLICT_RETRY_MS;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const kind = this.#storage.classify(error);
        if (kind === 'conflict' && this.#retryConflicts && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(100, 2 ** attempt)));
          continue;
        }
        throw this.#translate(error, kind);
      }
    }
  }

  #translate(error: unknown, kind: FailureKind): unknown {
    if (kind === 'other' || kind === 'conflict') return error;
    this.#storage.reprobe();
    const reason =
      kind === 'read-only'
        ? 'the server is read-only (the primary switched); re-probing the hosts'
        : `connection failed (${(error as { code?: string }).code ?? 'no code'})`;
    return new DatabaseUnavailableError(this.dialect, reason, { cause: error });
  }

  saveTrade(trade: Trade): Promise<void> {
    return this.guard(() => saveTrades(this.#context, [trade]));
  }
  batchSaveTrades(trades: readonly Trade[]): Promise<void> {
    return this.guard(() => saveTrades(this.#context, trades));
  }
  getTrades(filter: TradeFilter): Promise<Trade[]> {
    return this.guard(() => getTrades(this.#context, filter));
  }

  saveOrder(order: OrderRecord): Promise<void> {
    return this.guard(() => saveOrder(this.#context, order));
  }
  getOrders(filter: OrderFilter): Promise<OrderRecord[]> {
    return this.guard(() => getOrders(this.#context, filter));
  }
  getOrderHistory(exchange: string, clientOrderId: string): Promise<OrderStateChange[]> {
    return this.guard(() => getOrderHistory(this.#context, exchange, clientOrderId));
  }

  async saveFill(fill: Fill): Promise<boolean> {
    return (await this.guard(() => saveFills(this.#context, [fill]))) === 1;
  }
  batchSaveFills(fills: readonly Fill[]): Promise<number> {
    return this.guard(() => saveFills(this.#context, fills));
  }
  getFills(filter: FillFilter): Promise<Fill[]> {
    return this.guard(() => getFills(this.#context, filter));
  }

  getStatistics(filter: StatisticsFilter): Promise<Statistics> {
    return this.guard(() => getStatistics(this.#context, filter));
  }

  ensureGrid(grid: GridRecord): Promise<GridRecord> {
    return this.guard(() => ensureGrid(this.#context, grid));
  }
  getGrid(exchange: string, symbol: string): Promise<GridRecord | undefined> {
    return this.guard(() => getGrid(this.#context, exchange, symbol));
  }
  setGridPaused(
    exchange: string,
    symbol: string,
    paused: boolean,
    reason: string | undefined,
    time: number,
  ): Promise<void> {
    return this.guard(() => setGridPaused(this.#context, exchange, symbol, paused, reason, time));
  }

  getSlots(exchange: string, symbol: string): Promise<SlotRecord[]> {
    return this.guard(() => getSlots(this.#context, exchange, symbol));
  }
  saveSlots(slots: readonly SlotRecord[]): Promise<void> {
    return this.guard(() => saveSlots(this.#context, slots));
  }

  recordIntent(intent: OrderIntent): Promise<void> {
    return this.guard(() => recordIntent(this.#context, intent));
  }
  recordIntents(intents: readonly OrderIntent[]): Promise<readonly string[]> {
    return this.guard(() => recordIntents(this.#context, intents));
  }
  claimFence(fenceKey: string, fencingToken: bigint, holder: string): Promise<void> {
    return this.guard(() => claimFence(this.#context, fenceKey, fencingToken, holder));
  }
  getIntents(filter: IntentFilter): Promise<OrderIntent[]> {
    return this.guard(() => getIntents(this.#context, filter));
  }
  getHighestIntentCycles(exchange: string, symbol: string): Promise<ReadonlyMap<number, number>> {
    return this.guard(() => getHighestIntentCycles(this.#context, exchange, symbol));
  }

  getFillCursor(exchange: string, account: string, symbol: string): Promise<FillCursorRecord | undefined> {
    return this.guard(() => getFillCursor(this.#context, exchange, account, symbol));
  }
  saveFillCursor(cursor: FillCursorRecord): Promise<void> {
    return this.guard(() => saveFillCursor(this.#context, cursor));
  }

  saveEvent(event: EventRecord): Promise<void> {
    return this.guard(() => saveEvents(this.#context, [event]));
  }
  getEvents(filter: EventFilter): Promise<EventRecord[]> {
    return this.guard(() => getEvents(this.#context, filter));
  }
}
