/** A local HTTP server standing in for an alert webhook (a chat API cannot run here): it keeps every JSON body POSTed to its token path. */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

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
    request.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
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
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
