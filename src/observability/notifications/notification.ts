/**
 * What QuantMesh tells an operator outside its logs (R10 告警通知): alerts, and on request each
 * round trip booked and a daily PnL summary. A channel (webhook, Telegram, Slack) formats and sends
 * the notifications its settings accept.
 */
import type { Decimal } from '../../domain/decimal.js';
import type { Trade } from '../../domain/trade.js';
import type { Alert, AlertKind } from '../alert-notifier.js';

/** One symbol's day: what GetStatistics reports for it (R4). */
export interface SymbolDay {
  readonly exchange: string;
  readonly symbol: string;
  readonly tradeCount: number;
  readonly volume: Decimal;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
  readonly winRate: Decimal;
}

export type Notification =
  | { readonly type: 'alert'; readonly alert: Alert }
  | { readonly type: 'trade'; readonly instanceId: string; readonly trade: Trade }
  /** `day`: the UTC date (YYYY-MM-DD) the figures cover. */
  | {
      readonly type: 'daily-summary';
      readonly instanceId: string;
      readonly day: string;
      readonly symbols: readonly SymbolDay[];
    };

/** Which notifications a channel takes: alert kinds (all by default), and opt-in trades and summaries. */
export interface ChannelFilter {
  readonly alerts: readonly AlertKind[];
  readonly trades: boolean;
  readonly dailySummary: boolean;
}

export function accepts(filter: ChannelFilter, notification: Notification): boolean {
  switch (notification.type) {
    case 'alert':
      return filter.alerts.includes(notification.alert.kind);
    case 'trade':
      return filter.trades;
    case 'daily-summary':
      return filter.dailySummary;
  }
}

/** A destination. `send` rejects with NotificationDeliveryError; it never logs. */
export interface NotificationChannel {
  /** `webhook`, `telegram`, `slack`. */
  readonly name: string;
  readonly filter: ChannelFilter;
  send(notification: Notification): Promise<void>;
}
