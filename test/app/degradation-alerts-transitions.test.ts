/**
 * DegradationAlerts' transitions, one check at a time (the end-to-end test, degradation-alerts.test.ts,
 * cannot heal a faulted runner yet): a symbol that faults is alerted once however many checks see
 * it, its return to running is alerted as `symbol-recovered`, and a second fault within the rate
 * limit's minute is held back and counted on the next alert of its kind and symbol. Real notifier,
 * real webhook receiver, a real SQLite database for the pings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DegradationAlerts } from '../../src/app/degradation-alerts.js';
import type { SymbolStatus } from '../../src/engine/symbol-summary.js';
import { AlertRateLimit } from '../../src/observability/alert-rate-limit.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { until } from '../harness/until.js';
import { startWebhookReceiver, webhookAlertNotifier } from '../harness/webhook-receiver.js';

const status = (state: string, pausedReason?: string): SymbolStatus => ({
  exchange: 'binance',
  symbol: 'BTCUSDT',
  state,
  pausedReason,
  ownership: 'owned',
  position: '0',
  workingOrders: 0,
  realizedPnl: '0',
  fees: '0',
  tradeCount: 0,
});

describe('DegradationAlerts', () => {
  const cleanup = cleanupAfterAll();

  it('alerts a fault once, its recovery once, and holds a repeat within the rate limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qm-degradation-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const database = await openDatabase({ type: 'sqlite', dsn: join(dir, 'quantmesh.db') });
    cleanup.push(() => database.close());
    const webhook = await startWebhookReceiver();
    cleanup.push(() => webhook.close());
    let now = 0;
    const alerts = webhookAlertNotifier(pino({ level: 'silent' }), webhook.url, {
      rateLimit: new AlertRateLimit(60_000, () => now),
    });
    let statuses: SymbolStatus[] = [status('running')];
    const watch = new DegradationAlerts({
      instanceId: 'unit',
      alerts,
      logger: pino({ level: 'silent' }),
      symbols: () => statuses,
      database,
    });

    await watch.check();
    statuses = [status('faulted')];
    await watch.check();
    await watch.check();
    statuses = [status('running')];
    await watch.check();
    await until(() => webhook.received.length === 2, 'the fault and the recovery delivered');
    expect(webhook.received.map((alert) => [alert.kind, alert.symbol])).toEqual([
      ['symbol-faulted', 'BTCUSDT'],
      ['symbol-recovered', 'BTCUSDT'],
    ]);
    expect(webhook.received[0]).toMatchObject({
      instanceId: 'unit',
      exchange: 'binance',
      message: expect.stringContaining('binance:BTCUSDT faulted'),
    });

    // A second fault 10 s later is held back; the next one after the minute says how many were.
    now = 10_000;
    statuses = [status('paused', 'market-panic: volume spike')];
    await watch.check();
    statuses = [status('running')];
    await watch.check();
    now = 70_000;
    statuses = [status('faulted')];
    await watch.check();
    await until(() => webhook.received.length === 3, 'the next fault after the minute');
    expect(webhook.received[2]).toMatchObject({ kind: 'symbol-faulted', suppressed: 1 });
    await alerts.flush();
  });
});
