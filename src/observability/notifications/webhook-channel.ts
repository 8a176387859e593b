/**
 * Any HTTP endpoint: each notification POSTed as JSON. An alert is the Alert object itself
 * (`{kind, instanceId, exchange, symbol, time, message}`); a trade is `{kind: "trade", instanceId,
 * trade}` and a summary `{kind: "daily-summary", instanceId, day, symbols}`, decimals as strings.
 */
import { type ChannelFilter, type Notification, type NotificationChannel } from './notification.js';
import { postJson } from './post-json.js';

export interface WebhookSettings {
  readonly url: string;
  readonly timeoutMs: number;
  readonly filter: ChannelFilter;
}

export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';
  readonly filter: ChannelFilter;
  readonly #settings: WebhookSettings;

  constructor(settings: WebhookSettings) {
    this.#settings = settings;
    this.filter = settings.filter;
  }

  send(notification: Notification): Promise<void> {
    const body =
      notification.type === 'alert' ? notification.alert : { kind: notification.type, ...withoutType(notification) };
    return postJson(this.name, this.#settings.url, body, this.#settings.timeoutMs, notification);
  }
}

function withoutType(notification: Notification): Record<string, unknown> {
  const { type: _type, ...rest } = notification;
  return rest;
}
