/** The handles a lock object has handed out and not yet seen end: what `close` releases and a lost connection signals. */
import type { LeasedLockHandle } from './leased-lock-handle.js';

export class HeldLocks {
  readonly #handles = new Set<LeasedLockHandle>();

  /** Pass as the handle's `onEnd`. */
  readonly forget = (handle: LeasedLockHandle): void => {
    this.#handles.delete(handle);
  };

  add(handle: LeasedLockHandle): LeasedLockHandle {
    this.#handles.add(handle);
    return handle;
  }

  /** Moves every deadline (handles that share one lease, e.g. an etcd session). */
  prolongAll(validUntil: number): void {
    for (const handle of this.#handles) handle.prolong(validUntil);
  }

  loseAll(reason: string, cause?: unknown): void {
    for (const handle of [...this.#handles]) handle.lose(reason, cause);
  }

  /** Best effort: a failure to release leaves the key to expire. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.#handles].map((handle) => handle.unlock().catch(() => undefined)));
  }
}
