/**
 * The dashboard at `/`: the static files `npm run build` writes to dist/dashboard/ (no CDN at run
 * time), read once at start and served from memory. They hold no data; the page asks for the API key
 * and reads everything through the API.
 */
import { readFile, readdir } from 'node:fs/promises';
import { extname } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** dist/dashboard/ of the package (src/server/routes/ and dist/server/routes/ are three levels below the root). */
export const DASHBOARD_DIR = new URL('../../../dist/dashboard/', import.meta.url);

export async function dashboardRoutes(server: FastifyInstance, directory: URL = DASHBOARD_DIR): Promise<void> {
  const files = new Map<string, { body: Buffer; type: string }>();
  const names = await readdir(directory).catch(() => [] as string[]);
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type !== undefined) files.set(name, { body: await readFile(new URL(name, directory)), type });
  }
  const hide = { schema: { hide: true } };
  server.get('/', hide, async (_request, reply) => {
    const index = files.get('index.html');
    if (index === undefined)
      return reply.code(503).type('text/plain').send('the dashboard is not built: run npm run build');
    return reply.type(index.type).header('cache-control', 'no-cache').send(index.body);
  });
  server.get<{ Params: { file: string } }>('/dashboard/:file', hide, async (request, reply) => {
    const file = files.get(request.params.file);
    if (file === undefined) return reply.code(404).send({ error: 'no such file' });
    return reply.type(file.type).header('cache-control', 'no-cache').send(file.body);
  });
}
