/**
 * The instance's HTTP interface (R8, R9, R12): what an operator or a load balancer asks of it.
 *
 * - `GET /healthz`: liveness, always 200 while the process serves;
 * - `GET /health`: the lock backend and database pinged (R8): 200 healthy, 503 with each cause;
 * - `GET /metrics`: Prometheus text (R9);
 * - `GET /api/status`: the instance, its symbols, positions, working orders and PnL;
 * - `POST /api/symbols/:exchange/:symbol/resume`: resume a paused symbol (operator action).
 *
 * When `apiKey` is set every route but `/healthz` needs it (`x-api-key` or `Authorization: Bearer`);
 * without one, mutating routes are refused. Responses never carry secrets.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { SymbolStatus } from '../engine/symbol-summary.js';
import type { HealthReport } from '../observability/health.js';

/** `active`; `standby` until it owns a symbol; `activated` once a standby took a symbol over (R1). */
export type InstanceMode = 'active' | 'standby' | 'activated';

export interface InstanceStatus {
  readonly instanceId: string;
  readonly version: string;
  readonly mode: InstanceMode;
  readonly startedAt: string;
  /** How symbols are allocated (R6); under `dynamic`, the live members as last seen. */
  readonly allocation: { readonly mode: 'static' | 'dynamic'; readonly members?: readonly string[] | undefined };
  /** Every configured symbol, with `ownership`: owned here, waiting, lost, or unassigned (dynamic allocation gives it to another instance). */
  readonly symbols: readonly SymbolStatus[];
  /** How each venue trades, by name: `paper` sends nothing to the venue (docs/venues.md). */
  readonly venues: Readonly<Record<string, VenueMode>>;
}

/** `simulated`: the embedded sim venue; `paper`: a real venue's prices, orders matched locally; `live`: real orders. */
export type VenueMode = 'simulated' | 'paper' | 'live';

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly apiKey?: string | undefined;
  readonly registry: Registry;
  readonly status: () => InstanceStatus;
  readonly health: () => Promise<HealthReport>;
  readonly resume: (exchange: string, symbol: string) => Promise<boolean>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: FastifyInstance; url: string }> {
  const server = Fastify({ logger: false });
  const expected = options.apiKey === undefined || options.apiKey === '' ? undefined : Buffer.from(options.apiKey);

  server.addHook('onRequest', async (request, reply) => {
    if (request.url === '/healthz') return;
    if (expected === undefined) {
      if (request.method !== 'GET') await reply.code(403).send({ error: 'set web.api_key to enable operator actions' });
      return;
    }
    if (!keyMatches(request, expected)) await reply.code(401).send({ error: 'missing or wrong API key' });
  });

  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/health', async (_request, reply) => {
    const report = await options.health();
    return reply.code(report.healthy ? 200 : 503).send(report);
  });
  server.get('/metrics', async (_request, reply) => {
    const text = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(text);
  });
  server.get('/api/status', async () => options.status());
  server.post<{ Params: { exchange: string; symbol: string } }>('/api/symbols/:exchange/:symbol/resume', async (request, reply) => {
    const resumed = await options.resume(request.params.exchange, request.params.symbol);
    return resumed ? { resumed: true } : reply.code(404).send({ error: 'no such symbol on this instance' });
  });

  const url = await server.listen({ host: options.host, port: options.port });
  return { server, url };
}

function keyMatches(request: FastifyRequest, expected: Buffer): boolean {
  const header = request.headers['x-api-key'];
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const given = Buffer.from(typeof header === 'string' ? header : bearer ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
