/**
 * The Database port (R4) on Kysely, for SQLite, PostgreSQL and MySQL alike; what differs per driver
 * lives in `<driver>-dialect.ts` and `dialect-sql.ts`. Opening applies pending migrations. Writes that
 * must be atomic (an order with its history, fenced intents, slot batches) run in one transaction;
 * a deadlock, serialisation failure or busy SQLite writer undoes it whole and it is retried.
 */
import { Kysely, sql } from 'kysely';
import type { Database, DatabaseCapabilities, Tx } from '../database.js';
import type { InstanceRecord } from '../records.js';
import { getInstances, saveInstance } from './instance-queries.js';
import { DatabaseUnavailableError } from '../errors.js';
import { migrateToLatest } from '../migrations/migrate-to-latest.js';
import type { StorageSchema } from './kysely-schema.js';
import { KyselyOperations } from './kysely-operations.js';
import { KyselyTx } from './kysely-tx.js';
import type { QueryContext } from './query-context.js';
import type { StorageDialect } from './storage-dialect.js';

const DIRECT: DatabaseCapabilities = { readsOwnWrites: true, immediateWritesInTransaction: true };

export class KyselyDatabase extends KyselyOperations implements Database {
  readonly capabilities = DIRECT;
  readonly #db: Kysely<StorageSchema>;
  readonly #storage: StorageDialect;
  #closed = false;

  private constructor(db: Kysely<StorageSchema>, storage: StorageDialect) {
    super(db, storage, true);
    this.#db = db;
    this.#storage = storage;
  }

  /** Opens the adapter and (unless `migrate: false`) applies pending migrations. */
  static async open(storage: StorageDialect, options: { migrate?: boolean } = {}): Promise<KyselyDatabase> {
    const database = new KyselyDatabase(new Kysely<StorageSchema>({ dialect: storage.kyselyDialect }), storage);
    if (options.migrate !== false) {
      try {
        await database.migrate();
      } catch (error) {
        await database.close();
        throw error;
      }
    }
    return database;
  }

  /** The Kysely instance, for storage tooling (db copy); not part of the port. */
  get kysely(): Kysely<StorageSchema> {
    return this.#db;
  }

  /** host:port of the primary in use (server dialects), for logs and failover tests. */
  get currentHost(): string | undefined {
    return this.#storage.currentHost();
  }

  protected atomic<T>(fn: (db: Kysely<StorageSchema>) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute(fn);
  }

  async beginTx(): Promise<Tx> {
    const transaction = await this.guard(() => this.#db.startTransaction().execute());
    return new KyselyTx(transaction, this.#storage);
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = await this.beginTx();
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    }
    await tx.commit();
    return result;
  }

  async ping(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const answer = this.guard(() => sql`select 1`.execute(this.#db));
    if (signal === undefined) return void (await answer);
    await new Promise<void>((resolve, reject) => {
      const onAbort = () =>
        reject(new DatabaseUnavailableError(this.dialect, 'ping aborted', { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      answer.then(() => resolve(), reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Every write is in the database when its call resolves: nothing to wait for. */
  async drain(): Promise<boolean> {
    return true;
  }

  pendingWrites(): { records: number; bytes: number } {
    return { records: 0, bytes: 0 };
  }

  saveInstance(record: InstanceRecord): Promise<void> {
    return this.guard(() => saveInstance(this.#context(), record));
  }
  getInstances(): Promise<InstanceRecord[]> {
    return this.guard(() => getInstances(this.#context()));
  }

  #context(): QueryContext {
    return { db: this.#db, dialect: this.dialect, atomic: (fn) => this.atomic(fn) };
  }

  async migrate(): Promise<void> {
    await this.guard(() => migrateToLatest(this.#db as Kysely<unknown>, this.dialect));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.destroy();
  }
}
