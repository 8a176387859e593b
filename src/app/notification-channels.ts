/** `notifications` → the channels an instance sends to (webhook, Telegram, Slack), each with its filter. */
import type { Logger } from 'pino';
import type { QuantMeshConfig } from '../config/load-config.js';
import type { NotificationDispatcher } from '../observability/notifications/notification-dispatcher.js';
import type { Database } from '../storage/database.js';
import { DailySummary } from './daily-summary.js';
import type { InstanceOwnership } from './instance-ownership.js';
import { TradeNotices } from './trade-notices.js';
import type { ChannelFilter, NotificationChannel } from '../observability/notifications/notification.js';
import { SlackChannel } from '../observability/notifications/slack-channel.js';
import { TelegramChannel } from '../observability/notifications/telegram-channel.js';
import { WebhookChannel } from '../observability/notifications/webhook-channel.js';

export function notificationChannelsOf(config: QuantMeshConfig): NotificationChannel[] {
  const { webhook, telegram, slack } = config.notifications;
  const filterOf = (channel: ChannelFilter): ChannelFilter => ({
    alerts: channel.alerts,
    trades: channel.trades,
    dailySummary: channel.dailySummary,
  });
  const channels: NotificationChannel[] = [];
  if (webhook !== undefined)
    channels.push(new WebhookChannel({ url: webhook.url, timeoutMs: webhook.timeout, filter: filterOf(webhook) }));
  if (telegram !== undefined) {
    channels.push(
      new TelegramChannel({
        botToken: telegram.botToken,
        chatId: telegram.chatId,
        apiUrl: telegram.apiUrl,
        timeoutMs: telegram.timeout,
        filter: filterOf(telegram),
      }),
    );
  }
  if (slack !== undefined)
    channels.push(
      new SlackChannel({ webhookUrl: slack.webhookUrl, timeoutMs: slack.timeout, filter: filterOf(slack) }),
    );
  return channels;
}

/** How often trades are read for `trades` notifications. */
const TRADE_POLL_MS = 5000;

export interface OptInNotificationParts {
  readonly database: Database;
  readonly dispatcher: NotificationDispatcher;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly ownership: Pick<InstanceOwnership, 'state'>;
}

/** Starts the trade notices and the daily summary when a channel asked for them; returns their stop. */
export function startOptInNotifications(config: QuantMeshConfig, parts: OptInNotificationParts): () => Promise<void> {
  const owns = (exchange: string, symbol: string) => parts.ownership.state(exchange, symbol) === 'owned';
  const stops: Array<() => Promise<void> | void> = [];
  if (parts.dispatcher.wants('trade')) {
    const notices = new TradeNotices({ ...parts, owns, pollIntervalMs: TRADE_POLL_MS });
    notices.start();
    stops.push(() => notices.stop());
  }
  if (parts.dispatcher.wants('daily-summary')) {
    const summary = new DailySummary({
      ...parts,
      time: config.notifications.dailySummaryTime,
      owned: () => config.trading.symbols.filter((entry) => owns(entry.exchange, entry.symbol)),
    });
    summary.start();
    stops.push(() => summary.stop());
  }
  return async () => {
    for (const stop of stops) await stop();
  };
}
