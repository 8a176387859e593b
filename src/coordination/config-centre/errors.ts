import { QuantMeshError } from '../../errors/quantmesh-error.js';

/** A compare-and-swap `put` lost: the document changed since the revision the writer read. Nothing was written. */
export class ConfigRevisionConflictError extends QuantMeshError {
  readonly code = 'QM_CONFIG_CENTRE_CONFLICT';
  constructor(
    readonly key: string,
    readonly expectedRevision: bigint,
    readonly actualRevision: bigint,
  ) {
    super(
      `configuration ${key} changed meanwhile: expected revision ${expectedRevision === 0n ? 'none (no document)' : expectedRevision}, found ${actualRevision === 0n ? 'none (deleted)' : actualRevision}; read it again`,
    );
  }
}

/** The configuration centre's store cannot be reached or answered with an error; the cause is attached. */
export class ConfigCentreUnavailableError extends QuantMeshError {
  readonly code = 'QM_CONFIG_CENTRE_UNAVAILABLE';
  constructor(
    readonly backend: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${backend} configuration centre unavailable${options?.cause instanceof Error ? `: ${options.cause.message}` : ''}`,
      options,
    );
  }
}

/** A document name that cannot be a key (empty, or with characters outside letters, digits, `_ . -`). */
export class InvalidConfigNameError extends QuantMeshError {
  readonly code = 'QM_CONFIG_CENTRE_INVALID_NAME';
  constructor(readonly configName: string) {
    super(`configuration name ${JSON.stringify(configName)} is not valid (letters, digits, _ . - only, at most 63)`);
  }
}
