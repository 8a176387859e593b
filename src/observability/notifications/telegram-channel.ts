/**
 * Telegram: the Bot API's sendMessage (`POST <api_url>/bot<token>/sendMessage` with `chat_id` and
 * plain `text`). The bot token is part of the URL path, so it never reaches an error or a log line
 * (postJson reports the origin only).
 */
import { messageText } from './message-text.js';
import type { ChannelFilter, Notification, NotificationChannel } from './notification.js';
import { postJson } from './post-json.js';

export interface TelegramSettings {
  readonly botToken: string;
  readonly chatId: string;
  /** Bot API base URL (default https://api.telegram.org; a local Bot API server or a test stand-in). */
  readonly apiUrl: string;
  readonly timeoutMs: number;
  readonly filter: ChannelFilter;
}

export class TelegramChannel implements NotificationChannel {
  readonly name = 'telegram';
  readonly filter: ChannelFilter;
  readonly #settings: TelegramSettings;

  constructor(settings: TelegramSettings) {
    this.#settings = settings;
    this.filter = settings.filter;
  }

  send(notification: Notification): Promise<void> {
    const { apiUrl, botToken, chatId, timeoutMs } = this.#settings;
    const url = `${apiUrl.replace(/\/+$/, '')}/bot${botToken}/sendMessage`;
    return postJson(
      this.name,
      url,
      { chat_id: chatId, text: messageText(notification), disable_web_page_preview: true },
      timeoutMs,
      notification,
    );
  }
}
