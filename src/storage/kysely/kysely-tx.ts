import type { ControlledTransaction, Kysely } from 'kysely';
import type { Tx } from '../database.js';
import type { StorageSchema } from './kysely-schema.js';
import { KyselyOperations } from './kysely-operations.js';
import type { StorageDialect } from './storage-dialect.js';

/** A transaction on one pooled connection (Kysely's controlled transaction); every method runs inside it. */
export class KyselyTx extends KyselyOperations implements Tx {
  readonly #transaction: ControlledTransaction<StorageSchema>;
  #finished = false;

  constructor(transaction: ControlledTransaction<StorageSchema>, storage: StorageDialect) {
    super(transaction, storage, false);
    this.#transaction = transaction;
  }

  protected atomic<T>(fn: (db: Kysely<StorageSchema>) => Promise<T>): Promise<T> {
    // Already atomic: the caller's commit or rollback decides for every write of the transaction.
    return fn(this.#transaction);
  }

  holdFence(fenceKey: string, fencingToken: bigint, holder: string): Promise<void> {
    // Inside a transaction a claim holds the fence row's lock until commit: the same statements.
    return this.claimFence(fenceKey, fencingToken, holder);
  }

  async commit(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    await this.guard(() => this.#transaction.commit().execute());
  }

  async rollback(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    await this.guard(() => this.#transaction.rollback().execute());
  }
}
