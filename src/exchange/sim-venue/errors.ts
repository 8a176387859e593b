import { QuantMeshError } from '../../errors/quantmesh-error.js';

/**
 * A request to the sim-venue server that it refuses, carrying the Binance error `binanceCode` and
 * HTTP status it answers with (`{code, msg}`); never contains a secret.
 */
export class SimVenueRequestError extends QuantMeshError {
  readonly code = 'QM_SIM_VENUE_BAD_REQUEST';
  constructor(
    readonly status: number,
    readonly binanceCode: number,
    message: string,
  ) {
    super(message);
  }
}
