/**
 * Slack: an incoming webhook (`POST https://hooks.slack.com/services/…` with `{text}`). The
 * webhook URL is the secret (its path); only its origin ever reaches an error.
 */
import { messageText } from './message-text.js';
import type { ChannelFilter, Notification, NotificationChannel } from './notification.js';
import { postJson } from './post-json.js';

export interface SlackSettings {
  readonly webhookUrl: string;
  readonly timeoutMs: number;
  readonly filter: ChannelFilter;
}

export class SlackChannel implements NotificationChannel {
  readonly name = 'slack';
  readonly filter: ChannelFilter;
  readonly #settings: SlackSettings;

  constructor(settings: SlackSettings) {
    this.#settings = settings;
    this.filter = settings.filter;
  }

  send(notification: Notification): Promise<void> {
    return postJson(
      this.name,
      this.#settings.webhookUrl,
      { text: messageText(notification) },
      this.#settings.timeoutMs,
      notification,
    );
  }
}
