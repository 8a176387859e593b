import { QuantMeshError } from '../errors/quantmesh-error.js';

/**
 * An alert did not reach the webhook: no answer within the timeout, a refused connection or a
 * non-2xx status. Logged, never fatal. `endpoint` is the URL's scheme and host only: its path and
 * query usually hold the webhook's token.
 */
export class WebhookDeliveryError extends QuantMeshError {
  readonly code = 'QM_NOTIFY_WEBHOOK_FAILED';
  constructor(readonly endpoint: string, reason: string, options?: { cause?: unknown }) {
    super(`alert not delivered to webhook ${endpoint}: ${reason}`, options);
  }
}
