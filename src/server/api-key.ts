/**
 * The API key (`web.api_key`): every route but `/healthz` (and the dashboard's static files, which
 * hold no data) needs it, as `Authorization: Bearer KEY` or `X-API-Key: KEY`, compared in constant
 * time. Without a configured key the read API is open (the default listen address is 127.0.0.1)
 * and every operator action is refused with 403. The dashboard keeps the key in the tab's
 * sessionStorage and sends it as a header; there is no cookie, so no ambient credential for a
 * cross-site request to ride on.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Paths served without a key: liveness, and the static dashboard (it asks for the key itself). */
function isPublic(path: string): boolean {
  return path === '/healthz' || path === '/' || path.startsWith('/dashboard/');
}

export function requireApiKey(server: FastifyInstance, apiKey: string | undefined): void {
  // Digests have one length, so the comparison takes the same time whatever was sent.
  const expected = apiKey === undefined || apiKey === '' ? undefined : digest(apiKey);
  server.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (isPublic(path)) return;
    if (expected === undefined) {
      if (request.method !== 'GET')
        await reply.code(403).send({ error: 'operator actions are disabled: set web.api_key to enable them' });
      return;
    }
    if (!timingSafeEqual(digest(givenKey(request)), expected))
      await reply.code(401).send({ error: 'missing or wrong API key' });
  });
}

function givenKey(request: FastifyRequest): string {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  return /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
