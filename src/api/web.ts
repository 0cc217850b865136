/**
 * The web UI: the static bundle built from web/ (npm run build:web → dist/web), served with no
 * token (it holds no data; every API call it makes carries the signed-in user's token).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withAccess } from './auth.js';
import { asksForPage } from './errors.js';
import { UI_ROUTES } from './ui-routes.js';

/** dist/web, whether this module runs compiled (dist/api) or from source (src/api, tests). */
export const WEB_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'dist', 'web');

/** Strict headers for the UI: the bundle has no inline script and loads nothing from elsewhere. */
export const UI_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The UI's page (dist/web/index.html), or undefined when the UI is not built. */
export function uiPage(): string | undefined {
  const index = join(WEB_ROOT, 'index.html');
  return existsSync(index) ? readFileSync(index, 'utf8') : undefined;
}

/**
 * An unknown path opened in a browser (errors.ts's asksForPage) gets the UI's page with status
 * 404: the app shows its own not-found page (web/src/App.tsx) instead of raw JSON. API clients,
 * and every /api/ path, keep the JSON 404 (errors.ts).
 */
export function uiNotFound(html: string | undefined) {
  return (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (html === undefined || !asksForPage(request)) return false;
    void reply.status(404).type('text/html; charset=utf-8').header('cache-control', 'no-cache').headers(UI_HEADERS).send(html);
    return true;
  };
}

export async function webPlugin(app: FastifyInstance, opts: { html: string | undefined }): Promise<void> {
  const { html } = opts;
  if (html === undefined) {
    app.get('/', { config: { permission: 'public' } }, async (_req, reply) => {
      void reply.type('text/plain; charset=utf-8');
      return 'The web UI is not built: run `npm run build:web` (npm start does it). The API is at /api/v1, its docs at /docs.';
    });
    return;
  }
  // Each UI route serves the page, the app routes itself (ui-routes.ts: the list the router and the navigation read too).
  for (const { path } of UI_ROUTES) {
    app.get(path, { config: { permission: 'public' }, schema: { hide: true } }, async (_req, reply) => {
      void reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').headers(UI_HEADERS);
      return html;
    });
  }
  await withAccess(app, 'public', fastifyStatic, {
    root: join(WEB_ROOT, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    maxAge: '1h',
    setHeaders: (res) => {
      for (const [k, v] of Object.entries(UI_HEADERS)) res.header(k, v);
    },
  });
}
