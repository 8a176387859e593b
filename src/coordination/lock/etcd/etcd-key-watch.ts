/**
 * What a waiter of EtcdLock knows about the key it waits for, from ONE watch kept for the whole
 * `lock` call (started at the revision the failed attempt saw, so no event is missed).
 *
 * When the key is deleted every waiter wakes; most would only lose the race and pay a transaction
 * (a raft write) for it. So a waiter first lets a short random moment pass: if the watch meanwhile
 * shows the key taken again, it keeps waiting without trying.
 */
import type { Etcd3, Watcher } from 'etcd3';
import { abortable } from '../abortable.js';

/** Upper bound of the pause after a delete before trying (ms): longer than one etcd write. */
const settleMs = 20;

export class EtcdKeyWatch {
  readonly #watcher: Watcher;
  #present = true;
  #broken = false;
  #changed: () => void = () => undefined;

  private constructor(watcher: Watcher) {
    this.#watcher = watcher;
    watcher.on('put', () => {
      this.#present = true;
      this.#changed();
    });
    watcher.on('delete', () => {
      this.#present = false;
      this.#changed();
    });
    // A broken watch may have missed events: let the waiter try again rather than wait forever.
    const broken = () => {
      this.#broken = true;
      this.#changed();
    };
    watcher.on('disconnected', broken);
    watcher.on('error', broken);
  }

  static async open(client: Etcd3, key: string, fromRevision: bigint, signal: AbortSignal): Promise<EtcdKeyWatch> {
    const watcher = await abortable(client.watch().key(key).startRevision(fromRevision.toString()).create(), signal);
    return new EtcdKeyWatch(watcher);
  }

  /** Resolves when the key looks free (deleted and not re-taken meanwhile) or the watch broke. */
  free(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settle: NodeJS.Timeout | undefined;
      const finish = (end: () => void) => {
        clearTimeout(settle);
        signal.removeEventListener('abort', onAbort);
        this.#changed = () => undefined;
        end();
      };
      const onAbort = () => finish(() => reject(signal.reason));
      const check = () => {
        clearTimeout(settle);
        if (this.#broken) finish(resolve);
        else if (!this.#present) settle = setTimeout(() => finish(resolve), Math.random() * settleMs);
      };
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.#changed = check;
      check();
    });
  }

  /** The watch stopped delivering events; open a new one. */
  get broken(): boolean {
    return this.#broken;
  }

  close(): void {
    void this.#watcher.cancel().catch(() => undefined);
  }
}
