/**
 * The cluster (`/api/cluster`), one symbol's grid (`/api/symbols/:exchange/:symbol`) and the live
 * stream of the cluster view (`/api/stream`, server-sent events): read from the shared database,
 * so every instance answers the same.
 */
import type { FastifyInstance } from 'fastify';
import type { HealthReport } from '../../observability/health.js';
import type { Database } from '../../storage/database.js';
import { CLUSTER, ERROR, SYMBOL_PARAMS } from '../api-schemas.js';
import { type ClusterView, clusterView } from '../cluster-view.js';
import { gridView } from '../grid-view.js';

export interface ClusterRoutesOptions {
  readonly database: Pick<Database, 'getInstances' | 'getGrid' | 'getSlots' | 'getOrders' | 'dialect'>;
  readonly lockBackend: string;
  readonly health: () => Promise<HealthReport>;
  readonly clock: () => number;
  /** How often `/api/stream` sends the cluster view. */
  readonly streamIntervalMs: number;
}

export type ClusterAnswer = ClusterView & {
  readonly lockBackend: string;
  readonly databaseDialect: string;
  readonly health: HealthReport;
};

export function clusterReader(options: ClusterRoutesOptions): () => Promise<ClusterAnswer> {
  return async () => {
    const [records, health] = await Promise.all([options.database.getInstances(), options.health()]);
    return {
      ...clusterView(records, options.clock()),
      lockBackend: options.lockBackend,
      databaseDialect: options.database.dialect,
      health,
    };
  };
}

export function clusterRoutes(server: FastifyInstance, options: ClusterRoutesOptions): void {
  const cluster = clusterReader(options);
  server.get(
    '/api/cluster',
    {
      schema: {
        summary:
          'Every instance (mode, state, health, owned symbols) and every symbol with its owner and lease, from the shared database: the same from any instance',
        tags: ['cluster'],
        response: { 200: CLUSTER },
      },
    },
    cluster,
  );

  server.get<{ Params: { exchange: string; symbol: string } }>(
    '/api/symbols/:exchange/:symbol',
    {
      schema: {
        summary:
          'The grid of a symbol: anchor, interval, every slot with its state, position, cycle and working order, plus its owner and live figures',
        tags: ['cluster'],
        params: SYMBOL_PARAMS,
        response: { 200: GRID_ANSWER, 404: ERROR },
      },
    },
    async (request, reply) => {
      const { exchange, symbol } = request.params;
      const [grid, view] = await Promise.all([gridView(options.database, exchange, symbol), cluster()]);
      const status = view.symbols.find((entry) => entry.exchange === exchange && entry.symbol === symbol);
      if (grid === undefined && status === undefined)
        return reply.code(404).send({ error: `no grid for ${exchange}:${symbol}` });
      return { exchange, symbol, status, grid };
    },
  );

  server.get(
    '/api/stream',
    {
      schema: {
        summary: 'Server-sent events: `cluster` with the /api/cluster answer, at once and every few seconds',
        tags: ['cluster'],
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let sending = false;
      const send = async () => {
        if (sending) return;
        sending = true;
        try {
          reply.raw.write(`event: cluster\ndata: ${JSON.stringify(await cluster())}\n\n`);
        } catch (error) {
          reply.raw.write(
            `event: trouble\ndata: ${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n\n`,
          );
        } finally {
          sending = false;
        }
      };
      const timer = setInterval(() => void send(), options.streamIntervalMs);
      request.raw.once('close', () => clearInterval(timer));
      await send();
    },
  );
}

const GRID_ANSWER = {
  type: 'object',
  properties: {
    exchange: { type: 'string' },
    symbol: { type: 'string' },
    status: CLUSTER.properties.symbols.items,
    grid: {
      type: 'object',
      properties: {
        exchange: { type: 'string' },
        symbol: { type: 'string' },
        anchor: { type: 'string' },
        interval: { type: 'string' },
        paused: { type: 'boolean' },
        pausedReason: { type: 'string' },
        updatedAt: { type: 'integer' },
        slots: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              level: { type: 'integer' },
              price: { type: 'string' },
              cycle: { type: 'integer' },
              state: { type: 'string', enum: ['EMPTY', 'FILLED'] },
              position: { type: 'string' },
              entryPrice: { type: 'string' },
              order: {
                type: 'object',
                properties: {
                  clientOrderId: { type: 'string' },
                  side: { type: 'string' },
                  price: { type: 'string' },
                  quantity: { type: 'string' },
                  filledQuantity: { type: 'string' },
                  status: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
