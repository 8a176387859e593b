/**
 * Operator alerts (R10 告警通知): every degradation and recovery, one stable kind each
 * (alert-kinds.ts). Each alert is logged as a warning, counted, and handed to the notification
 * channels (webhook, Telegram, Slack: notifications/) whose filter takes its kind; at most one per
 * kind and symbol a minute (alert-rate-limit.ts), the next one carrying how many were held back.
 *
 * Delivery never blocks or fails trading: `notify` returns at once (NotificationDispatcher).
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { AlertKind } from './alert-kinds.js';
import { AlertRateLimit } from './alert-rate-limit.js';
import { NotificationDispatcher } from './notifications/notification-dispatcher.js';

export { ALERT_KIND_NAMES, type AlertKind } from './alert-kinds.js';

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

export class AlertNotifier {
  readonly #logger: Logger;
  readonly #dispatcher: NotificationDispatcher;
  readonly #raised: Counter<'kind'> | undefined;
  readonly #rateLimit: AlertRateLimit;

  /** With a `registry`, alerts are counted in `quantmesh_alerts_total{kind}` (deploy/prometheus/alerts.yml reads it). */
  constructor(
    logger: Logger,
    dispatcher?: NotificationDispatcher,
    registry?: Registry,
    rateLimit = new AlertRateLimit(),
  ) {
    this.#logger = logger;
    this.#dispatcher = dispatcher ?? new NotificationDispatcher(logger, []);
    this.#raised =
      registry === undefined
        ? undefined
        : new Counter({
            name: 'quantmesh_alerts_total',
            help: 'Operator alerts raised, by kind',
            labelNames: ['kind'],
            registers: [registry],
          });
    this.#rateLimit = rateLimit;
  }

  /** Logs the alert and starts its delivery; returns at once. Held back (and counted) within the rate limit. */
  notify(raised: Alert): void {
    const symbol = raised.symbol === undefined ? undefined : `${raised.exchange}:${raised.symbol}`;
    this.#raised?.inc({ kind: raised.kind });
    const admission = this.#rateLimit.admit(`${raised.kind}|${symbol ?? ''}`);
    if (!admission.admitted) {
      this.#logger.debug({ alert: raised.kind, symbol }, 'alert held back by the rate limit');
      return;
    }
    const alert: Alert = admission.suppressed === 0 ? raised : { ...raised, suppressed: admission.suppressed };
    this.#logger.warn({ alert: alert.kind, symbol, suppressed: alert.suppressed }, `alert: ${alert.message}`);
    this.#dispatcher.dispatch({ type: 'alert', alert });
  }

  /** Waits for the deliveries in flight (each bounded by its channel's timeout). */
  async flush(): Promise<void> {
    await this.#dispatcher.flush();
  }
}
