/**
 * Runs work while holding a lock (R2, R3), renewing the lease at a third of its TTL. `fn` gets a
 * signal that aborts as soon as the lock is lost, a renewal fails for good, or the lease may have run
 * out locally; work must check it before every side effect (placing an order) and pass the handle's
 * fencing token to the database. The lock is released when `fn` settles.
 */
import type { DistributedLock, LockHandle, LockOptions } from './distributed-lock.js';

export interface WithLockOptions extends LockOptions {
  /** Called when a renewal fails (the lock may still be held until its deadline). */
  readonly onRenewalFailure?: (error: unknown) => void;
}

export async function withLock<T>(
  lock: DistributedLock,
  key: string,
  ttlMs: number,
  fn: (signal: AbortSignal, handle: LockHandle) => Promise<T>,
  options: WithLockOptions = {},
): Promise<T> {
  const handle = await lock.lock(key, ttlMs, options);
  const renewEveryMs = Math.max(1, Math.floor(ttlMs / 3));
  let renewing = false;
  const renew = async () => {
    if (renewing || handle.signal.aborted) return;
    renewing = true;
    try {
      await handle.extend(ttlMs);
    } catch (error) {
      // A failed renewal is retried at the next tick; the handle's deadline aborts the signal if
      // none succeeds in time, and a refused renewal (LockLostError) has aborted it already.
      options.onRenewalFailure?.(error);
    } finally {
      renewing = false;
    }
  };
  const timer = setInterval(() => void renew(), renewEveryMs);
  try {
    return await fn(handle.signal, handle);
  } finally {
    clearInterval(timer);
    await handle.unlock().catch(() => undefined);
  }
}
