/**
 * Sends each notification to every channel that accepts it. Delivery never blocks or fails trading:
 * `dispatch` returns at once, each request is bounded by its channel's timeout, and a failure is
 * logged (NotificationDeliveryError, which names the channel's origin only).
 */
import type { Logger } from 'pino';
import { type Notification, type NotificationChannel, accepts } from './notification.js';

export class NotificationDispatcher {
  readonly #logger: Logger;
  readonly #channels: readonly NotificationChannel[];
  readonly #inFlight = new Set<Promise<void>>();

  constructor(logger: Logger, channels: readonly NotificationChannel[]) {
    this.#logger = logger;
    this.#channels = channels;
  }

  /** Whether any channel takes this kind of notification (callers skip building the rest). */
  wants(type: Notification['type']): boolean {
    return this.#channels.some(
      (channel) => type === 'alert' || (type === 'trade' ? channel.filter.trades : channel.filter.dailySummary),
    );
  }

  dispatch(notification: Notification): void {
    for (const channel of this.#channels) {
      if (!accepts(channel.filter, notification)) continue;
      const delivery = channel.send(notification).catch((error: unknown) => {
        this.#logger.warn(
          {
            err: error,
            channel: channel.name,
            notification: notification.type === 'alert' ? notification.alert.kind : notification.type,
          },
          `${channel.name} notification failed (trading continues)`,
        );
      });
      this.#inFlight.add(delivery);
      void delivery.finally(() => this.#inFlight.delete(delivery));
    }
  }

  /** Waits for the deliveries in flight (each bounded by its channel's timeout). */
  async flush(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }
}
