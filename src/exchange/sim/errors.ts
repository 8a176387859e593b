import { QuantMeshError } from '../../errors/quantmesh-error.js';
import { InvalidOrderError } from '../errors.js';

/** A simulated venue was configured with settings it cannot run (bad symbol spec, empty replay...). */
export class InvalidSimConfigError extends QuantMeshError {
  readonly code = 'QM_SIM_INVALID_CONFIG';
}

/** A conditional order whose stop price the market has already reached (Binance -2021). */
export class WouldTriggerImmediatelyError extends InvalidOrderError {}
