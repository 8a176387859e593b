import { QuantMeshError } from '../errors/quantmesh-error.js';

/** A string that is not an exact decimal number (prices, quantities, money). */
export class InvalidDecimalError extends QuantMeshError {
  readonly code = 'QM_DOMAIN_INVALID_DECIMAL';
  constructor(readonly input: string) {
    super(`not an exact decimal number: ${JSON.stringify(input)}`);
  }
}

/** An order status change that the order state machine does not allow. */
export class InvalidOrderTransitionError extends QuantMeshError {
  readonly code = 'QM_DOMAIN_INVALID_ORDER_TRANSITION';
  constructor(
    readonly from: string,
    readonly event: string,
  ) {
    super(`order cannot go from ${from} on ${event}`);
  }
}
