/**
 * Writes this instance's snapshot (mode, symbols with ownership, health) into the instance registry
 * of the shared database at a third of the lease TTL (at most every 5 s), so every instance can answer
 * the cluster view (server/cluster-view.ts) and a silent instance shows as missing within one lease
 * TTL. A failed write is logged and retried at the next beat; the last write, at stop, says `stopped`.
 */
import type { Logger } from 'pino';
import type { InstanceSnapshot } from '../server/cluster-view.js';
import type { Database } from '../storage/database.js';

export interface InstanceHeartbeatOptions {
  readonly instanceId: string;
  readonly database: Pick<Database, 'saveInstance'>;
  readonly snapshot: (stopped: boolean) => Promise<InstanceSnapshot>;
  readonly leaseTtlMs: number;
  readonly logger: Logger;
  readonly clock: () => number;
}

export class InstanceHeartbeat {
  readonly #options: InstanceHeartbeatOptions;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> = Promise.resolve();
  #stopped = false;
  #failing = false;

  constructor(options: InstanceHeartbeatOptions) {
    this.#options = options;
  }

  get intervalMs(): number {
    return Math.min(5000, Math.max(250, Math.floor(this.#options.leaseTtlMs / 3)));
  }

  start(): void {
    this.#beat(false);
  }

  /** Writes a snapshot now, after any write under way; resolves whether it was written. */
  beatNow(): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    // Writes run one after another, each taking its snapshot when it runs: a newer state is never overwritten by an older one.
    const written = this.#beating.then(() => this.#write(false));
    this.#beating = written.then(() => undefined);
    return written;
  }

  /** Writes the last snapshot (`stopped`); idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#beating;
    await this.#write(true);
  }

  #beat(stopped: boolean): void {
    this.#beating = this.#beating
      .then(() => this.#write(stopped))
      .then(() => {
        if (this.#stopped) return;
        this.#timer = setTimeout(() => this.#beat(false), this.intervalMs);
        this.#timer.unref();
      });
  }

  async #write(stopped: boolean): Promise<boolean> {
    const { instanceId, database, snapshot, clock, logger } = this.#options;
    try {
      const snap = await snapshot(stopped);
      await database.saveInstance({
        instanceId,
        heartbeatAt: clock(),
        snapshot: snap as unknown as Record<string, unknown>,
      });
      if (this.#failing) logger.info('instance registry: heartbeat written again');
      this.#failing = false;
      return true;
    } catch (error) {
      if (!this.#failing)
        logger.warn(
          { err: error },
          'instance registry: heartbeat not written (the cluster view shows this instance as missing until it is)',
        );
      this.#failing = true;
      return false;
    }
  }
}
