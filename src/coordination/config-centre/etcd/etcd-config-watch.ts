/**
 * One watch of one configuration key (R7). Delivers every change in revision order, each revision
 * at most once (the `seen` filter), with no polling:
 * - the etcd watch starts after the revision the caller has seen; etcd3 resumes it after a lost
 *   stream from the last revision it delivered (an etcd restart keeps revisions);
 * - on every reconnect the key is read again, so a change made while disconnected is delivered even
 *   if the resumed stream could not replay it (its history compacted);
 * - a watch etcd cancels (compaction) is replaced from a fresh read.
 */
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { abortable } from '../../lock/abortable.js';
import type { ConfigChange } from '../config-centre.js';

export interface KeyRead {
  /** The key's value and mod revision, undefined when absent. */
  readonly current: { readonly text: string; readonly revision: bigint } | undefined;
  /** The store's revision at the read (every change up to it is reflected in `current`). */
  readonly storeRevision: bigint;
}

export interface EtcdConfigWatchOptions {
  readonly client: Etcd3;
  readonly key: string;
  readonly read: () => Promise<KeyRead>;
  readonly onChange: (change: ConfigChange) => void;
  readonly onTrouble: (error: unknown) => void;
}

export class EtcdConfigWatch {
  readonly #options: EtcdConfigWatchOptions;
  #seen: bigint;
  /** Whether the last delivered change left a document in place (a re-read that finds none reports a delete). */
  #present: boolean;
  #watcher: Watcher | undefined;
  #closed = false;

  constructor(options: EtcdConfigWatchOptions, seen: bigint, present: boolean) {
    this.#options = options;
    this.#seen = seen;
    this.#present = present;
  }

  /** Opens the etcd watch after `fromRevision - 1`; resolves once etcd has created it. */
  async open(fromRevision: bigint, signal: AbortSignal): Promise<void> {
    const watcher = await abortable(
      this.#options.client.watch().key(this.#options.key).startRevision(fromRevision.toString()).create(),
      signal,
    );
    if (this.#closed) {
      void watcher.cancel().catch(() => undefined);
      return;
    }
    this.#watcher = watcher;
    watcher.on('put', (kv: IKeyValue) =>
      this.deliver({ revision: BigInt(kv.mod_revision), text: kv.value.toString('utf8') }),
    );
    watcher.on('delete', (kv: IKeyValue) => this.deliver({ revision: BigInt(kv.mod_revision), text: undefined }));
    watcher.on('disconnected', (error: unknown) => this.#options.onTrouble(error));
    // The first 'connected' already fired inside create(); every later one is a reconnect.
    watcher.on('connected', () => void this.#reread());
    watcher.on('error', (error: unknown) => {
      // etcd cancelled the watch (e.g. its start revision was compacted): start again from a read.
      this.#options.onTrouble(error);
      this.#watcher = undefined;
      void this.#restart(signal);
    });
  }

  /** Delivers a change newer than every one delivered so far; older or repeated ones are dropped. */
  deliver(change: ConfigChange): void {
    if (this.#closed || change.revision <= this.#seen) return;
    this.#seen = change.revision;
    this.#present = change.text !== undefined;
    this.#options.onChange(change);
  }

  close(): void {
    this.#closed = true;
    void this.#watcher?.cancel().catch(() => undefined);
    this.#watcher = undefined;
  }

  /** Reads the key and delivers it if it changed after the last delivered revision. */
  async #reread(): Promise<bigint | undefined> {
    try {
      const read = await this.#options.read();
      if (read.current !== undefined) this.deliver(read.current);
      // No document now but one delivered before: it was deleted at some revision up to this read.
      else if (this.#present) this.deliver({ revision: read.storeRevision, text: undefined });
      return read.storeRevision;
    } catch (error) {
      // The resumed stream still delivers what changed; the next reconnect reads again.
      this.#options.onTrouble(error);
      return undefined;
    }
  }

  async #restart(signal: AbortSignal): Promise<void> {
    while (!this.#closed && !signal.aborted) {
      const storeRevision = await this.#reread();
      if (storeRevision !== undefined) {
        await this.open(storeRevision + 1n, signal).catch((error: unknown) => this.#options.onTrouble(error));
        if (this.#watcher !== undefined || signal.aborted) return;
      }
      // etcd did not answer: try again shortly (a restart of the watch, not a poll of the key).
      await new Promise((resolve) => setTimeout(resolve, 500).unref());
    }
  }
}
