/**
 * Alerts (R10 告警通知): logged as warnings and POSTed as JSON to the webhook; a failing webhook
 * (error status, no answer, refused connection) is logged and never thrown, and the webhook URL's
 * path and query, where its token lives, never reach a log line.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type Alert, AlertNotifier } from '../../src/observability/alert-notifier.js';
import { type Logger, captureLogs } from '../../src/observability/logger.js';
import { freePort } from '../harness/free-port.js';
import { webhookAlertNotifier } from '../harness/webhook-receiver.js';

const TOKEN = 'tok-91c2e7';
const ALERT: Alert = {
  kind: 'standby-activated',
  instanceId: 'b',
  exchange: 'binance',
  symbol: 'BTCUSDT',
  time: '2026-11-24T03:00:00.000Z',
  message: 'standby b took over binance:BTCUSDT',
};

function toWebhook(logger: Logger, url: string, timeoutMs: number): AlertNotifier {
  return webhookAlertNotifier(logger, url, { timeoutMs });
}

describe('alert notifier', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
  });

  async function webhook(
    answer: (request: IncomingMessage, body: string, response: ServerResponse) => void,
  ): Promise<string> {
    const port = await freePort();
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => answer(request, body, response));
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${port}/hooks/${TOKEN}?key=${TOKEN}`;
  }

  it('logs the alert and POSTs it as JSON to the webhook', async () => {
    const received: { path: string | undefined; type: string | undefined; alert: unknown }[] = [];
    const url = await webhook((request, body, response) => {
      received.push({ path: request.url, type: request.headers['content-type'], alert: JSON.parse(body) });
      response.writeHead(204).end();
    });
    const { logger, records, lines } = captureLogs();
    const notifier = toWebhook(logger, url, 2000);
    notifier.notify(ALERT);
    await notifier.flush();
    expect(received).toEqual([{ path: `/hooks/${TOKEN}?key=${TOKEN}`, type: 'application/json', alert: ALERT }]);
    expect(records()).toEqual([
      expect.objectContaining({ level: 40, alert: 'standby-activated', symbol: 'binance:BTCUSDT' }),
    ]);
    expect(lines().join('\n')).not.toContain(TOKEN);
  });

  it('an error status, a webhook that never answers and a refused connection are logged, never thrown, without the token', async () => {
    const { logger, records, lines } = captureLogs();
    const failing = toWebhook(
      logger,
      await webhook((_request, _body, response) => response.writeHead(500).end()),
      2000,
    );
    expect(() => failing.notify(ALERT)).not.toThrow();
    await failing.flush();
    const silentUrl = (await webhook(() => undefined)).replace('127.0.0.1', 'localhost');
    const silent = toWebhook(logger, silentUrl, 200);
    silent.notify(ALERT);
    await silent.flush();
    const refused = toWebhook(logger, `http://127.0.0.1:${await freePort()}/hooks/${TOKEN}`, 2000);
    refused.notify(ALERT);
    await refused.flush();
    const failures = records().filter((record) => record.msg === 'webhook notification failed (trading continues)');
    expect(failures.map((record) => (record.err as { code: string; message: string }).message)).toEqual([
      expect.stringMatching(/^alert not delivered to webhook http:\/\/127\.0\.0\.1:\d+: HTTP 500$/),
      expect.stringMatching(/^alert not delivered to webhook http:\/\/localhost:\d+: no answer within 200 ms$/),
      expect.stringMatching(
        /^alert not delivered to webhook http:\/\/127\.0\.0\.1:\d+: request failed \(ECONNREFUSED\)$/,
      ),
    ]);
    expect(failures.every((record) => (record.err as { code: string }).code === 'QM_NOTIFY_DELIVERY_FAILED')).toBe(
      true,
    );
    expect(lines().join('\n')).not.toContain(TOKEN);
  });

  it('without a webhook the alert is only logged', async () => {
    const { logger, records } = captureLogs();
    const notifier = new AlertNotifier(logger);
    notifier.notify({ ...ALERT, kind: 'ownership-lost', message: 'a lost binance:BTCUSDT' });
    await notifier.flush();
    expect(records()).toEqual([
      expect.objectContaining({ level: 40, alert: 'ownership-lost', msg: 'alert: a lost binance:BTCUSDT' }),
    ]);
  });

  it('counts the alerts raised by kind in quantmesh_alerts_total', async () => {
    const registry = new Registry();
    const notifier = new AlertNotifier(captureLogs().logger, undefined, registry);
    notifier.notify(ALERT);
    notifier.notify(ALERT);
    notifier.notify({ ...ALERT, kind: 'ownership-lost' });
    const text = await registry.metrics();
    expect(text).toContain('quantmesh_alerts_total{kind="standby-activated"} 2');
    expect(text).toContain('quantmesh_alerts_total{kind="ownership-lost"} 1');
  });
});
