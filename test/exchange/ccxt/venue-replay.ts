/**
 * Offline replay of a real venue for the ccxt adapter's readiness tests: markets set from a fixture
 * (ccxt `fetchMarkets` answers them, no network), and a loopback HTTP server in place of the
 * venue (`base_url`) that records each request ccxt builds and answers it with a recorded response.
 */
import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import ccxt from 'ccxt';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Query and body parameters together (JSON or form bodies; a JSON array of one order: that order). */
  readonly params: Record<string, unknown>;
}

export interface ReplayAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface VenueReplay {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The answer to the next requests (until changed). */
  answerWith(answer: ReplayAnswer): void;
  close(): Promise<void>;
}

export async function startVenueReplay(): Promise<VenueReplay> {
  const requests: RecordedRequest[] = [];
  let answer: ReplayAnswer = { status: 500, body: { msg: 'no answer recorded' } };
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const url = new URL(request.url ?? '/', 'http://replay');
      requests.push({
        method: request.method ?? 'GET',
        path: url.pathname,
        params: { ...Object.fromEntries(url.searchParams), ...parseBody(body) },
      });
      response.writeHead(answer.status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answerWith: (next) => {
      answer = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** ccxt of this process answers `loadMarkets` of `ccxtId` with `markets` (ccxt market structures). */
export function marketsFromFixture(ccxtId: string, markets: readonly unknown[]): void {
  const Venue = (ccxt.pro as unknown as Record<string, { prototype: { fetchMarkets: unknown } }>)[ccxtId]!;
  Venue.prototype.fetchMarkets = async () => structuredClone(markets);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });
}

function parseBody(body: string): Record<string, unknown> {
  if (body === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    // OKX's ccxt places a single order through the batch endpoint, as an array of one.
    const single: unknown = Array.isArray(parsed) && parsed.length === 1 ? parsed[0] : parsed;
    return single !== null && typeof single === 'object' && !Array.isArray(single)
      ? (single as Record<string, unknown>)
      : {};
  } catch {
    return Object.fromEntries(new URLSearchParams(body));
  }
}
