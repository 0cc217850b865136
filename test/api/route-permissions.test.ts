/**
 * The authorisation rule (docs/architecture.md, "Authorisation"): every route declares who may
 * call it, a route that declares nothing is refused at registration, and a low-role token — the
 * checker's, which a browser may hold — is refused on every route that is not public, not a
 * federation route (signed by a peer) and not the check API. Walks every route of a fully built server.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_ACCESS, routePolicy, withAccess, type RouteEntry } from '../../src/api/auth.js';
import { can, PERMISSIONS, type Permission } from '../../src/members/roles.js';
import { startApi, type TestApi } from '../support/api.js';

/** A request path for a route template: every parameter and wildcard filled with a dummy value. */
const concrete = (url: string) => url.replace(/:[A-Za-z_]+/g, '1').replace(/\*$/, 'x');

/** Routes reachable without a token: the server's operations (HMA's liveness probes too), its API description, the web UI and the SDK demo. */
const PUBLIC = [/^\/health$/, /^\/status(\/live)?$/, /^\/openapi\.json$/, /^\/openapi\/openapi\.json$/, /^\/docs(\/|$)/, /^\/assets\/\*$/, /^\/demo(\/|$)/];
const isUiRoute = (url: string, api: TestApi) =>
  api.app.routeAccess.some((r) => r.url === url && r.access === 'public') && !url.startsWith('/api/') && !url.startsWith('/federation/');

/** "METHOD /path" for every route in Fastify's printRoutes() tree (each line: indentation, a path segment, its methods). */
function routesInTree(tree: string): string[] {
  const segments: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^(.*?)[└├]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    segments.length = depth;
    segments.push(m[2]);
    if (m[3]) for (const method of m[3].split(', ')) out.push(`${method} ${segments.join('')}`);
  }
  return out;
}

describe('default deny at registration', () => {
  it('a route that declares no permission stops the server from starting', async () => {
    const build = async () => {
      const app = Fastify();
      routePolicy(app);
      app.get('/undeclared', async () => 'data');
      await app.ready();
    };
    await expect(build()).rejects.toThrow(/GET.*\/undeclared declares no permission/);
  });

  it("an unknown permission is refused too; withAccess declares a plugin's routes", async () => {
    const bad = async () => {
      const app = Fastify();
      routePolicy(app);
      app.get('/typo', { config: { permission: 'bank.read' as Permission } }, async () => 'data');
      await app.ready();
    };
    await expect(bad()).rejects.toThrow(/declares no permission/);
    const app = Fastify();
    routePolicy(app);
    await withAccess(app, 'public', async (p: FastifyInstance) => void p.get('/file', async () => 'static'), {});
    await app.ready();
    expect(app.routeAccess.filter((r) => r.url === '/file').map((r) => r.access)).toEqual(['public', 'public']); // GET and its HEAD twin
    await app.close();
  });
});

describe('every route of the built server', () => {
  let api: TestApi;
  let checker: string;
  let routes: RouteEntry[];

  beforeAll(async () => {
    api = await startApi('sqlite');
    await api.app.ready();
    checker = await api.tokenFor('checker', 'browser-platform');
    routes = api.app.routeAccess;
  });
  afterAll(() => api.close());

  it('declares a known permission, and the table holds every route the server routes', () => {
    expect(routes.length).toBeGreaterThan(100);
    for (const r of routes) expect([...PERMISSIONS, ...OPEN_ACCESS], `${r.method} ${r.url}`).toContain(r.access);
    // Nothing was registered around the policy: every route in Fastify's own tree is in the table.
    const listed = routesInTree(api.app.printRoutes());
    expect(listed.length).toBeGreaterThan(100);
    const table = new Set(routes.map((r) => `${r.method} ${r.url}`));
    // (A plugin's '/' under a prefix is routed with and without the trailing slash, one onRoute for both.)
    expect(listed.filter((l) => !table.has(l) && !table.has(l.replace(/(.)\/$/, '$1')))).toEqual([]);
  });

  it('opens only what must be open: public routes hold no data, federation routes are the signed /federation/v1, one route takes any token', () => {
    for (const r of routes.filter((x) => x.access === 'public')) expect(PUBLIC.some((re) => re.test(r.url)) || isUiRoute(r.url, api), r.url).toBe(true);
    for (const r of routes.filter((x) => x.access === 'public'))
      expect(r.url.startsWith('/api/') || r.url.startsWith('/federation/') || r.url === '/metrics', r.url).toBe(false);
    for (const r of routes) expect(r.access === 'federation', r.url).toBe(r.url.startsWith('/federation/v1/'));
    expect([...new Set(routes.filter((r) => r.access === 'authenticated').map((r) => r.url))]).toEqual(['/api/v1/whoami']);
  });

  it('refuses a request without a token on every route that is not public or federation', async () => {
    const closed = routes.filter((r) => r.access !== 'public' && r.access !== 'federation');
    expect(closed.length).toBeGreaterThan(100);
    const failures: string[] = [];
    for (const r of closed) {
      const res = await api.call(r.method as 'GET', concrete(r.url), undefined, null);
      if (res.statusCode !== 401) failures.push(`${r.method} ${r.url} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it("refuses the checker's token (403) on every route it is not granted, before reading a body", async () => {
    const denied = routes.filter((r) => (PERMISSIONS as readonly string[]).includes(r.access) && !can('checker', r.access as Permission));
    // The checker may call the check API and nothing else that needs a permission.
    expect([...new Set(routes.filter((r) => (PERMISSIONS as readonly string[]).includes(r.access) && !denied.includes(r)).map((r) => r.access))]).toEqual([
      'check',
    ]);
    expect(denied.length).toBeGreaterThan(100);
    const failures: string[] = [];
    for (const r of denied) {
      const res = await api.call(r.method as 'GET', concrete(r.url), undefined, checker);
      if (res.statusCode !== 403 || (r.method !== 'HEAD' && res.json().code !== 'FORBIDDEN')) failures.push(`${r.method} ${r.url} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('an unknown path needs a token, then is not found', async () => {
    expect((await api.call('GET', '/api/v1/no-such-route', undefined, null)).statusCode).toBe(401);
    expect((await api.call('GET', '/api/v1/no-such-route', undefined, checker)).statusCode).toBe(404);
  });
});
