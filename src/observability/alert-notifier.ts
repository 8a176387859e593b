/**
 * Operator alerts (R10 告警通知): every degradation and recovery, one stable kind each
 * (alert-kinds.ts). Each alert is logged as a warning and, when `notifications.webhook.url` is
 * set, POSTed there as JSON; at most one per kind and symbol a minute (alert-rate-limit.ts).
 *
 * Delivery never blocks or fails trading: `notify` returns at once, the request is bounded by
 * `notifications.webhook.timeout`, and a failure is logged (WebhookDeliveryError). The webhook URL's
 * path and query (its token) never reach a log line or an error: only its scheme and host do.
 */
import type { Logger } from 'pino';
import type { AlertKind } from './alert-kinds.js';
import { AlertRateLimit } from './alert-rate-limit.js';
import { WebhookDeliveryError } from './errors.js';

export type { AlertKind } from './alert-kinds.js';

export interface Alert {
  readonly kind: AlertKind;
  readonly instanceId: string;
  /** The symbol an alert is about; absent for instance-wide kinds (database, spool). */
  readonly exchange?: string | undefined;
  readonly symbol?: string | undefined;
  /** ISO 8601 UTC. */
  readonly time: string;
  readonly message: string;
  /** Alerts of the same kind and symbol held back by the rate limit since the last one sent. */
  readonly suppressed?: number | undefined;
}

export interface WebhookSettings {
  readonly url: string;
  readonly timeoutMs: number;
}

export class AlertNotifier {
  readonly #logger: Logger;
  readonly #webhook: WebhookSettings | undefined;
  readonly #endpoint: string;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #rateLimit: AlertRateLimit;

  constructor(logger: Logger, webhook?: WebhookSettings, rateLimit = new AlertRateLimit()) {
    this.#logger = logger;
    this.#rateLimit = rateLimit;
    this.#webhook = webhook;
    this.#endpoint = webhook === undefined ? '' : new URL(webhook.url).origin;
  }

  /** Logs the alert and starts its delivery; returns at once. Held back (and counted) within the rate limit. */
  notify(raised: Alert): void {
    const symbol = raised.symbol === undefined ? undefined : `${raised.exchange}:${raised.symbol}`;
    const admission = this.#rateLimit.admit(`${raised.kind}|${symbol ?? ''}`);
    if (!admission.admitted) {
      this.#logger.debug({ alert: raised.kind, symbol }, 'alert held back by the rate limit');
      return;
    }
    const alert: Alert = admission.suppressed === 0 ? raised : { ...raised, suppressed: admission.suppressed };
    this.#logger.warn({ alert: alert.kind, symbol, suppressed: alert.suppressed }, `alert: ${alert.message}`);
    if (this.#webhook === undefined) return;
    const delivery = this.#deliver(this.#webhook, alert).catch((error: unknown) => {
      this.#logger.warn({ err: error, alert: alert.kind }, 'alert webhook failed (trading continues)');
    });
    this.#inFlight.add(delivery);
    void delivery.finally(() => this.#inFlight.delete(delivery));
  }

  /** Waits for the deliveries in flight (each bounded by the timeout). */
  async flush(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  async #deliver(webhook: WebhookSettings, alert: Alert): Promise<void> {
    let response: Response;
    try {
      response = await fetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alert),
        signal: AbortSignal.timeout(webhook.timeoutMs),
      });
    } catch (error) {
      // The fetch error may carry the full URL: keep only its kind and the system error code.
      throw new WebhookDeliveryError(this.#endpoint, failureReason(error, webhook.timeoutMs));
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new WebhookDeliveryError(this.#endpoint, `HTTP ${response.status}`);
  }
}

function failureReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' ? `request failed (${code})` : 'request failed';
}
