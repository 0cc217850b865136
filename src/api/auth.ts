/**
 * Authentication and authorisation for every route (docs/architecture.md, "Authorisation").
 *
 * Every route declares who may call it in its config — `config: { permission: 'lookup' }` — and
 * a route that declares nothing is refused when it is registered (routePolicy below: the server
 * does not start). The levels beyond the role permissions of members/roles.ts are explicit:
 *   - 'public'         no token: holds no data (/health, the API description, the web UI's files);
 *   - 'federation'     no bearer token: the request is signed by a peer node and checked by the
 *                      federation routes themselves (api/federation/peer-routes.ts);
 *   - 'authenticated'  any valid token, whatever its role: only what the token says of itself (/whoami).
 * `onRequest` (before any body is read) resolves the bearer token to a principal and checks the
 * route's permission against its role; services check what a route cannot know (ownership,
 * the member's country, the state of a record).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyPluginCallback, FastifyPluginOptions, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { AllianceError } from '../errors/catalogue.js';
import { asksForPage } from './errors.js';
import type { MemberService } from '../members/member-service.js';
import { requirePermission, type Principal } from '../members/principal.js';
import { PERMISSIONS, type Permission } from '../members/roles.js';

/** Who may call a route: a role permission, or one of the explicit levels without one. */
export type RouteAccess = Permission | 'public' | 'federation' | 'authenticated';
export const OPEN_ACCESS = ['public', 'federation', 'authenticated'] as const;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Who may call the route (required: a route without it is refused at registration). */
    permission?: RouteAccess;
  }
  interface FastifyInstance {
    /** Every route of the server and the access it declares (filled as routes are registered). */
    routeAccess: RouteEntry[];
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess;
  /** The statuses the route declares a response schema for (docs/architecture.md, "Typed both ways"). */
  responses: string[];
}

export function isRouteAccess(value: unknown): value is RouteAccess {
  return typeof value === 'string' && ((PERMISSIONS as readonly string[]).includes(value) || (OPEN_ACCESS as readonly string[]).includes(value));
}

/** The access a third-party plugin's routes get when registered through `withAccess` (they declare none themselves). */
const DEFAULT_ACCESS = Symbol('alliance.defaultAccess');

/**
 * Default deny, at registration: installed first on the root instance, before any route, so it
 * sees every route (HEAD twins included). A route must declare a known access level, or be
 * registered by a plugin wrapped in `withAccess`; anything else throws and the server does not start.
 */
export function routePolicy(app: FastifyInstance): void {
  app.decorate('routeAccess', [] as RouteEntry[]);
  const table = app.routeAccess;
  app.addHook('onRoute', function (this: FastifyInstance, route: RouteOptions) {
    const declared = route.config?.permission ?? (this as unknown as Record<symbol, RouteAccess | undefined>)[DEFAULT_ACCESS];
    const methods = [route.method].flat().join(',');
    if (!isRouteAccess(declared)) {
      throw new Error(
        `route ${methods} ${route.url} declares no permission (config.permission: a permission, 'public', 'federation' or 'authenticated'): every route must say who may call it`,
      );
    }
    route.config = { ...route.config, permission: declared };
    const responses = Object.keys((route.schema?.response as Record<string, unknown> | undefined) ?? {});
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access: declared, responses });
  });
}

/** Registers a plugin that declares no permissions of its own (swagger-ui, @fastify/static) with `access` for all its routes. */
export async function withAccess<O extends FastifyPluginOptions>(
  app: FastifyInstance,
  access: RouteAccess,
  plugin: FastifyPluginAsync<O> | FastifyPluginCallback<O>,
  opts: O,
): Promise<void> {
  await app.register(async (scope) => {
    (scope as unknown as Record<symbol, RouteAccess>)[DEFAULT_ACCESS] = access;
    await scope.register(plugin, opts);
  });
}

export function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

export const authPlugin = fp(async (app: FastifyInstance, opts: { members: MemberService }) => {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.permission;
    if (access === 'public' || access === 'federation') return;
    // Unknown routes still need a token: nothing about the API is disclosed without one. A browser
    // opening a page at an unknown path gets the web UI's not-found page instead (errors.ts).
    if (request.is404 && asksForPage(request)) return;
    request.principal = await opts.members.authenticate(bearer(request));
    if (request.is404 || access === 'authenticated') return;
    // routePolicy refuses such routes at registration; should one slip through, it is denied.
    if (!isRouteAccess(access)) throw new AllianceError('FORBIDDEN', 'this route declares no permission');
    requirePermission(request.principal, access);
  });
});

export function assertPrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new AllianceError('UNAUTHENTICATED', 'missing bearer token');
  return request.principal;
}
