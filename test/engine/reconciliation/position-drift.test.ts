/**
 * Invariant 3 checked: a fill the database never saw (booked on the account by the sim venue's
 * `/_sim/unreported-fill` hook, through the ccxt adapter as a real venue) is found by the next
 * periodic reconciliation, within one `reconcile_interval`: recorded, alerted as `position-drift` to
 * a local webhook, shown in the runner's status, and the symbol stops buying. An operator resume
 * accepts the difference (an adjustment event) and later checks stay clean.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { NoopLock } from '../../../src/coordination/lock/noop/noop-lock.js';
import type { TradingEngine } from '../../../src/engine/trading-engine.js';
import { CcxtExchange } from '../../../src/exchange/ccxt/ccxt-exchange.js';
import { type SimVenueServer, startSimVenueServer } from '../../../src/exchange/sim-venue/sim-venue-server.js';
import type { Alert } from '../../../src/observability/alert-notifier.js';
import { webhookAlertNotifier } from '../../harness/webhook-receiver.js';
import type { Database } from '../../../src/storage/database.js';
import { until } from '../../harness/until.js';
import { SYMBOL, engineOn, flushed, openStore } from '../runner-fixture.js';

const API_KEY = 'position-drift-key';
const API_SECRET = 'position-drift-secret';
const ACCOUNT = 'drift';
const RECONCILE_INTERVAL_MS = 2_000;

describe('position drift on the sim-venue server through ccxt', () => {
  let dir: string | undefined;
  let server: SimVenueServer | undefined;
  let exchange: CcxtExchange | undefined;
  let database: Database | undefined;
  let engine: TradingEngine | undefined;
  let webhook: Server | undefined;
  afterAll(async () => {
    await engine?.stop({ cancelOnExit: true, closePositions: false });
    await exchange?.close();
    await server?.close();
    await database?.close();
    webhook?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('is detected within one reconcile interval, alerted, stops the buys, and an operator resume accepts it', async () => {
    const alerts: Alert[] = [];
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        alerts.push(JSON.parse(body) as Alert);
        response.end();
      });
    });
    await new Promise<void>((resolve) => webhook!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
    const silent = pino({ level: 'silent' });
    const notifier = webhookAlertNotifier(silent, url, { timeoutMs: 5_000 });

    dir = await mkdtemp(join(tmpdir(), 'qm-drift-'));
    server = await startSimVenueServer({
      seed: 7,
      accounts: [{ apiKey: API_KEY, apiSecret: API_SECRET, accountId: ACCOUNT }],
      stepIntervalMs: 0,
      admin: true,
    });
    exchange = new CcxtExchange({
      name: 'binance',
      ccxtId: 'binanceusdm',
      marketType: 'future',
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      baseUrl: server.url,
    });
    const admin = async (path: string) => {
      const response = await fetch(`${server!.url}${path}`, { method: 'POST' });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    };
    database = await openStore(dir);
    const venue = server.engine;
    engine = engineOn(
      exchange,
      () => venue.now(),
      database,
      new NoopLock(),
      {},
      { alerts: notifier, reconcileIntervalMs: RECONCILE_INTERVAL_MS },
    );
    await engine.start();
    await engine.ownershipWon(SYMBOL);
    const runner = engine.runner(SYMBOL)!;
    const openBuys = () => venue.openOrders(ACCOUNT, SYMBOL).filter((order) => order.side === 'BUY').length;
    // Events are stored once per (time, content) and the venue's clock only moves by /_sim/step: a check is awaited after a step.
    const checkedSince = async (time: number) =>
      (await database!.getEvents({ symbol: SYMBOL, type: 'reconciliation', from: time, limit: 1000 })).some(
        (event) => event.details['reason'] === 'periodic',
      );
    const nextCheck = async (what: string) => {
      await admin('/_sim/step?ticks=1');
      const time = venue.now();
      await until(() => checkedSince(time), what, RECONCILE_INTERVAL_MS * 5);
    };

    await admin(`/_sim/price?symbol=${SYMBOL}&price=60000`);
    await until(() => openBuys() > 0 && runner.summary().workingOrders === openBuys(), 'the buy window at the venue');
    // A periodic check with the positions in agreement changes nothing.
    await nextCheck('a periodic reconciliation');
    expect(runner.summary().state).toBe('running');
    expect(alerts).toEqual([]);

    await admin(`/_sim/unreported-fill?account=${ACCOUNT}&symbol=${SYMBOL}&side=BUY&quantity=0.002`);
    const injectedAt = performance.now();
    await until(() => alerts.length > 0, 'the position-drift alert', RECONCILE_INTERVAL_MS * 5);
    // One interval, plus the check's own round trips on a loaded machine.
    expect(performance.now() - injectedAt).toBeLessThan(RECONCILE_INTERVAL_MS + 3_000);
    expect(alerts).toMatchObject([{ kind: 'position-drift', exchange: 'binance', symbol: SYMBOL, instanceId: 'test' }]);
    expect(runner.summary()).toMatchObject({ state: 'paused' });
    expect(runner.summary().pausedReason).toMatch(
      /^position-drift: venue position 0.002 differs from the grid's 0 by 0.002/,
    );
    // Behind the spool a stored event is readable once it reached the database.
    await flushed(database);
    const drift = (await database.getEvents({ symbol: SYMBOL, type: 'reconciliation', limit: 1000 })).filter(
      (event) => event.details['problem'] === 'position-drift',
    );
    expect(drift[0]!.details).toMatchObject({ venuePosition: '0.002', gridPosition: '0', difference: '0.002' });
    await until(() => openBuys() === 0, 'the buys cancelled');

    await runner.controls.resume();
    expect(runner.summary().state).toBe('running');
    await flushed(database);
    const adjustments = (await database.getEvents({ symbol: SYMBOL, type: 'reconciliation', limit: 1000 })).filter(
      (event) => event.details['resolution'] === 'operator-adjustment',
    );
    expect(adjustments.map((event) => event.details['adjustment'])).toEqual(['0.002']);
    await nextCheck('a periodic reconciliation after the resume');
    expect(runner.summary().state).toBe('running');
    expect(alerts).toHaveLength(1);
  }, 90_000);
});
