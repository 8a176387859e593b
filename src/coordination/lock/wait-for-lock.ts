/**
 * The waiting half of `DistributedLock.lock` shared by every backend: attempt, then wait for a
 * change (a watch, a release notification, or a jittered backoff), until acquired, aborted or timed
 * out. Guarantees: the caller's signal and `timeoutMs` end the wait promptly; a handle acquired in
 * the same instant as the abort is released again, so a cancelled `lock` never leaves a holder or a
 * waiter behind.
 */
import type { LockHandle, LockOptions } from './distributed-lock.js';
import { LockTimeoutError } from './errors.js';

export interface WaitStrategy {
  /** One acquisition attempt; undefined when another holder has the key. */
  attempt(): Promise<LockHandle | undefined>;
  /** Resolves when trying again is worthwhile; rejects with `signal.reason` when it aborts. */
  waitForChange(signal: AbortSignal): Promise<void>;
}

export async function waitForLock(key: string, options: LockOptions | undefined, strategy: WaitStrategy): Promise<LockHandle> {
  const timeoutMs = options?.timeoutMs;
  const stop = new AbortController();
  const onCallerAbort = () => stop.abort(options?.signal?.reason);
  options?.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop.abort(new LockTimeoutError(key, timeoutMs)), timeoutMs);
  try {
    if (options?.signal?.aborted) throw options.signal.reason;
    for (;;) {
      const handle = await strategy.attempt();
      if (stop.signal.aborted) {
        await handle?.unlock().catch(() => undefined);
        throw stop.signal.reason;
      }
      if (handle !== undefined) return handle;
      await strategy.waitForChange(stop.signal);
    }
  } finally {
    clearTimeout(timer);
    options?.signal?.removeEventListener('abort', onCallerAbort);
  }
}
