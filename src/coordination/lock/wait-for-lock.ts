/**
 * The waiting half of `DistributedLock.lock` shared by every backend: attempt, then wait for a
 * change (a watch, a release notification, or a jittered backoff), until acquired, aborted or timed
 * out. Guarantees: the caller's signal and `timeoutMs` end the wait promptly; a handle acquired in
 * the same instant as the abort is released again, so a cancelled `lock` never leaves a holder or a
 * waiter behind. An unreachable backend does not end the wait (R2: block until acquired or the
 * caller gives up): attempts continue with backoff, and a timeout then carries the last failure.
 */
import type { LockHandle, LockOptions } from './distributed-lock.js';
import { LockBackendUnavailableError, LockTimeoutError } from './errors.js';
import { Backoff, sleep } from './backoff.js';

export interface WaitStrategy {
  /** One acquisition attempt; undefined when another holder has the key. */
  attempt(): Promise<LockHandle | undefined>;
  /** Resolves when trying again is worthwhile; rejects with `signal.reason` when it aborts. */
  waitForChange(signal: AbortSignal): Promise<void>;
  /** Releases what waiting held (a watch); called once when `lock` ends, however it ends. */
  close?(): void;
}

export async function waitForLock(
  key: string,
  options: LockOptions | undefined,
  strategy: WaitStrategy,
): Promise<LockHandle> {
  const timeoutMs = options?.timeoutMs;
  const stop = new AbortController();
  const onCallerAbort = () => stop.abort(options?.signal?.reason);
  options?.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer =
    timeoutMs === undefined ? undefined : setTimeout(() => stop.abort(new LockTimeoutError(key, timeoutMs)), timeoutMs);
  try {
    if (options?.signal?.aborted) stop.abort(options.signal.reason);
    const retry = new Backoff({ initialMs: 50, maxMs: 1000 });
    let failure: LockBackendUnavailableError | undefined;
    const ended = () => {
      const reason: unknown = stop.signal.reason;
      return reason instanceof LockTimeoutError && failure !== undefined
        ? new LockTimeoutError(key, reason.timeoutMs, { cause: failure })
        : reason;
    };
    while (!stop.signal.aborted) {
      let handle: LockHandle | undefined;
      try {
        handle = await strategy.attempt();
        failure = undefined;
      } catch (error) {
        if (!(error instanceof LockBackendUnavailableError)) throw error;
        failure = error;
      }
      if (stop.signal.aborted) {
        await handle?.unlock().catch(() => undefined);
        break;
      }
      if (handle !== undefined) return handle;
      const pause = failure === undefined ? strategy.waitForChange(stop.signal) : sleep(retry.next(), stop.signal);
      // A change feed that broke (a watch refused) must not turn into a tight loop of attempts.
      await pause.catch(() =>
        stop.signal.aborted ? undefined : sleep(retry.next(), stop.signal).catch(() => undefined),
      );
    }
    throw ended();
  } finally {
    strategy.close?.();
    clearTimeout(timer);
    options?.signal?.removeEventListener('abort', onCallerAbort);
  }
}
