/** The text a chat channel (Telegram, Slack) shows for a notification: short, one idea per line. */
import type { Notification } from './notification.js';

export function messageText(notification: Notification): string {
  switch (notification.type) {
    case 'alert': {
      const { alert } = notification;
      return `⚠️ ${alert.kind} ${alert.exchange}:${alert.symbol}\n${alert.message}\ninstance ${alert.instanceId} · ${alert.time}`;
    }
    case 'trade': {
      const { trade } = notification;
      const pnl = trade.realizedPnl.toDecimalPlaces(8);
      return (
        `${pnl.isNegative() ? '🔻' : '✅'} trade ${trade.exchange}:${trade.symbol} level ${trade.level}\n` +
        `bought ${trade.quantity.toFixed()} at ${trade.buyPrice.toFixed()}, sold at ${trade.sellPrice.toFixed()}\n` +
        `PnL ${pnl.toFixed()} after fees ${trade.fees.toDecimalPlaces(8).toFixed()} · instance ${notification.instanceId}`
      );
    }
    case 'daily-summary': {
      const lines = notification.symbols.map(
        (day) =>
          `${day.exchange}:${day.symbol}: ${day.tradeCount} trades, PnL ${day.realizedPnl.toDecimalPlaces(8).toFixed()}, ` +
          `fees ${day.fees.toDecimalPlaces(8).toFixed()}, volume ${day.volume.toDecimalPlaces(2).toFixed()}, win rate ${day.winRate.mul(100).toDecimalPlaces(1).toFixed()}%`,
      );
      return [
        `📊 daily summary ${notification.day} (UTC) · instance ${notification.instanceId}`,
        ...(lines.length === 0 ? ['no symbol owned'] : lines),
      ].join('\n');
    }
  }
}
