import { QuantMeshError } from '../errors/quantmesh-error.js';

/** A database DSN that cannot be parsed for its type. The message carries the DSN with its password masked. */
export class InvalidDsnError extends QuantMeshError {
  readonly code = 'QM_STORAGE_INVALID_DSN';
  constructor(readonly dialect: string, readonly redactedDsn: string, readonly reason: string) {
    super(`invalid ${dialect} DSN ${JSON.stringify(redactedDsn)}: ${reason}`);
  }
}
