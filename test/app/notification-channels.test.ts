/** `notifications` configuration → channels: defaults (every alert kind, no trades or summaries), secrets masked and scrubbed, unknown kinds refused. */
import { describe, expect, it } from 'vitest';
import { notificationChannelsOf } from '../../src/app/notification-channels.js';
import { parseConfig } from '../../src/config/load-config.js';
import { configSecrets, redactConfig } from '../../src/config/redact-config.js';
import { ALERT_KIND_NAMES } from '../../src/observability/alert-notifier.js';

const BASE =
  'exchanges:\n  sim: {type: sim}\ntrading:\n  symbols:\n    - {exchange: sim, symbol: BTCUSDT, price_interval: "0.1", order_quantity: "30"}\n';
const parse = (yaml: string, env: Record<string, string> = {}) => parseConfig(BASE + yaml, { file: 'test.yaml', env });
const NOTIFICATIONS = `notifications:
  webhook: {url: "https://hooks.example.com/q/\${HOOK}"}
  telegram: {bot_token: "\${BOT}", chat_id: "-100", alerts: [ownership-lost], trades: true}
  slack: {webhook_url: "https://hooks.slack.com/services/\${SLACK}", daily_summary: true}
  daily_summary_time: "00:05"
`;
const ENV = { HOOK: 'hook-secret', BOT: '123:bot-secret', SLACK: 'T1/B2/slack-secret' };

describe('notification channels from the configuration', () => {
  it('builds one channel per section with its filter; alerts default to every kind, trades and summaries to off', () => {
    const config = parse(NOTIFICATIONS, ENV);
    expect(notificationChannelsOf(config).map((channel) => [channel.name, channel.filter])).toEqual([
      ['webhook', { alerts: [...ALERT_KIND_NAMES], trades: false, dailySummary: false }],
      ['telegram', { alerts: ['ownership-lost'], trades: true, dailySummary: false }],
      ['slack', { alerts: [...ALERT_KIND_NAMES], trades: false, dailySummary: true }],
    ]);
    expect(config.notifications.dailySummaryTime).toBe('00:05');
    expect(config.notifications.telegram?.apiUrl).toBe('https://api.telegram.org');
  });

  it('the bot token and the webhook paths are masked in the printed configuration and scrubbed from logs', () => {
    const config = parse(NOTIFICATIONS, ENV);
    const shown = JSON.stringify(redactConfig(config));
    for (const secret of Object.values(ENV)) expect(shown).not.toContain(secret);
    expect(shown).toContain('https://hooks.slack.com/***');
    const secrets = configSecrets(config);
    expect(secrets).toEqual(
      expect.arrayContaining([
        '123:bot-secret',
        'https://hooks.slack.com/services/T1/B2/slack-secret',
        'https://hooks.example.com/q/hook-secret',
      ]),
    );
  });

  it('an unknown alert kind or a malformed summary time is refused with the allowed values', () => {
    expect(() => parse('notifications:\n  slack: {webhook_url: "https://h/x", alerts: [standby-activate]}\n')).toThrow(
      /notifications\.slack\.alerts\[0\]: is not supported.*"standby-activated"/s,
    );
    expect(() => parse('notifications:\n  daily_summary_time: "24:00"\n')).toThrow(
      /notifications\.daily_summary_time: is not valid.*HH:MM/s,
    );
  });
});
