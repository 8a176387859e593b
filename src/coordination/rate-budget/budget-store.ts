/**
 * Where the shared rate budget keeps each account's state: one small document per key, changed only
 * by compare-and-set on its version, so instances never lose each other's takes. Adapters:
 * `memory`, `redis`, `etcd`, `sql` (beside this file), one conformance suite for all
 * (test/conformance/budget-store.suite.ts).
 */
export interface VersionedValue {
  /** 0 when the key holds nothing; each successful compareAndSet adds 1. */
  readonly version: number;
  readonly value: string | undefined;
}

export interface BudgetStore {
  /** `redis`, `etcd`, `database`, `memory`. */
  readonly backend: string;
  read(key: string): Promise<VersionedValue>;
  /**
   * Stores `value` under `key` if its version is still `version` (the new version is `version + 1`);
   * false when another writer came first. `ttlMs`: the value may be forgotten that long after the
   * last write (backends without expiry keep it). Throws when the backend cannot answer.
   */
  compareAndSet(key: string, version: number, value: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}
