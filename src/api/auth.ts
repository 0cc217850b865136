/**
 * Authentication and authorisation for every route. `onRequest` (before any body is read)
 * resolves the bearer token to a principal; routes declare the permission they need in their
 * config (`config: { permission: 'lookup' }`) or `public: true` for the few that hold no data
 * (/health, the API description, the web UI's static files).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AllianceError } from '../errors/catalogue.js';
import type { MemberService } from '../members/member-service.js';
import { requirePermission, type Principal } from '../members/principal.js';
import type { Permission } from '../members/roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** What the route needs; absent = any valid token. */
    permission?: Permission;
    /** No token needed (holds no data). */
    public?: boolean;
  }
}

export function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** Paths that hold no data: health, the API description and its page, the web UI's static files, the check SDK's demo. */
const PUBLIC_PATHS = [/^\/health$/, /^\/openapi\.json$/, /^\/docs(\/|$)/, /^\/assets\//, /^\/demo(\/|$)/];

export const authPlugin = fp(async (app: FastifyInstance, opts: { members: MemberService }) => {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config?.public) return;
    const path = request.url.split('?')[0];
    if (PUBLIC_PATHS.some((re) => re.test(path))) return;
    // Unknown routes still need a token: nothing about the API is disclosed without one.
    request.principal = await opts.members.authenticate(bearer(request));
    if (config?.permission) requirePermission(request.principal, config.permission);
  });
});

export function assertPrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AllianceError('UNAUTHENTICATED', 'missing bearer token');
  return request.principal;
}
