import { QuantMeshError } from '../errors/quantmesh-error.js';

/**
 * A notification did not reach its channel (webhook, Telegram, Slack): no answer within the
 * timeout, a refused connection or a non-2xx status. Logged, never fatal. `endpoint` is the URL's
 * scheme and host only: its path and query hold the channel's token (a bot token, a webhook key).
 */
export class NotificationDeliveryError extends QuantMeshError {
  readonly code = 'QM_NOTIFY_DELIVERY_FAILED';
  constructor(
    readonly channel: string,
    readonly endpoint: string,
    what: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${what} not delivered to ${channel} ${endpoint}: ${reason}`, options);
  }
}
