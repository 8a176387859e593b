/** The budget store of one process (a single instance, tests): nothing is shared. */
import type { BudgetStore, VersionedValue } from './budget-store.js';

export class MemoryBudgetStore implements BudgetStore {
  readonly backend = 'memory';
  readonly #entries = new Map<string, { version: number; value: string }>();

  async read(key: string): Promise<VersionedValue> {
    const entry = this.#entries.get(key);
    return { version: entry?.version ?? 0, value: entry?.value };
  }

  async compareAndSet(key: string, version: number, value: string): Promise<boolean> {
    if ((this.#entries.get(key)?.version ?? 0) !== version) return false;
    this.#entries.set(key, { version: version + 1, value });
    return true;
  }

  async close(): Promise<void> {}
}
