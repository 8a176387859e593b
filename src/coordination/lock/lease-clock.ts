/**
 * The local view of a lease (Invariant 1, lock half): a lease is judged on this process's monotonic
 * clock, counted from the moment the acquire (or extend) request was SENT, never from when the
 * answer arrived. The backend starts its own countdown later than we do, so our deadline falls
 * before the backend's, as long as the two clocks run at nearly the same rate.
 *
 * Drift margin: `2 ms + 1 %` of the TTL is taken off every local deadline. 1 % bounds the rate
 * difference between our clock and the backend's (quartz clocks differ by ~0.01 %; NTP slewing by
 * at most 0.05 %), 2 ms covers timer granularity. Wall-clock steps (NTP jumps, a VM restored from a
 * snapshot) do not move `performance.now()`, so they cannot stretch a local lease.
 */
import { performance } from 'node:perf_hooks';

/** Milliseconds on the process's monotonic clock. */
export function monotonicNow(): number {
  return performance.now();
}

/** What is taken off a lease of `ttlMs` to allow for clock-rate drift and timer granularity. */
export function driftMarginMs(ttlMs: number): number {
  return 2 + Math.ceil(ttlMs * 0.01);
}

/** The monotonic instant after which a lease of `ttlMs`, requested at `sentAt`, MAY have run out. */
export function leaseEnd(sentAt: number, ttlMs: number): number {
  return sentAt + ttlMs - driftMarginMs(ttlMs);
}

/** Rejects a TTL that no backend can honour (non-integer, not positive, or below the drift margin). */
export function assertValidTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= driftMarginMs(ttlMs)) {
    throw new RangeError(
      `lock ttl must be a positive integer number of milliseconds above its drift margin, got ${ttlMs}`,
    );
  }
}
