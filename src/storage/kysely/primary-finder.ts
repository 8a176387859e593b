/**
 * Finds the writable server of a primary/replica set (R10, database half): the hosts of the DSN are
 * probed in order and the first that accepts writes wins. A replica (or a primary demoted after a
 * switch) answers read-only and is passed over; an unreachable host is passed over too.
 */
import type { HostPort } from '../dsn.js';
import { DatabaseUnavailableError } from '../errors.js';

/** Resolves true when `host` accepts writes, false when it is read-only; rejects when unreachable. */
export type WritableProbe = (host: HostPort) => Promise<boolean>;

export async function findWritableHost(dialect: string, hosts: readonly HostPort[], probe: WritableProbe): Promise<HostPort> {
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
