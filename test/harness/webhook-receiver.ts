/** A local HTTP server standing in for an alert webhook (a chat API cannot run here): it keeps every JSON body POSTed to its token path. */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ALERT_KIND_NAMES, AlertNotifier } from '../../src/observability/alert-notifier.js';
import type { AlertRateLimit } from '../../src/observability/alert-rate-limit.js';
import { NotificationDispatcher } from '../../src/observability/notifications/notification-dispatcher.js';
import { WebhookChannel } from '../../src/observability/notifications/webhook-channel.js';

export interface WebhookReceiver {
  /** The URL to configure, token included (`/hooks/<token>`). */
  readonly url: string;
  readonly token: string;
  /** Bodies received on the token path, in arrival order. */
  readonly received: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(token = 'hook-token-7f3a91'): Promise<WebhookReceiver> {
  const received: Record<string, unknown>[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      if (request.url === `/hooks/${token}`) received.push(JSON.parse(body) as Record<string, unknown>);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/${token}`,
    token,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An AlertNotifier whose one channel is a webhook at `url` taking every alert kind. */
export function webhookAlertNotifier(
  logger: Logger,
  url: string,
  options: { timeoutMs?: number; rateLimit?: AlertRateLimit } = {},
): AlertNotifier {
  const webhook = new WebhookChannel({
    url,
    timeoutMs: options.timeoutMs ?? 2000,
    filter: { alerts: ALERT_KIND_NAMES, trades: false, dailySummary: false },
  });
  return new AlertNotifier(logger, new NotificationDispatcher(logger, [webhook]), undefined, options.rateLimit);
}
