import { QuantMeshError } from '../../errors/quantmesh-error.js';

/** A simulated venue was configured with settings it cannot run (bad symbol spec, empty replay...). */
export class InvalidSimConfigError extends QuantMeshError {
  readonly code = 'QM_SIM_INVALID_CONFIG';
}
