/**
 * Time-outs scale with the machine's load: the suite must pass while both cores are also busy with
 * other work, so a bound on how long something may take to *happen* (a test's time-out, an `until`)
 * is multiplied by how far the runnable work exceeds the cores right now: the one-minute load
 * average over the cores, at least 1, at most 4. Read at each use, so a load that arrives mid-run
 * counts. Bounds that are the figure under test (a failover within lease TTL + 1 s) are not scaled.
 * `QM_TEST_TIME_SCALE` fixes the factor (e.g. 1 to see the unscaled bounds).
 */
import { availableParallelism, loadavg } from 'node:os';

const MAX_SCALE = 4;

export function timeScale(): number {
  const fixed = Number(process.env['QM_TEST_TIME_SCALE']);
  if (Number.isFinite(fixed) && fixed > 0) return fixed;
  return Math.min(MAX_SCALE, Math.max(1, (loadavg()[0] ?? 0) / availableParallelism()));
}

/** `ms` stretched by the current time scale. */
export function scaled(ms: number): number {
  return Math.round(ms * timeScale());
}
