import { QuantMeshError } from '../errors/quantmesh-error.js';

/** A database DSN that cannot be parsed for its type. The message carries the DSN with its password masked. */
export class InvalidDsnError extends QuantMeshError {
  readonly code = 'QM_STORAGE_INVALID_DSN';
  constructor(
    readonly dialect: string,
    readonly redactedDsn: string,
    readonly reason: string,
  ) {
    super(`invalid ${dialect} DSN ${JSON.stringify(redactedDsn)}: ${reason}`);
  }
}

/** The database cannot be reached (or no writable primary was found); nothing is known to be written. */
export class DatabaseUnavailableError extends QuantMeshError {
  readonly code = 'QM_STORAGE_UNAVAILABLE';
  constructor(
    readonly dialect: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${dialect} database unavailable: ${reason}`, options);
  }
}

/** An intent was fenced by a token lower than one already recorded for its fence key (Invariant 1). */
export class StaleFencingTokenError extends QuantMeshError {
  readonly code = 'QM_STORAGE_STALE_FENCING_TOKEN';
  constructor(
    readonly fenceKey: string,
    readonly fencingToken: bigint,
    readonly highestToken: bigint,
  ) {
    super(`fencing token ${fencingToken} for ${fenceKey} is stale: ${highestToken} was already recorded`);
  }
}

/** An intent for the same grid slot round (or the same client order id) was already recorded. */
export class DuplicateIntentError extends QuantMeshError {
  readonly code = 'QM_STORAGE_DUPLICATE_INTENT';
  constructor(
    readonly exchange: string,
    readonly clientOrderId: string,
  ) {
    super(`an order intent for ${exchange} ${clientOrderId} (or its slot, level, cycle and side) is already recorded`);
  }
}

/** The write-behind spool is full (`maxSpoolBytes`): the write was refused, nothing was stored. */
export class SpoolFullError extends QuantMeshError {
  readonly code = 'QM_STORAGE_SPOOL_FULL';
  constructor(
    readonly spoolBytes: number,
    readonly maxSpoolBytes: number,
  ) {
    super(`write-behind spool is full (${spoolBytes} of ${maxSpoolBytes} bytes); the write was refused`);
  }
}

/** The spool file holds a record that cannot be read back (other than a torn last line). */
export class SpoolCorruptedError extends QuantMeshError {
  readonly code = 'QM_STORAGE_SPOOL_CORRUPTED';
  constructor(
    readonly path: string,
    readonly line: number,
    reason: string,
  ) {
    super(`spool file ${path} line ${line} is unreadable: ${reason}`);
  }
}

/** `db copy` refused to write into a target that already holds rows (use --force). */
export class CopyTargetNotEmptyError extends QuantMeshError {
  readonly code = 'QM_STORAGE_COPY_TARGET_NOT_EMPTY';
  constructor(readonly tables: readonly string[]) {
    super(`the target database is not empty (tables with rows: ${tables.join(', ')}); pass --force to copy into it`);
  }
}

/** Options of the storage factory are invalid (unknown type, bad pool settings). */
export class InvalidStorageOptionsError extends QuantMeshError {
  readonly code = 'QM_STORAGE_INVALID_OPTIONS';
  constructor(reason: string) {
    super(`invalid database options: ${reason}`);
  }
}
