/**
 * The one LockHandle every backend returns (Invariant 1, lock half). It keeps:
 * - the signal aborts when the lease MAY have run out on the local monotonic clock (see
 *   lease-clock.ts), when the backend says the lock is gone, or when the handle is released; once
 *   aborted it never comes back;
 * - reading `signal` re-checks the deadline synchronously, so a holder resumed after a pause (GC,
 *   SIGSTOP) sees an aborted signal before its expiry timer has even had a chance to run;
 * - extend and unlock go to the backend only through compare-and-act operations on this handle's
 *   owner identity; a handle that is no longer the holder gets LockLostError.
 */
import { LockBackendUnavailableError, LockLostError } from './errors.js';
import type { LockHandle } from './distributed-lock.js';
import { QuantMeshError } from '../../errors/quantmesh-error.js';
import { monotonicNow } from './lease-clock.js';

/** What a backend does for a handle; both are compare-and-act on the handle's owner identity. */
export interface LeaseOperations {
  /** Renews the lease; resolves with the new local deadline (monotonic ms), or undefined when not the holder. */
  extend(ttlMs: number): Promise<number | undefined>;
  /** Deletes the lock if still held by this handle; true when it was. */
  release(): Promise<boolean>;
}

type HandleState = 'held' | 'released' | 'lost';

export class LeasedLockHandle implements LockHandle {
  // Created on the first read of `signal`: a holder that never reads it pays for no AbortController,
  // and the end reason (an Error, with its stack) is only built when someone looks at it.
  #controller: AbortController | undefined;
  #endReason: (() => LockLostError) | undefined;
  #reason: LockLostError | undefined;
  readonly #operations: LeaseOperations;
  readonly #onEnd: ((handle: LeasedLockHandle) => void) | undefined;
  readonly #backend: string;
  #state: HandleState = 'held';
  #validUntil: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly key: string,
    readonly token: bigint,
    validUntil: number,
    operations: LeaseOperations,
    options: { backend: string; onEnd?: (handle: LeasedLockHandle) => void },
  ) {
    this.#operations = operations;
    this.#onEnd = options.onEnd;
    this.#backend = options.backend;
    this.#validUntil = validUntil;
  }

  get signal(): AbortSignal {
    this.#checkDeadline();
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#endReason !== undefined) this.#controller.abort(this.#reasonNow());
      else this.#arm();
    }
    return this.#controller.signal;
  }

  /** True while the handle holds its lock (not released, not lost, deadline not passed). */
  get held(): boolean {
    this.#checkDeadline();
    return this.#state === 'held';
  }

  get remainingMs(): number {
    return this.held ? Math.max(0, this.#validUntil - monotonicNow()) : 0;
  }

  /** Moves the local deadline (backends whose lease is renewed elsewhere, e.g. an etcd session). */
  prolong(validUntil: number): void {
    if (!this.held) return;
    this.#validUntil = validUntil;
    this.#arm();
  }

  /** Marks the lock as lost and aborts the signal; no-op when it already ended. */
  lose(reason: string, cause?: unknown): void {
    if (this.#state !== 'held') return;
    this.#end('lost', () => new LockLostError(this.key, reason, cause === undefined ? undefined : { cause }));
  }

  async extend(ttlMs: number): Promise<void> {
    if (!this.held) throw this.#lostError('extend after the lock ended');
    let validUntil: number | undefined;
    try {
      validUntil = await this.#operations.extend(ttlMs);
    } catch (error) {
      throw this.#unavailable(error);
    }
    if (validUntil === undefined) {
      this.lose('another holder has the key, or the lease ran out');
      throw this.#lostError('extend refused by the backend');
    }
    if (!this.held) throw this.#lostError('lost while extending');
    this.#validUntil = validUntil;
    this.#arm();
  }

  async unlock(): Promise<void> {
    if (this.#state === 'released') return;
    if (!this.held) {
      // Best effort: the key may still carry our identity (nobody took it over); free it for others.
      await this.#operations.release().catch(() => false);
      throw this.#lostError('unlock after the lock was lost');
    }
    let released: boolean;
    try {
      released = await this.#operations.release();
    } catch (error) {
      // We cannot tell whether the key is gone: stop acting as holder either way (fail safe).
      this.lose('release failed', error);
      throw this.#unavailable(error);
    }
    if (!released) {
      this.lose('another holder has the key, or the lease ran out');
      throw this.#lostError('unlock refused by the backend');
    }
    // The key was still ours and is now gone; a deadline passing meanwhile does not change that.
    if (this.#state === 'held') this.#end('released', () => new LockLostError(this.key, 'released'));
    else this.#state = 'released';
  }

  #checkDeadline(): void {
    if (this.#state === 'held' && monotonicNow() >= this.#validUntil)
      this.lose('lease may have expired (local monotonic deadline passed)');
  }

  /** The deadline timer only matters to abort a signal someone holds: it is armed once `signal` was read. */
  #arm(): void {
    clearTimeout(this.#timer);
    if (this.#controller === undefined) return;
    if (!Number.isFinite(this.#validUntil)) return;
    // Timers may fire a little early: check, and wait again for the rest if the deadline is ahead.
    this.#timer = setTimeout(
      () => {
        this.#checkDeadline();
        if (this.#state === 'held') this.#arm();
      },
      Math.max(0, Math.ceil(this.#validUntil - monotonicNow())),
    );
    this.#timer.unref();
  }

  #end(state: HandleState, reason: () => LockLostError): void {
    this.#state = state;
    clearTimeout(this.#timer);
    this.#endReason = reason;
    this.#controller?.abort(this.#reasonNow());
    this.#onEnd?.(this);
  }

  #reasonNow(): LockLostError | undefined {
    this.#reason ??= this.#endReason?.();
    return this.#reason;
  }

  #lostError(reason: string): LockLostError {
    const cause: unknown = this.#reasonNow();
    return new LockLostError(this.key, reason, cause === undefined ? undefined : { cause });
  }

  #unavailable(error: unknown): QuantMeshError {
    return error instanceof QuantMeshError ? error : new LockBackendUnavailableError(this.#backend, { cause: error });
  }
}
