import { QuantMeshError } from '../../errors/quantmesh-error.js';

/** A `risk_control` setting the market panic monitor cannot work with. */
export class RiskConfigurationError extends QuantMeshError {
  readonly code = 'QM_RISK_CONFIGURATION';
  constructor(
    readonly setting: string,
    readonly problem: string,
  ) {
    super(`risk_control.${setting}: ${problem}`);
  }
}
