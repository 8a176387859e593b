/**
 * Durable write-behind spool (Invariant 2, R10 "database down → buffer and write in batches"), a
 * decorator over any Database (style rule 13). Writes of trades, fills, orders, slots, events and
 * fill cursors are appended to a local file and fsynced before their promise resolves, then written
 * to the database in batches (`batchSize` records per transaction, every `flushIntervalMs` or as soon
 * as a batch is full). While the database is down they accumulate, up to `maxSpoolBytes`: past it a
 * write is refused with SpoolFullError (a warning and a metric), because silently dropping a fill or
 * blocking the trading loop would both be worse than a loud refusal. After a restart the file is read
 * at open and replayed in order; replay is idempotent because every spooled write is keyed.
 *
 * A record the database refuses (not an outage: a constraint or a value it cannot store) is moved to
 * a dead-letter file after a few attempts, so it cannot block the records behind it.
 *
 * A transaction (`beginTx`, `transaction`) collects its writes and appends them as ONE record on
 * commit, so a group such as (fill, the slots it changed, the trade it booked) is durable all or
 * none and reaches the database in one transaction.
 *
 * Whether a fill is new is answered at once (FillNovelty: the fills the spool holds, then the
 * database, then what the spool saw while the database is down), so the engine can apply each fill
 * exactly once on that answer.
 *
 * Not spooled: `recordIntent` (no database → no intent → no order: fail safe, Invariant 4),
 * `claimFence` (a takeover must know it fenced the previous owner out), `ensureGrid` (its answer, the stored anchor, is needed at once) and every read (reads see the
 * database, so a spooled write becomes visible once written; `drain()` waits for that). The
 * `capabilities` say so: reads do not see unwritten writes, and the immediate writes are
 * refused inside a spooled transaction.
 */
import type { Registry } from 'prom-client';
import { WarningRateLimit } from '../../observability/warning-rate-limit.js';
import type { Fill } from '../../domain/fill.js';
import type { Trade } from '../../domain/trade.js';
import type { Database, DatabaseCapabilities, DatabaseOperations, SqlDialect, Tx } from '../database.js';
import { DatabaseUnavailableError, SpoolFullError, StaleFencingTokenError } from '../errors.js';
import type {
  EventRecord,
  FillCursorRecord,
  GridRecord,
  InstanceRecord,
  OrderIntent,
  OrderRecord,
  SlotRecord,
} from '../records.js';
import type { SpoolRecord, SpoolWrite } from './spool-codec.js';
import { SpoolFile } from './spool-file.js';
import { registerSpoolMetrics, type SpoolMetrics } from './spool-metrics.js';
import { SpoolingTx } from './spooling-tx.js';
import { DatabaseReads } from './database-reads.js';
import { FillNovelty } from './fill-novelty.js';

export interface SpoolOptions {
  readonly path: string;
  /** Records per database transaction (default 500). */
  readonly batchSize?: number | undefined;
  /** Longest wait before a partial batch is written (default 200 ms). */
  readonly flushIntervalMs?: number | undefined;
  /** Unflushed bytes beyond which writes are refused (default 256 MiB). */
  readonly maxSpoolBytes?: number | undefined;
  /** Longest wait for the database to say whether a fill is new before it counts as down (default 2 s). */
  readonly answerTimeoutMs?: number | undefined;
}

export interface SpoolLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

const MAX_RETRY_DELAY_MS = 5_000;
const POISON_ATTEMPTS = 3;
const SPOOLED: DatabaseCapabilities = { readsOwnWrites: false, immediateWritesInTransaction: false };

export class SpooledDatabase extends DatabaseReads implements Database {
  readonly capabilities = SPOOLED;
  readonly #inner: Database;
  readonly #novelty: FillNovelty;
  readonly #file: SpoolFile;
  readonly #batchSize: number;
  readonly #intervalMs: number;
  readonly #maxBytes: number;
  readonly #logger: SpoolLogger | undefined;
  readonly #metrics: SpoolMetrics | undefined;
  #seq: number;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #failures = 0;
  /** Flush failures and refusals while the database is down: one warning per cause per 30 s. */
  readonly #warnings: WarningRateLimit;
  #closed = false;
  /** `drain` callers: the seq they wait for, and how to answer them. */
  #drained: Array<{ readonly upTo: number; readonly resolve: (drained: boolean) => void }> = [];

  private constructor(
    inner: Database,
    file: SpoolFile,
    options: SpoolOptions,
    extras: { registry?: Registry | undefined; logger?: SpoolLogger | undefined },
  ) {
    super(inner);
    this.#inner = inner;
    this.#file = file;
    this.#batchSize = options.batchSize ?? 500;
    this.#intervalMs = options.flushIntervalMs ?? 200;
    this.#maxBytes = options.maxSpoolBytes ?? 256 * 1024 * 1024;
    this.#logger = extras.logger;
    this.#warnings = new WarningRateLimit(extras.logger);
    this.#seq = file.lastSeq;
    this.#novelty = new FillNovelty(inner, inner.dialect, options.answerTimeoutMs ?? 2_000);
    this.#novelty.hold(file.pending(Number.POSITIVE_INFINITY));
    this.#metrics = extras.registry === undefined ? undefined : registerSpoolMetrics(extras.registry, () => this.depth);
  }

  /** Opens the spool file at `options.path` and starts replaying what it holds. */
  static async open(
    inner: Database,
    options: SpoolOptions,
    extras: { registry?: Registry | undefined; logger?: SpoolLogger | undefined } = {},
  ): Promise<SpooledDatabase> {
    const spooled = new SpooledDatabase(inner, await SpoolFile.open(options.path), options, extras);
    spooled.#schedule(0);
    return spooled;
  }

  get dialect(): SqlDialect {
    return this.#inner.dialect;
  }

  /** Records and bytes waiting for the database, and the fsyncs made so far. */
  get depth(): { records: number; bytes: number; syncs: number } {
    return { records: this.#file.pendingCount, bytes: this.#file.pendingBytes, syncs: this.#file.syncCount };
  }

  pendingWrites(): { records: number; bytes: number } {
    return { records: this.#file.pendingCount, bytes: this.#file.pendingBytes };
  }

  /**
   * Resolves true when every record spooled before the call is in the database; false after
   * `timeoutMs`, or when the spool is closed first (the records stay in the file for the next open).
   */
  drain(timeoutMs?: number): Promise<boolean> {
    if (this.#file.pendingCount === 0 && this.#file.pendingBytes === 0) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => resolve(false), timeoutMs).unref();
      // Up to the records spooled so far only: a busy instance's spool is rarely empty, and a
      // takeover waiting for "empty" would wait as long as its other symbols keep trading.
      this.#drained.push({
        upTo: this.#seq,
        resolve: (drained) => {
          clearTimeout(timer);
          resolve(drained);
        },
      });
      this.#schedule(0);
    });
  }

  async #spool(write: SpoolWrite): Promise<void> {
    const record = { ...write, seq: (this.#seq += 1) } as SpoolRecord;
    const bytes = this.#file.pendingBytes;
    if (bytes >= this.#maxBytes) {
      this.#metrics?.rejected.inc();
      this.#warnings.warn(
        'full',
        { spoolBytes: bytes, maxSpoolBytes: this.#maxBytes },
        'write-behind spool full: write refused',
      );
      throw new SpoolFullError(bytes, this.#maxBytes);
    }
    await this.#file.append(record);
    this.#novelty.hold([record]);
    // A full batch is written at once, unless the last flush failed: then the retry's backoff holds
    // (an outage would otherwise turn every write into a flush attempt).
    if (this.#file.pendingCount >= this.#batchSize && this.#failures === 0) this.#schedule(0);
    else this.#schedule(this.#intervalMs);
  }

  #schedule(delayMs: number): void {
    if (this.#closed || this.#flushing !== undefined) return;
    if (this.#timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushBatches().then((retryInMs) => {
        this.#flushing = undefined;
        // Records spooled while the last batch was being written wait for the next round.
        if (retryInMs !== undefined) this.#schedule(retryInMs);
        else if (this.#file.pendingCount > 0) this.#schedule(0);
      });
    }, delayMs);
  }

  /** Writes batches until the spool is empty; returns the retry delay after a failure. */
  async #flushBatches(): Promise<number | undefined> {
    while (!this.#closed && this.#file.pendingCount > 0) {
      const batch = this.#file.pending(this.#batchSize);
      try {
        this.#reportFencedOut(await this.#inner.transaction((tx) => applyBatch(tx, batch)));
        await this.#file.acknowledge(batch.at(-1)!.seq);
        this.#answerDrained(batch.at(-1)!.seq);
        this.#novelty.release(batch);
        this.#failures = 0;
      } catch (error) {
        // The database answered but refused the batch: find the record it refuses, so one bad
        // record cannot hold back every later one.
        if (!(error instanceof DatabaseUnavailableError) && (await this.#isolate(batch))) continue;
        this.#failures += 1;
        this.#metrics?.flushFailures.inc();
        this.#warnings.warn(
          'flush',
          { records: this.#file.pendingCount, attempt: this.#failures, code: (error as { code?: string }).code },
          'spool flush failed; retrying',
        );
        return Math.min(MAX_RETRY_DELAY_MS, this.#intervalMs * 2 ** Math.min(this.#failures, 10));
      }
    }
    if (this.#file.pendingCount === 0) for (const { resolve } of this.#drained.splice(0)) resolve(true);
    return undefined;
  }

  /** Dropped by design, not lost: the symbol's new owner recovers the fills from the venue. Logged once per 30 s. */
  #reportFencedOut(fencedOut: readonly FencedOut[]): void {
    for (const { record, error } of fencedOut) {
      this.#metrics?.fencedOut.inc();
      this.#warnings.warn(
        'fenced-out',
        {
          seq: record.seq,
          fenceKey: error.fenceKey,
          writtenUnder: error.fencingToken.toString(),
          recordedFence: error.highestToken.toString(),
        },
        'spooled writes of an earlier ownership dropped: the symbol is owned under a newer fence since (its owner recovers their fills from the venue)',
      );
    }
  }

  /** Answers the `drain` callers whose records are all written (up to `seq`). */
  #answerDrained(seq: number): void {
    const waiting = this.#drained;
    this.#drained = waiting.filter((entry) => entry.upTo > seq);
    for (const entry of waiting) if (entry.upTo <= seq) entry.resolve(true);
  }

  /**
   * Writes `batch` one record at a time. A record the database refuses POISON_ATTEMPTS times (not
   * an outage) is moved to the dead-letter file `<path>.rejected` (fsynced, logged, counted), never
   * dropped. Returns true when at least one record left the spool.
   */
  async #isolate(batch: readonly SpoolRecord[]): Promise<boolean> {
    let progressed = false;
    for (const record of batch) {
      let refusal: unknown;
      for (let attempt = 1; attempt <= POISON_ATTEMPTS; attempt += 1) {
        try {
          this.#reportFencedOut(await this.#inner.transaction((tx) => applyBatch(tx, [record])));
          refusal = undefined;
          break;
        } catch (error) {
          if (error instanceof DatabaseUnavailableError) return progressed;
          refusal = error;
        }
      }
      if (refusal !== undefined) {
        const code = (refusal as { code?: string }).code;
        await this.#file.deadLetter(record, code ?? 'unknown');
        this.#metrics?.deadLetters.inc();
        this.#logger?.warn(
          { seq: record.seq, op: record.op, code },
          'spooled record refused by the database: moved to the dead-letter file',
        );
      }
      await this.#file.acknowledge(record.seq);
      this.#novelty.release([record]);
      progressed = true;
    }
    return progressed;
  }

  // Spooled writes: durable when they resolve, in the database shortly after.
  saveTrade(trade: Trade): Promise<void> {
    return this.#spool({ op: 'trades', trades: [trade] });
  }
  batchSaveTrades(trades: readonly Trade[]): Promise<void> {
    return trades.length === 0 ? Promise.resolve() : this.#spool({ op: 'trades', trades });
  }
  saveOrder(order: OrderRecord): Promise<void> {
    return this.#spool({ op: 'order', order });
  }
  /** Resolves true once a new fill is durable, false for a duplicate (nothing is spooled for it). */
  async saveFill(fill: Fill): Promise<boolean> {
    return (await this.batchSaveFills([fill])) === 1;
  }
  /** Spools the new fills among `fills`; resolves how many were new once they are durable. */
  async batchSaveFills(fills: readonly Fill[]): Promise<number> {
    const claims = await this.#novelty.claim(fills);
    try {
      if (claims.fresh.length > 0) await this.#spool({ op: 'fills', fills: claims.fresh });
    } catch (error) {
      claims.settle(false);
      throw error;
    }
    claims.settle(true);
    return claims.fresh.length;
  }
  saveSlots(slots: readonly SlotRecord[]): Promise<void> {
    return slots.length === 0 ? Promise.resolve() : this.#spool({ op: 'slots', slots });
  }
  saveEvent(event: EventRecord): Promise<void> {
    return this.#spool({ op: 'event', event });
  }
  saveFillCursor(cursor: FillCursorRecord): Promise<void> {
    return this.#spool({ op: 'cursor', cursor });
  }

  // Synchronous paths: straight to the database.
  recordIntent(intent: OrderIntent): Promise<void> {
    return this.#inner.recordIntent(intent);
  }
  recordIntents(intents: readonly OrderIntent[]): Promise<readonly string[]> {
    return this.#inner.recordIntents(intents);
  }
  claimFence(fenceKey: string, fencingToken: bigint, holder: string): Promise<void> {
    return this.#inner.claimFence(fenceKey, fencingToken, holder);
  }
  ensureGrid(grid: GridRecord): Promise<GridRecord> {
    return this.#inner.ensureGrid(grid);
  }
  setGridPaused(
    exchange: string,
    symbol: string,
    paused: boolean,
    reason: string | undefined,
    time: number,
  ): Promise<void> {
    return this.#spool({ op: 'paused', exchange, symbol, paused, reason, time });
  }
  /** A spooled transaction: its writes are appended as one group record on commit (all or none). */
  async beginTx(): Promise<Tx> {
    return new SpoolingTx(this.#inner, this.#novelty, (writes) =>
      writes.length === 0 ? Promise.resolve() : this.#spool({ op: 'group', writes }),
    );
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = await this.beginTx();
    try {
      const result = await fn(tx);
      await tx.commit();
      return result;
    } catch (error) {
      await tx.rollback();
      throw error;
    }
  }
  ping(signal?: AbortSignal): Promise<void> {
    return this.#inner.ping(signal);
  }
  migrate(): Promise<void> {
    return this.#inner.migrate();
  }
  // The registry is never spooled: a heartbeat replayed later would report a stale state as current.
  saveInstance(record: InstanceRecord): Promise<void> {
    return this.#inner.saveInstance(record);
  }
  getInstances(): Promise<InstanceRecord[]> {
    return this.#inner.getInstances();
  }

  /** Stops flushing (what is spooled stays in the file for the next open) and closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#flushing;
    for (const { resolve } of this.#drained.splice(0)) resolve(this.#file.pendingCount === 0);
    await this.#file.close();
    await this.#inner.close();
  }
}

/** A spooled transaction dropped because the fence it was written under no longer holds. */
interface FencedOut {
  readonly record: SpoolRecord;
  readonly error: StaleFencingTokenError;
}

/**
 * Writes one batch in order (groups unfolded, still in one transaction); consecutive trades and
 * fills become multi-row inserts. A group written under a fence (Tx.holdFence) is kept only if its
 * fence holds, checked in this transaction (a claim of a higher token waits for its commit);
 * resolves with the groups dropped because it does not.
 */
async function applyBatch(tx: Tx, batch: readonly SpoolRecord[]): Promise<FencedOut[]> {
  const fencedOut: FencedOut[] = [];
  const kept: SpoolRecord[] = [];
  // One runner's groups share its fence: held once per batch (the lock lasts until commit).
  const held = new Map<string, StaleFencingTokenError | undefined>();
  for (const record of batch) {
    const error = await fenceRefusal(tx, record, held);
    if (error === undefined) kept.push(record);
    else fencedOut.push({ record, error });
  }
  await applyWrites(tx, kept.flatMap(unfold));
  return fencedOut;
}

async function fenceRefusal(
  tx: Tx,
  record: SpoolRecord,
  held: Map<string, StaleFencingTokenError | undefined>,
): Promise<StaleFencingTokenError | undefined> {
  if (record.op !== 'group') return undefined;
  for (const write of record.writes) {
    if (write.op !== 'fence') continue;
    const key = `${write.fenceKey}\u0000${write.fencingToken}\u0000${write.holder}`;
    if (!held.has(key)) held.set(key, await staleFence(tx, write.fenceKey, write.fencingToken, write.holder));
    const refusal = held.get(key);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

async function staleFence(
  tx: Tx,
  fenceKey: string,
  fencingToken: bigint,
  holder: string,
): Promise<StaleFencingTokenError | undefined> {
  try {
    await tx.holdFence(fenceKey, fencingToken, holder);
    return undefined;
  } catch (error) {
    if (error instanceof StaleFencingTokenError) return error;
    throw error;
  }
}

async function applyWrites(tx: DatabaseOperations, writes: readonly SpoolWrite[]): Promise<void> {
  for (let index = 0; index < writes.length;) {
    const write = writes[index]!;
    if (write.op === 'trades' || write.op === 'fills') {
      let end = index;
      while (end < writes.length && writes[end]!.op === write.op) end += 1;
      const run = writes.slice(index, end);
      if (write.op === 'trades') await tx.batchSaveTrades(run.flatMap((w) => (w.op === 'trades' ? w.trades : [])));
      else await tx.batchSaveFills(run.flatMap((w) => (w.op === 'fills' ? w.fills : [])));
      index = end;
      continue;
    }
    if (write.op === 'order') await tx.saveOrder(write.order);
    else if (write.op === 'slots') await tx.saveSlots(write.slots);
    else if (write.op === 'event') await tx.saveEvent(write.event);
    else if (write.op === 'paused')
      await tx.setGridPaused(write.exchange, write.symbol, write.paused, write.reason, write.time);
    else if (write.op === 'cursor') await tx.saveFillCursor(write.cursor);
    index += 1;
  }
}

function unfold(write: SpoolWrite): SpoolWrite[] {
  if (write.op === 'fence') return [];
  return write.op === 'group' ? write.writes.flatMap(unfold) : [write];
}
