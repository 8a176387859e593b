/** A local HTTP server standing in for the chat APIs (Telegram Bot API, Slack incoming webhooks, a plain webhook): it records each POST and answers what the test asks. */
import { type Server, createServer } from 'node:http';
import { freePort } from '../../harness/free-port.js';

export interface ReceivedPost {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export interface ChatApiStandIn {
  readonly url: string;
  readonly received: ReceivedPost[];
  /** Answers POSTs to `path` with this status and JSON body from now on (default 200 `{ok: true}`). */
  answer(path: string, status: number, body: unknown): void;
  close(): Promise<void>;
}

export async function startChatApiStandIn(): Promise<ChatApiStandIn> {
  const received: ReceivedPost[] = [];
  const answers = new Map<string, { status: number; body: unknown }>();
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    request.on('end', () => {
      const path = request.url ?? '';
      received.push({ path, body: JSON.parse(text) as Record<string, unknown> });
      const answer = answers.get(path) ?? { status: 200, body: { ok: true } };
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (path, status, body) => {
      answers.set(path, { status, body });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
