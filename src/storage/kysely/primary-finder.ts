/**
 * Finds the writable server of a primary/replica set (R10, database half): the hosts of the DSN are
 * probed in order and the first that accepts writes wins. A replica (or a primary demoted after a
 * switch) answers read-only and is passed over; an unreachable host is passed over too.
 */
import type { HostPort } from '../dsn.js';
import { DatabaseUnavailableError } from '../errors.js';

/** Resolves true when `host` accepts writes, false when it is read-only; rejects when unreachable. */
export type WritableProbe = (host: HostPort) => Promise<boolean>;

/** `host:port` for logs (never credentials). */
export function hostText(host: HostPort | undefined): string | undefined {
  return host === undefined ? undefined : `${host.host}:${host.port}`;
}

export async function findWritableHost(
  dialect: string,
  hosts: readonly HostPort[],
  probe: WritableProbe,
): Promise<HostPort> {
  if (hosts.length === 1) return hosts[0]!;
  const reasons: string[] = [];
  for (const host of hosts) {
    try {
      if (await probe(host)) return host;
      reasons.push(`${host.host}:${host.port} is read-only`);
    } catch (error) {
      reasons.push(`${host.host}:${host.port} unreachable (${(error as { code?: string }).code ?? 'error'})`);
    }
  }
  throw new DatabaseUnavailableError(dialect, `no writable primary among ${reasons.join(', ')}`);
}

/**
 * Holds the driver pool opened on the current primary. `ensure()` probes the hosts on first use and
 * after `reprobe()`; a failed probe is forgotten so the next call tries again. The dropped pool is
 * ended in the background (connections still checked out finish first).
 */
export class PrimaryFollower<Pool> {
  #current: Promise<Pool> | undefined;
  #host: HostPort | undefined;

  constructor(
    readonly dialect: string,
    readonly hosts: readonly HostPort[],
    readonly probe: WritableProbe,
    readonly createPool: (host: HostPort) => Pool,
    readonly endPool: (pool: Pool) => Promise<void>,
  ) {}

  /** The primary in use, once found. */
  get host(): HostPort | undefined {
    return this.#host;
  }

  ensure(): Promise<Pool> {
    if (this.#current === undefined) {
      const attempt = findWritableHost(this.dialect, this.hosts, this.probe).then((host) => {
        this.#host = host;
        return this.createPool(host);
      });
      attempt.catch(() => {
        if (this.#current === attempt) this.#current = undefined;
      });
      this.#current = attempt;
    }
    return this.#current;
  }

  reprobe(): void {
    const previous = this.#current;
    this.#current = undefined;
    void previous?.then((pool) => this.endPool(pool)).catch(() => undefined);
  }

  async end(): Promise<void> {
    const previous = this.#current;
    this.#current = undefined;
    if (previous !== undefined)
      await previous.then(
        (pool) => this.endPool(pool),
        () => undefined,
      );
  }
}
