/**
 * Cross-origin calls to the check API only, from the origins a node operator lists
 * (ALLIANCE_CHECK_ORIGINS): a platform's page runs the SDK on its own site and asks this node
 * directly. Preflights are answered before authentication (they carry no token); every other
 * route stays same-origin, and no cookie is ever accepted (the API uses bearer tokens).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const CHECK_PATH = /^\/api\/v1\/check\//;

export const checkCorsPlugin = fp(async (app: FastifyInstance, opts: { origins: string[] }) => {
  if (opts.origins.length === 0) return;
  const allowed = new Set(opts.origins);
  app.addHook('onRequest', async (request, reply) => {
    if (!CHECK_PATH.test(request.url)) return;
    const origin = request.headers.origin;
    if (!origin || !allowed.has(origin)) return;
    void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (request.method === 'OPTIONS') {
      void reply
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600');
      return reply.status(204).send();
    }
  });
});
