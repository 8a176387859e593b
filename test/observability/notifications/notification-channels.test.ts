/**
 * Telegram (sendMessage), Slack (incoming webhook) and the plain webhook, against a local server
 * standing in for each API: every channel gets exactly what its filter takes (alert kinds, opt-in
 * trades and daily summaries) in its own format; a refusal is logged without the bot token or the
 * webhook path, and never thrown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { Trade } from '../../../src/domain/trade.js';
import { type Alert, ALERT_KIND_NAMES } from '../../../src/observability/alert-notifier.js';
import { captureLogs } from '../../../src/observability/logger.js';
import type { Notification } from '../../../src/observability/notifications/notification.js';
import { NotificationDispatcher } from '../../../src/observability/notifications/notification-dispatcher.js';
import { SlackChannel } from '../../../src/observability/notifications/slack-channel.js';
import { TelegramChannel } from '../../../src/observability/notifications/telegram-channel.js';
import { WebhookChannel } from '../../../src/observability/notifications/webhook-channel.js';
import { type ChatApiStandIn, startChatApiStandIn } from './chat-api-stand-in.js';

const BOT_TOKEN = '7012345678:AAH-bot-secret-token';
const SLACK_PATH = '/services/T000/B000/slack-secret-path';
const WEBHOOK_PATH = '/hooks/webhook-secret';
const activated: Alert = {
  kind: 'standby-activated',
  instanceId: 'instance-3',
  exchange: 'binance',
  symbol: 'ETHUSDT',
  time: '2026-12-01T22:00:00.000Z',
  message: 'standby instance-3 took over binance:ETHUSDT',
};
const lost: Alert = {
  ...activated,
  kind: 'ownership-lost',
  instanceId: 'instance-1',
  message: 'instance-1 lost binance:ETHUSDT',
};
const trade: Trade = {
  id: 'binance:acct:42',
  exchange: 'binance',
  symbol: 'ETHUSDT',
  level: -3,
  cycle: 2,
  quantity: dec('0.01'),
  buyPrice: dec('2994'),
  sellPrice: dec('2996'),
  fees: dec('0.011980'),
  realizedPnl: dec('0.00802'),
  openedAt: 1,
  closedAt: 2,
};
const summary: Notification = {
  type: 'daily-summary',
  instanceId: 'instance-1',
  day: '2026-11-30',
  symbols: [
    {
      exchange: 'binance',
      symbol: 'ETHUSDT',
      tradeCount: 12,
      volume: dec('719.04'),
      realizedPnl: dec('0.09624'),
      fees: dec('0.14376'),
      winRate: dec('0.75'),
    },
  ],
};

describe('notification channels', () => {
  let api: ChatApiStandIn | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('each channel gets what its filter takes, in its own format', async () => {
    api = await startChatApiStandIn();
    const { logger, lines } = captureLogs();
    const dispatcher = new NotificationDispatcher(logger, [
      new TelegramChannel({
        botToken: BOT_TOKEN,
        chatId: '-1001234',
        apiUrl: `${api.url}/`,
        timeoutMs: 2000,
        filter: { alerts: ['standby-activated'], trades: true, dailySummary: false },
      }),
      new SlackChannel({
        webhookUrl: `${api.url}${SLACK_PATH}`,
        timeoutMs: 2000,
        filter: { alerts: ALERT_KIND_NAMES, trades: false, dailySummary: true },
      }),
      new WebhookChannel({
        url: `${api.url}${WEBHOOK_PATH}`,
        timeoutMs: 2000,
        filter: { alerts: ALERT_KIND_NAMES, trades: true, dailySummary: true },
      }),
    ]);
    for (const notification of [
      { type: 'alert', alert: activated },
      { type: 'alert', alert: lost },
      { type: 'trade', instanceId: 'instance-1', trade },
      summary,
    ] as const) {
      dispatcher.dispatch(notification);
    }
    await dispatcher.flush();

    const at = (path: string) => api!.received.filter((post) => post.path === path).map((post) => post.body);
    // Telegram: sendMessage with the chat id; the standby alert and the trade only.
    const telegram = at(`/bot${BOT_TOKEN}/sendMessage`);
    expect(telegram.map((body) => body.chat_id)).toEqual(['-1001234', '-1001234']);
    expect(telegram[0]!.text).toBe(
      '⚠️ standby-activated binance:ETHUSDT\nstandby instance-3 took over binance:ETHUSDT\ninstance instance-3 · 2026-12-01T22:00:00.000Z',
    );
    expect(telegram[1]!.text).toBe(
      '✅ trade binance:ETHUSDT level -3\nbought 0.01 at 2994, sold at 2996\nPnL 0.00802 after fees 0.01198 · instance instance-1',
    );
    // Slack: {text}; both alerts and the summary, no trade.
    const slack = at(SLACK_PATH);
    expect(slack.map((body) => Object.keys(body))).toEqual([['text'], ['text'], ['text']]);
    expect(slack.map((body) => (body.text as string).split('\n')[0])).toEqual([
      '⚠️ standby-activated binance:ETHUSDT',
      '⚠️ ownership-lost binance:ETHUSDT',
      '📊 daily summary 2026-11-30 (UTC) · instance instance-1',
    ]);
    expect(slack[2]!.text).toContain(
      'binance:ETHUSDT: 12 trades, PnL 0.09624, fees 0.14376, volume 719.04, win rate 75%',
    );
    // Webhook: JSON of each, every kind.
    const webhook = at(WEBHOOK_PATH);
    expect(webhook.map((body) => body.kind)).toEqual(['standby-activated', 'ownership-lost', 'trade', 'daily-summary']);
    expect(webhook[0]).toEqual(activated);
    expect(webhook[2]).toMatchObject({
      instanceId: 'instance-1',
      trade: { id: trade.id, realizedPnl: '0.00802', buyPrice: '2994' },
    });
    expect(webhook[3]).toMatchObject({
      day: '2026-11-30',
      symbols: [{ symbol: 'ETHUSDT', tradeCount: 12, realizedPnl: '0.09624', winRate: '0.75' }],
    });
    expect(lines().join('\n')).not.toContain(BOT_TOKEN);
  });

  it('a refused message is logged with the channel and origin only, never thrown, never with the token or path', async () => {
    api = await startChatApiStandIn();
    api.answer(`/bot${BOT_TOKEN}/sendMessage`, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    api.answer(SLACK_PATH, 404, { error: 'no_service' });
    const { logger, records, lines } = captureLogs();
    const all = { alerts: ALERT_KIND_NAMES, trades: false, dailySummary: false };
    const dispatcher = new NotificationDispatcher(logger, [
      new TelegramChannel({ botToken: BOT_TOKEN, chatId: '1', apiUrl: api.url, timeoutMs: 2000, filter: all }),
      new SlackChannel({ webhookUrl: `${api.url}${SLACK_PATH}`, timeoutMs: 2000, filter: all }),
    ]);
    expect(() => dispatcher.dispatch({ type: 'alert', alert: lost })).not.toThrow();
    await dispatcher.flush();
    const failures = records().filter((record) => /notification failed/.test(record.msg as string));
    expect(
      failures.map((record) => [
        record.channel,
        (record.err as { code: string }).code,
        (record.err as { message: string }).message,
      ]),
    ).toEqual([
      ['telegram', 'QM_NOTIFY_DELIVERY_FAILED', `alert not delivered to telegram ${api.url}: HTTP 401`],
      ['slack', 'QM_NOTIFY_DELIVERY_FAILED', `alert not delivered to slack ${api.url}: HTTP 404`],
    ]);
    const logged = lines().join('\n');
    expect(logged).not.toContain(BOT_TOKEN);
    expect(logged).not.toContain('slack-secret-path');
  });

  it('trades and summaries are opt-in: a channel with the defaults gets alerts of every kind only', async () => {
    api = await startChatApiStandIn();
    const dispatcher = new NotificationDispatcher(captureLogs().logger, [
      new SlackChannel({
        webhookUrl: `${api.url}${SLACK_PATH}`,
        timeoutMs: 2000,
        filter: { alerts: ALERT_KIND_NAMES, trades: false, dailySummary: false },
      }),
    ]);
    expect([dispatcher.wants('alert'), dispatcher.wants('trade'), dispatcher.wants('daily-summary')]).toEqual([
      true,
      false,
      false,
    ]);
    for (const kind of ALERT_KIND_NAMES) dispatcher.dispatch({ type: 'alert', alert: { ...activated, kind } });
    dispatcher.dispatch({ type: 'trade', instanceId: 'instance-1', trade });
    dispatcher.dispatch(summary);
    await dispatcher.flush();
    expect(api.received.map((post) => (post.body.text as string).split(' ')[1])).toEqual([...ALERT_KIND_NAMES]);
  });
});
