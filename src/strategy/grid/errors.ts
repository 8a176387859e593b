/**
 * Errors of the grid strategy. The state machine itself never throws on venue input (a malformed or
 * foreign update is ignored and reported); these errors cover configuration and persisted records.
 */
import { QuantMeshError } from '../../errors/quantmesh-error.js';

/** A grid setting or market filter that makes the grid impossible to run as configured. */
export class GridConfigurationError extends QuantMeshError {
  readonly code = 'QM_GRID_CONFIGURATION';
  constructor(
    readonly setting: string,
    readonly problem: string,
  ) {
    super(`grid setting ${setting}: ${problem}`);
  }
}

/** Persisted grid or slot records that cannot be turned back into a grid state. */
export class InvalidGridRecordError extends QuantMeshError {
  readonly code = 'QM_GRID_INVALID_RECORD';
  constructor(readonly problem: string) {
    super(`grid records cannot be loaded: ${problem}`);
  }
}

/** A client order id that would not fit the venue's length or character limits. */
export class ClientOrderIdFormatError extends QuantMeshError {
  readonly code = 'QM_GRID_CLIENT_ORDER_ID_FORMAT';
  constructor(
    readonly clientOrderId: string,
    readonly maxLength: number,
  ) {
    super(
      `client order id ${JSON.stringify(clientOrderId)} does not fit the venue's limits (max ${maxLength} characters)`,
    );
  }
}
