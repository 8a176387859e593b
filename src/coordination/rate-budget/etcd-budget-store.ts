/**
 * The budget store in etcd: one key per budget, written in a transaction that compares the key's
 * version (0 when absent; etcd adds 1 on every put). Keys are small and overwritten in place, so
 * they carry no lease.
 */
import type { Etcd3 } from 'etcd3';
import { type EtcdConnectionOptions, createEtcdClient } from '../etcd/etcd-client.js';
import type { BudgetStore, VersionedValue } from './budget-store.js';

export class EtcdBudgetStore implements BudgetStore {
  readonly backend = 'etcd';
  readonly #client: Etcd3;

  constructor(options: EtcdConnectionOptions) {
    this.#client = createEtcdClient(options);
  }

  async read(key: string): Promise<VersionedValue> {
    const { kvs } = await this.#client.get(key).exec();
    const entry = kvs[0];
    return { version: entry === undefined ? 0 : Number(entry.version), value: entry?.value.toString() };
  }

  async compareAndSet(key: string, version: number, value: string): Promise<boolean> {
    const { succeeded } = await this.#client
      .if(key, 'Version', '==', version)
      .then(this.#client.put(key).value(value))
      .commit();
    return succeeded;
  }

  async close(): Promise<void> {
    this.#client.close();
  }
}
