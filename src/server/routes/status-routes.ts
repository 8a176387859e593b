/** Liveness, health (R8), metrics (R9) and this instance's own status. */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { HealthReport } from '../../observability/health.js';
import { HEALTH, INSTANCE_STATUS } from '../api-schemas.js';
import type { InstanceStatus } from '../instance-status.js';

export interface StatusRoutesOptions {
  readonly registry: Registry;
  readonly status: () => InstanceStatus;
  readonly health: () => Promise<HealthReport>;
}

export function statusRoutes(server: FastifyInstance, options: StatusRoutesOptions): void {
  server.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness: 200 while the process serves (no key needed)',
        tags: ['status'],
        security: [],
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );
  server.get(
    '/health',
    {
      schema: {
        summary: 'The lock backend and the database pinged: 200 healthy, 503 with each cause',
        tags: ['status'],
        response: { 200: HEALTH, 503: HEALTH },
      },
    },
    async (_request, reply) => {
      const report = await options.health();
      return reply.code(report.healthy ? 200 : 503).send(report);
    },
  );
  server.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['status'],
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => reply.type(options.registry.contentType).send(await options.registry.metrics()),
  );
  server.get(
    '/api/status',
    {
      schema: {
        summary: 'This instance: mode, allocation, and every configured symbol as it sees it',
        tags: ['status'],
        response: { 200: INSTANCE_STATUS },
      },
    },
    async () => options.status(),
  );
}
