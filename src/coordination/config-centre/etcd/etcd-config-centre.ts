/**
 * EtcdConfigCentre (R7): each document is one etcd key, `<prefix><name>`. Its revision is the key's
 * mod revision, which etcd makes strictly increasing cluster-wide and keeps across restarts, so
 * it serves both as the compare-and-swap token of `put` and as the resume point of `watch` (an etcd
 * restarted on a wiped data dir starts again from 1: etcd-config-watch.ts follows it afresh).
 */
import type { Etcd3 } from 'etcd3';
import { abortable } from '../../lock/abortable.js';
import { DEFAULT_ETCD_CALL_TIMEOUT_MS, type EtcdConnectionOptions, createEtcdClient } from '../../etcd/etcd-client.js';
import type { ConfigCentre, ConfigChange, PutOptions, StoredConfig, WatchOptions } from '../config-centre.js';
import { ConfigCentreUnavailableError, ConfigRevisionConflictError, InvalidConfigNameError } from '../errors.js';
import { EtcdConfigWatch, type KeyRead } from './etcd-config-watch.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export interface EtcdConfigCentreOptions extends EtcdConnectionOptions {
  /** Prepended to every name (the configuration's default is `/quantmesh/config/`). */
  readonly prefix: string;
}

export class EtcdConfigCentre implements ConfigCentre {
  readonly backend = 'etcd';
  readonly #client: Etcd3;
  readonly #prefix: string;
  readonly #callTimeoutMs: number;
  readonly #watches = new Set<EtcdConfigWatch>();
  #closed = false;

  constructor(options: EtcdConfigCentreOptions) {
    this.#prefix = options.prefix;
    this.#callTimeoutMs = options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS;
    this.#client = createEtcdClient(options);
  }

  keyOf(name: string): string {
    if (!NAME.test(name)) throw new InvalidConfigNameError(name);
    return this.#prefix + name;
  }

  async get(name: string, signal?: AbortSignal): Promise<StoredConfig | undefined> {
    return (await this.#read(this.keyOf(name), signal)).current;
  }

  async put(name: string, text: string, options: PutOptions = {}): Promise<bigint> {
    const key = this.keyOf(name);
    const deadline = { deadline: Date.now() + this.#callTimeoutMs };
    if (options.expectRevision === undefined) {
      const response = await this.#call(() => this.#client.put(key).value(text).options(deadline).exec());
      return BigInt(response.header.revision);
    }
    const response = await this.#call(() =>
      this.#client
        // etcd compares a missing key as mod revision 0, so `0n` means "only if there is no document".
        .if(key, 'Mod', '==', options.expectRevision!.toString())
        .then(this.#client.put(key).value(text))
        // Otherwise read it, so the conflict names the revision that won.
        .else(this.#client.get(key))
        .options(deadline)
        .commit(),
    );
    if (response.succeeded) return BigInt(response.header.revision);
    const found = response.responses[0]?.response_range?.kvs[0];
    throw new ConfigRevisionConflictError(
      key,
      options.expectRevision,
      found === undefined ? 0n : BigInt(found.mod_revision),
    );
  }

  async watch(
    name: string,
    onChange: (change: ConfigChange) => void,
    signal: AbortSignal,
    options: WatchOptions = {},
  ): Promise<void> {
    const key = this.keyOf(name);
    if (this.#closed)
      throw new ConfigCentreUnavailableError(this.backend, { cause: new Error('configuration centre closed') });
    let initial: KeyRead | undefined;
    if (options.afterRevision === undefined) initial = await this.#read(key, signal);
    const seen = options.afterRevision ?? 0n;
    const watch = new EtcdConfigWatch(
      {
        client: this.#client,
        key,
        onChange,
        read: () => this.#read(key),
        onTrouble: options.onTrouble ?? (() => undefined),
      },
      seen,
      options.afterRevision !== undefined,
    );
    this.#watches.add(watch);
    const end = () => {
      watch.close();
      this.#watches.delete(watch);
    };
    signal.addEventListener('abort', end, { once: true });
    try {
      if (initial?.current !== undefined) watch.deliver(initial.current);
      await watch.open(initial === undefined ? seen + 1n : initial.storeRevision + 1n, signal);
    } catch (error) {
      end();
      throw signal.aborted ? error : new ConfigCentreUnavailableError(this.backend, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const watch of this.#watches) watch.close();
    this.#watches.clear();
    this.#client.close();
  }

  async #read(key: string, signal?: AbortSignal): Promise<KeyRead> {
    const response = await this.#call(() =>
      abortable(
        this.#client
          .get(key)
          .options({ deadline: Date.now() + this.#callTimeoutMs })
          .exec(),
        signal,
      ),
    );
    const kv = response.kvs[0];
    return {
      current: kv === undefined ? undefined : { text: kv.value.toString('utf8'), revision: BigInt(kv.mod_revision) },
      storeRevision: BigInt(response.header.revision),
    };
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new ConfigCentreUnavailableError(this.backend, { cause: error });
    }
  }
}
