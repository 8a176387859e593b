/**
 * One watch of one configuration key (R7). Delivers every change in revision order, each revision
 * at most once (the `seen` filter), with no polling:
 * - the etcd watch starts after the revision the caller has seen; etcd3 resumes it after a lost
 *   stream from the last revision it delivered;
 * - on every reconnect the key is read again, so a change made while disconnected is delivered even
 *   if the resumed stream could not replay it (its history compacted);
 * - a watch etcd cancels (compaction) is replaced from a fresh read;
 * - an etcd that came back as another store (restarted empty, restored from an older snapshot)
 *   counts revisions anew, below `seen`: the filter would drop its document and the resumed watch
 *   wait for `seen` in its future, so every change made after the wipe was missed (issue 14). Told
 *   by the stream's headers (store-history.ts), or by a read showing a document at or below `seen`
 *   that is not the one delivered at it (the new store already past `seen` when the stream came
 *   back), the watch rebases on the new store: its document is delivered whatever its revision,
 *   and the filter and the etcd watch go on from the read.
 */
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { abortable } from '../../lock/abortable.js';
import { type EtcdHeader, EtcdStoreHistory } from '../../etcd/store-history.js';
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
  /** Changes at or below this revision are not delivered (already seen). */
  #seen: bigint;
  /** Whether the last delivered change left a document in place (a re-read that finds none reports a delete). */
  #present: boolean;
  /** The last change delivered, to tell a wiped store's document from the one seen at its revision. */
  #delivered: ConfigChange | undefined;
  /** The store is another one: the next read is delivered whatever its revision. */
  #rebase = false;
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
    // A replaced watcher's late events belong to the store it followed: dropped.
    const current = () => this.#watcher === watcher;
    const history = new EtcdStoreHistory(fromRevision - 1n);
    watcher.on('put', (kv: IKeyValue) => {
      if (current()) this.deliver({ revision: BigInt(kv.mod_revision), text: kv.value.toString('utf8') });
    });
    watcher.on('delete', (kv: IKeyValue) => {
      if (current()) this.deliver({ revision: BigInt(kv.mod_revision), text: undefined });
    });
    watcher.on('data', (response: { header: EtcdHeader }) => {
      const reason = history.follow(response.header);
      if (reason !== undefined && current()) this.#afresh(reason, signal);
    });
    watcher.on('disconnected', (error: unknown) => this.#options.onTrouble(error));
    // The first 'connected' already fired inside create(); every later one is a reconnect.
    watcher.on('connected', (response: { header: EtcdHeader }) => {
      if (!current()) return;
      const reason = history.follow(response.header);
      if (reason === undefined) void this.#reread();
      else this.#afresh(reason, signal);
    });
    watcher.on('error', (error: unknown) => {
      // etcd cancelled the watch (e.g. its start revision was compacted): start again from a read.
      if (!current()) return;
      this.#options.onTrouble(error);
      this.#watcher = undefined;
      void this.#restart(signal);
    });
  }

  /** Delivers a change newer than every one delivered so far; older or repeated ones are dropped. */
  deliver(change: ConfigChange): void {
    if (change.revision > this.#seen) this.#accept(change);
  }

  close(): void {
    this.#closed = true;
    void this.#watcher?.cancel().catch(() => undefined);
    this.#watcher = undefined;
  }

  #accept(change: ConfigChange): void {
    if (this.#closed) return;
    this.#seen = change.revision;
    this.#present = change.text !== undefined;
    this.#delivered = change;
    this.#options.onChange(change);
  }

  /** The stream comes from another store: its watcher is dropped, and the watch starts again from a read of the new one. */
  #afresh(reason: string, signal: AbortSignal): void {
    this.#options.onTrouble(new Error(reason));
    void this.#watcher?.cancel().catch(() => undefined);
    this.#watcher = undefined;
    this.#rebase = true;
    void this.#restart(signal);
  }

  /** Reads the key and delivers it if it changed after the last delivered revision (or the store is another one). */
  async #reread(): Promise<bigint | undefined> {
    let read: KeyRead;
    try {
      read = await this.#options.read();
    } catch (error) {
      // The resumed stream still delivers what changed; the next reconnect reads again.
      this.#options.onTrouble(error);
      return undefined;
    }
    if (!this.#rebase && this.#contradicts(read)) {
      this.#options.onTrouble(
        new Error(
          `etcd holds ${this.#options.key} at revision ${read.current!.revision}, not what this watch saw at or before ${this.#seen} (a wiped or restored store): following the new store`,
        ),
      );
      this.#rebase = true;
    }
    if (this.#rebase) this.#rebaseOn(read);
    else if (read.current !== undefined) this.deliver(read.current);
    // No document now but one delivered before: it was deleted at some revision up to this read.
    else if (this.#present) this.deliver({ revision: read.storeRevision, text: undefined });
    return read.storeRevision;
  }

  /**
   * In one store, a read at or after the last delivered revision shows that change or a later one:
   * a document at or below it that is not the delivered one comes from another store.
   */
  #contradicts(read: KeyRead): boolean {
    const [delivered, current] = [this.#delivered, read.current];
    if (delivered === undefined || current === undefined || read.storeRevision < this.#seen) return false;
    if (current.revision > this.#seen) return false;
    return current.revision !== delivered.revision || current.text !== delivered.text;
  }

  /** Follows the new store from `read`: its document is delivered unless it is the one delivered last. */
  #rebaseOn(read: KeyRead): void {
    this.#rebase = false;
    const [delivered, current] = [this.#delivered, read.current];
    if (current !== undefined && (current.revision !== delivered?.revision || current.text !== delivered.text))
      this.#accept(current);
    else if (current === undefined && this.#present) this.#accept({ revision: read.storeRevision, text: undefined });
    // Every change up to the read is reflected in it; the stream delivers those after it.
    this.#seen = read.storeRevision;
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
