/**
 * Opt-in trade notifications and the daily PnL summary, read from a real (SQLite) database through
 * the Database port and delivered to a local stand-in of the webhook: each trade of an owned symbol
 * is sent once, others never; the summary carries the previous UTC day's statistics.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DailySummary, nextRun } from '../../src/app/daily-summary.js';
import { TradeNotices } from '../../src/app/trade-notices.js';
import { dec } from '../../src/domain/decimal.js';
import type { Trade } from '../../src/domain/trade.js';
import { ALERT_KIND_NAMES } from '../../src/observability/alert-notifier.js';
import { captureLogs } from '../../src/observability/logger.js';
import { NotificationDispatcher } from '../../src/observability/notifications/notification-dispatcher.js';
import { WebhookChannel } from '../../src/observability/notifications/webhook-channel.js';
import type { Database } from '../../src/storage/database.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { type ChatApiStandIn, startChatApiStandIn } from '../observability/notifications/chat-api-stand-in.js';

const DAY = Date.UTC(2026, 10, 30);

function trade(id: number, symbol: string, closedAt: number, pnl: string): Trade {
  return {
    id: `binance:acct:${id}`,
    exchange: 'binance',
    symbol,
    level: -id,
    cycle: 0,
    quantity: dec('0.01'),
    buyPrice: dec('2994'),
    sellPrice: dec('2996'),
    fees: dec('0.01'),
    realizedPnl: dec(pnl),
    openedAt: closedAt - 1000,
    closedAt,
  };
}

describe('opt-in notifications', () => {
  let api: ChatApiStandIn | undefined;
  let database: Database | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await api?.close();
    await database?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function setUp(filter: { trades: boolean; dailySummary: boolean }) {
    dir = await mkdtemp(join(tmpdir(), 'qm-opt-in-'));
    database = await openDatabase({ type: 'sqlite', dsn: join(dir, 'records.db') });
    api = await startChatApiStandIn();
    const { logger } = captureLogs();
    const dispatcher = new NotificationDispatcher(logger, [
      new WebhookChannel({ url: `${api.url}/hook`, timeoutMs: 2000, filter: { alerts: ALERT_KIND_NAMES, ...filter } }),
    ]);
    return { database, dispatcher, logger, api };
  }

  it('each trade of an owned symbol is sent once; trades before the start and of symbols owned elsewhere are not', async () => {
    const { database, dispatcher, logger, api } = await setUp({ trades: true, dailySummary: false });
    await database.saveTrade(trade(1, 'ETHUSDT', DAY + 1000, '0.008'));
    const notices = new TradeNotices({
      database,
      dispatcher,
      logger,
      instanceId: 'instance-1',
      owns: (_exchange, symbol) => symbol === 'ETHUSDT',
      clock: () => DAY + 2000,
      pollIntervalMs: 60_000,
    });
    await database.saveTrade(trade(2, 'ETHUSDT', DAY + 3000, '0.01'));
    await database.saveTrade(trade(3, 'BTCUSDT', DAY + 3000, '0.5'));
    await database.saveTrade(trade(4, 'ETHUSDT', DAY + 3000, '-0.002'));
    await notices.poll();
    await notices.poll();
    await database.saveTrade(trade(5, 'ETHUSDT', DAY + 4000, '0.02'));
    // Stored late (a spool batch): closed before the newest trade already read, still sent once.
    await database.saveTrade(trade(6, 'ETHUSDT', DAY + 2500, '0.03'));
    await notices.poll();
    await notices.poll();
    await dispatcher.flush();
    expect(api.received.map((post) => [post.body.kind, (post.body.trade as { id: string }).id])).toEqual([
      ['trade', 'binance:acct:2'],
      ['trade', 'binance:acct:4'],
      ['trade', 'binance:acct:6'],
      ['trade', 'binance:acct:5'],
    ]);
  });

  it("the daily summary sends the previous UTC day's statistics of the owned symbols", async () => {
    const { database, dispatcher, logger, api } = await setUp({ trades: false, dailySummary: true });
    await database.saveTrade(trade(1, 'ETHUSDT', DAY + 3_600_000, '0.01'));
    await database.saveTrade(trade(2, 'ETHUSDT', DAY + 7_200_000, '-0.004'));
    await database.saveTrade(trade(3, 'ETHUSDT', DAY + 86_400_000 + 5, '1'));
    const summary = new DailySummary({
      database,
      dispatcher,
      logger,
      instanceId: 'instance-1',
      owned: () => [{ exchange: 'binance', symbol: 'ETHUSDT' }],
      clock: () => DAY + 86_400_000,
      time: '00:00',
    });
    await summary.send(DAY);
    await dispatcher.flush();
    expect(api.received.map((post) => post.body)).toEqual([
      {
        kind: 'daily-summary',
        instanceId: 'instance-1',
        day: '2026-11-30',
        symbols: [
          expect.objectContaining({
            exchange: 'binance',
            symbol: 'ETHUSDT',
            tradeCount: 2,
            realizedPnl: '0.006',
            winRate: '0.5',
          }),
        ],
      },
    ]);
  });

  it('the summary runs at the configured UTC time, the next day once that time has passed', () => {
    expect(nextRun(DAY + 60_000, '00:05')).toBe(DAY + 300_000);
    expect(nextRun(DAY + 300_000, '00:05')).toBe(DAY + 86_400_000 + 300_000);
    expect(nextRun(DAY + 23 * 3_600_000, '22:30')).toBe(DAY + 86_400_000 + 22.5 * 3_600_000);
  });
});
