import { QuantMeshError } from '../../errors/quantmesh-error.js';

/** The handle no longer holds its lock: expired, taken over, released or its session was lost. */
export class LockLostError extends QuantMeshError {
  readonly code = 'QM_LOCK_LOST';
  constructor(
    readonly key: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`lock ${key} lost: ${reason}`, options);
  }
}

/** `lock` waited for `timeoutMs` without acquiring. */
export class LockTimeoutError extends QuantMeshError {
  readonly code = 'QM_LOCK_TIMEOUT';
  /** `cause`: the last backend failure, when the backend was unreachable while waiting. */
  constructor(
    readonly key: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`lock ${key} not acquired within ${timeoutMs} ms`, options);
  }
}

/** The lock backend cannot be reached or answered with an error. */
export class LockBackendUnavailableError extends QuantMeshError {
  readonly code = 'QM_LOCK_BACKEND_UNAVAILABLE';
  constructor(
    readonly backend: string,
    options?: { cause?: unknown },
  ) {
    // Driver messages may echo a DSN: never let `user:password@` through.
    const cause =
      options?.cause instanceof Error
        ? `: ${options.cause.message.replace(/\/\/([^:/@\s]+):[^@\s]*@/g, '//$1:***@')}`
        : '';
    super(`${backend} lock backend unavailable${cause}`, options);
  }
}
