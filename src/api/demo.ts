/**
 * The check SDK's demo page at /demo/: sdk/demo (the page) and sdk/dist (the SDK as published,
 * built by `npm run build:sdk`), served with no token — they hold no data; the page asks for a
 * token with the check permission and sends only search text and image hashes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { withAccess } from './auth.js';

/** sdk/, whether this module runs compiled (dist/api) or from source (src/api). */
export const SDK_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'sdk');

const DEMO_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export async function demoPlugin(app: FastifyInstance): Promise<void> {
  const dist = join(SDK_ROOT, 'dist');
  if (!existsSync(join(dist, 'alliance-check.js'))) {
    app.get('/demo/*', { config: { permission: 'public' }, schema: { hide: true } }, async (_req, reply) => {
      void reply.status(404).type('text/plain; charset=utf-8');
      return 'The check SDK is not built: run `npm run build:sdk` (npm start does it).';
    });
    return;
  }
  app.get('/demo', { config: { permission: 'public' }, schema: { hide: true } }, async (_req, reply) => reply.redirect('/demo/'));
  const headers = (res: { header(k: string, v: string): unknown }) => {
    for (const [k, v] of Object.entries(DEMO_HEADERS)) res.header(k, v);
  };
  await withAccess(app, 'public', fastifyStatic, { root: join(dist), prefix: '/demo/sdk/', decorateReply: false, maxAge: 0, setHeaders: headers });
  await withAccess(app, 'public', fastifyStatic, {
    root: join(SDK_ROOT, 'demo'),
    prefix: '/demo/',
    decorateReply: false,
    maxAge: 0,
    index: ['index.html'],
    setHeaders: headers,
  });
}
