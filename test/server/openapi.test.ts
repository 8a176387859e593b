/**
 * The OpenAPI document at /api/openapi.json is valid OpenAPI 3, lists exactly the routes
 * docs/operations.md documents (each with a summary and an answer schema), and the answers follow
 * the key rules when no `web.api_key` is configured: reads open, actions refused with 403.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import Fastify, { type FastifyInstance } from 'fastify';
import type { OpenAPI } from 'openapi-types';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../src/server/http-server.js';
import { dashboardRoutes } from '../../src/server/routes/dashboard-routes.js';
import type { Database } from '../../src/storage/database.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { projectRoot } from '../harness/child-process.js';

interface Document {
  paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>>;
}

describe('OpenAPI document and key rules', () => {
  let dir: string;
  let database: Database;
  let server: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-openapi-'));
    database = await openDatabase({ type: 'sqlite', dsn: join(dir, 'api.db') });
    server = await buildHttpServer({
      host: '127.0.0.1',
      port: 0,
      instanceId: 'openapi',
      version: '0.0.0-test',
      registry: new Registry(),
      database,
      lockBackend: 'noop',
      status: () => ({
        instanceId: 'openapi',
        version: '0.0.0-test',
        mode: 'active',
        startedAt: new Date(0).toISOString(),
        allocation: { mode: 'static' },
        symbols: [],
        venues: {},
      }),
      health: async () => ({ healthy: true, components: [] }),
      // Never reached: without a key every action is refused before it runs.
      control: {
        symbolAction: () => Promise.reject(new Error('must not run')),
        drain: () => Promise.reject(new Error('must not run')),
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is valid OpenAPI 3 and lists exactly the routes of docs/operations.md, each with a summary and an answer schema', async () => {
    const answer = await server.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(answer.statusCode).toBe(200);
    const document = answer.json() as Document;
    await SwaggerParser.validate(structuredClone(document) as unknown as OpenAPI.Document);
    const documented = (await readFile(join(projectRoot, 'docs/operations.md'), 'utf8'))
      .split('\n')
      .flatMap((line) =>
        [...line.matchAll(/^\| `(GET|POST) ([^`]+)`/g)].map(
          (match) => `${match[1]} ${match[2]!.replace(/:(\w+)/g, '{$1}')}`,
        ),
      );
    const listed = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(listed.sort()).toEqual([...new Set(documented)].sort());
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(operation.summary, `${method} ${path}`).toBeTruthy();
        if (path !== '/api/stream' && path !== '/api/openapi.json')
          expect(operation.responses?.['200'], `${method} ${path}`).toBeDefined();
      }
    }
  });

  it('without web.api_key serves the reads and refuses every operator action with 403 and the reason', async () => {
    expect((await server.inject({ method: 'GET', url: '/api/orders?limit=5' })).json()).toEqual({
      items: [],
      limit: 5,
      offset: 0,
    });
    for (const url of ['/api/symbols/sim/BTCUSDT/pause', '/api/symbols/sim/BTCUSDT/hand-over', '/api/instance/drain']) {
      const refused = await server.inject({ method: 'POST', url });
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json(), url).toEqual({ error: 'operator actions are disabled: set web.api_key to enable them' });
    }
  });

  it('serves the built dashboard from memory, and without a build says how to make one', async () => {
    const built = join(dir, 'dashboard/');
    await mkdir(built);
    await writeFile(join(built, 'index.html'), '<!doctype html><script src="/dashboard/app.js"></script>');
    await writeFile(join(built, 'app.js'), 'console.log(1)');
    for (const [directory, expected] of [
      [built, 200],
      [join(dir, 'none/'), 503],
    ] as const) {
      const app = Fastify();
      await dashboardRoutes(app, pathToFileURL(directory));
      const page = await app.inject({ method: 'GET', url: '/' });
      expect(page.statusCode).toBe(expected);
      if (expected === 503) expect(page.body).toBe('the dashboard is not built: run npm run build');
      else
        expect((await app.inject({ method: 'GET', url: '/dashboard/app.js' })).headers['content-type']).toMatch(
          /^text\/javascript/,
        );
      expect((await app.inject({ method: 'GET', url: '/dashboard/..%2Fapi.db' })).statusCode).toBe(404);
      await app.close();
    }
  });
});
