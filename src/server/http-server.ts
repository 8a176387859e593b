/**
 * The instance's HTTP interface (R8, R9, R12): what an operator, the dashboard or a load balancer
 * asks of it. Every route is declared with its JSON schema; `/api/openapi.json` is the OpenAPI 3
 * document generated from them (docs/operations.md lists the routes).
 *
 * - `/healthz`, `/health`, `/metrics`, `/api/status`: this instance (routes/status-routes.ts);
 * - `/api/cluster`, `/api/symbols/:exchange/:symbol`, `/api/stream`: the cluster, from the shared database;
 * - `/api/orders|fills|trades|events|statistics`: stored records, paginated and filtered;
 * - `POST /api/symbols/:exchange/:symbol/{pause,resume,cancel-orders,hand-over,claim}`, `POST /api/instance/drain`;
 * - `/`: the dashboard.
 *
 * Every route but `/healthz` and the dashboard's static files needs `web.api_key` (api-key.ts).
 * Answers are serialised through their response schemas, so no secret can slip into one.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { HealthReport } from '../observability/health.js';
import type { Database } from '../storage/database.js';
import { requireApiKey } from './api-key.js';
import type { InstanceStatus } from './instance-status.js';
import type { OperatorControl } from './operator-control.js';
import { actionRoutes } from './routes/action-routes.js';
import { clusterReader, clusterRoutes } from './routes/cluster-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { recordRoutes } from './routes/record-routes.js';
import { statusRoutes } from './routes/status-routes.js';

export type { InstanceMode, InstanceStatus, VenueMode } from './instance-status.js';

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly apiKey?: string | undefined;
  readonly instanceId: string;
  readonly version: string;
  readonly registry: Registry;
  readonly status: () => InstanceStatus;
  readonly health: () => Promise<HealthReport>;
  readonly database: Database;
  readonly lockBackend: string;
  readonly control: OperatorControl;
  readonly clock?: (() => number) | undefined;
  /** How often `/api/stream` sends the cluster view (default 2,000 ms). */
  readonly streamIntervalMs?: number | undefined;
  /** Where the built dashboard is (default dist/dashboard/ of the package). */
  readonly dashboardDir?: URL | undefined;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  await server.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'QuantMesh instance API',
        version: options.version,
        description:
          'One instance of a QuantMesh cluster: status, the cluster view, stored records and operator actions.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'web.api_key' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'web.api_key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  requireApiKey(server, options.apiKey);
  const clusterOptions = {
    database: options.database,
    lockBackend: options.lockBackend,
    health: options.health,
    clock: options.clock ?? Date.now,
    streamIntervalMs: options.streamIntervalMs ?? 2000,
  };
  statusRoutes(server, options);
  clusterRoutes(server, clusterOptions);
  recordRoutes(server, options.database);
  actionRoutes(server, {
    instanceId: options.instanceId,
    control: options.control,
    cluster: clusterReader(clusterOptions),
  });
  await dashboardRoutes(server, options.dashboardDir);
  server.get('/api/openapi.json', { schema: { summary: 'This document (OpenAPI 3)', tags: ['status'] } }, async () =>
    server.swagger(),
  );
  return server;
}

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: FastifyInstance; url: string }> {
  const server = await buildHttpServer(options);
  const url = await server.listen({ host: options.host, port: options.port });
  return { server, url };
}
