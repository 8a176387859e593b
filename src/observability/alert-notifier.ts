/**
 * Operator alerts (R10 "instance down": 告警通知): a standby that took a symbol over, an instance
 * that lost a symbol it was trading, a venue position that differs from the grid's (Invariant 3).
 * Each alert is logged as a warning, counted, and handed to the notification channels (webhook,
 * Telegram, Slack: notifications/) whose filter takes its kind.
 *
 * Delivery never blocks or fails trading: `notify` returns at once (NotificationDispatcher).
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { NotificationDispatcher } from './notifications/notification-dispatcher.js';

/** Every alert kind, in the vocabulary of `notifications.*.alerts` filters. */
export const ALERT_KINDS = ['standby-activated', 'ownership-lost', 'position-drift'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  readonly kind: AlertKind;
  readonly instanceId: string;
  readonly exchange: string;
  readonly symbol: string;
  /** ISO 8601 UTC. */
  readonly time: string;
  readonly message: string;
}

export class AlertNotifier {
  readonly #logger: Logger;
  readonly #dispatcher: NotificationDispatcher;
  readonly #raised: Counter<'kind'> | undefined;

  /** With a `registry`, alerts are counted in `quantmesh_alerts_total{kind}` (deploy/prometheus/alerts.yml reads it). */
  constructor(logger: Logger, dispatcher?: NotificationDispatcher, registry?: Registry) {
    this.#logger = logger;
    this.#dispatcher = dispatcher ?? new NotificationDispatcher(logger, []);
    this.#raised = registry === undefined ? undefined : new Counter({ name: 'quantmesh_alerts_total', help: 'Operator alerts raised, by kind', labelNames: ['kind'], registers: [registry] });
  }

  /** Logs the alert and starts its delivery; returns at once. */
  notify(alert: Alert): void {
    this.#logger.warn({ alert: alert.kind, symbol: `${alert.exchange}:${alert.symbol}` }, `alert: ${alert.message}`);
    this.#raised?.inc({ kind: alert.kind });
    this.#dispatcher.dispatch({ type: 'alert', alert });
  }

  /** Waits for the deliveries in flight (each bounded by its channel's timeout). */
  async flush(): Promise<void> {
    await this.#dispatcher.flush();
  }
}
