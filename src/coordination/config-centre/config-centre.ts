/**
 * The configuration centre (R7): named configuration documents kept in a shared store, read, written
 * with compare-and-swap, and watched, so a change reaches running instances without a restart.
 * A document is opaque text here (the instance's YAML); validating it is the caller's business.
 */

/**
 * A document as stored, with the store's revision of its last change (strictly increasing per store;
 * a store wiped or restored counts anew, so a watch may then deliver a lower one).
 */
export interface StoredConfig {
  readonly text: string;
  readonly revision: bigint;
}

/** One change seen by a watch: the new text, or undefined when the document was deleted. */
export interface ConfigChange {
  readonly revision: bigint;
  readonly text: string | undefined;
}

export interface PutOptions {
  /**
   * Compare-and-swap: write only if the document's current revision is this one (`0n`: only if no
   * document exists). A lost race throws ConfigRevisionConflictError and writes nothing.
   */
  readonly expectRevision?: bigint | undefined;
}

export interface WatchOptions {
  /** Deliver only changes after this revision (e.g. the one a `get` returned). Default: deliver the current document first. */
  readonly afterRevision?: bigint | undefined;
  /** Told about trouble the watch recovers from by itself (connection lost, re-read failed); never fatal. */
  readonly onTrouble?: ((error: unknown) => void) | undefined;
}

export interface ConfigCentre {
  /** The stored document, or undefined when there is none. Throws ConfigCentreUnavailableError when the store cannot answer. */
  get(name: string, signal?: AbortSignal): Promise<StoredConfig | undefined>;

  /**
   * Writes the document and returns its new revision. Not idempotent under `expectRevision` (a retry
   * after an unknown outcome may find its own write and report a conflict: read again).
   */
  put(name: string, text: string, options?: PutOptions): Promise<bigint>;

  /**
   * Calls `onChange` for every change of the document, in revision order, each revision at most
   * once, until `signal` aborts. No polling: a store-side watch, resumed from the last revision seen
   * after a lost connection or a store restart; on every reconnect the document is read again, so a
   * change is never missed (several changes made while disconnected may arrive as the latest one).
   * A store that came back wiped or restored is followed afresh: its document is delivered with the
   * new store's revision, below those delivered before.
   * Resolves once the watch is established; rejects when `signal` aborts first.
   */
  watch(
    name: string,
    onChange: (change: ConfigChange) => void,
    signal: AbortSignal,
    options?: WatchOptions,
  ): Promise<void>;

  /** The full key of a document, for messages. */
  keyOf(name: string): string;

  /** Ends every watch and the connection. Idempotent. */
  close(): Promise<void>;
}
