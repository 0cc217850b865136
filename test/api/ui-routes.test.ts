/**
 * One list of the web UI's routes (src/api/ui-routes.ts) that the server, the router and the
 * navigation read: every header link is a route, every route is served (with no token: the page
 * holds no data) and matched back to itself, and a path that is no UI route is not the UI's.
 * test/web/ui.test.ts follows every header link in a browser and sees the not-found page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, permissionsOf } from '../../src/members/roles.js';
import { matchUiPath, NAV_GROUPS, NAV_LINKS, navFor, UI_ROUTES, type UiRoute } from '../../src/api/ui-routes.js';
import { startApi, type TestApi } from '../support/api.js';

/** A path of the route with its parameters filled (numbers where numeric). */
const sample = (r: UiRoute) => r.path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => (r.numeric?.includes(name) ? '42' : 'DEMO%20BANK'));

describe('the UI route list', () => {
  it('names each page and path once; every header link is a route without parameters', () => {
    expect(new Set(UI_ROUTES.map((r) => r.page)).size).toBe(UI_ROUTES.length);
    expect(new Set(UI_ROUTES.map((r) => r.path)).size).toBe(UI_ROUTES.length);
    expect(NAV_LINKS.length).toBeGreaterThan(10);
    for (const link of NAV_LINKS) {
      expect(link.path, link.label).not.toContain(':');
      expect(matchUiPath(link.path)?.route.page, link.label).toBe(link.page);
    }
  });

  it("puts every header link in a menu by job, in the menus' order, behind a permission", () => {
    const order = NAV_LINKS.map((l) => NAV_GROUPS.indexOf(l.group));
    expect(order.every((g) => g >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const link of NAV_LINKS) expect(PERMISSIONS, link.label).toContain(link.permission);
    // Each role sees the pages it may use; an admin all of them, a checker (the check SDK's role) none.
    expect(navFor(permissionsOf('admin')).flatMap((g) => g.links)).toEqual(NAV_LINKS);
    expect(navFor(permissionsOf('checker'))).toEqual([]);
    expect(navFor(permissionsOf('matcher')).map((g) => [g.group, g.links.map((l) => l.page)])).toEqual([['Match & banks', ['match']]]);
    for (const role of ROLES)
      for (const { links } of navFor(permissionsOf(role))) for (const l of links) expect(permissionsOf(role), `${role} ${l.page}`).toContain(l.permission);
  });

  it('matches every route back to itself, with its parameters', () => {
    for (const r of UI_ROUTES) expect(matchUiPath(sample(r))?.route.page, r.path).toBe(r.page);
    expect(matchUiPath('/banks/DEMO%20BANK')?.params).toEqual({ name: 'DEMO BANK' });
    expect(matchUiPath('/series/42')?.params).toEqual({ id: 42 });
  });

  it('matches no other path (the UI shows its not-found page)', () => {
    for (const path of ['/nope', '/banks/', '/banks/a/b', '/series/abc', '/triage/1x', '/match/', '//', '/banks/%E0%A4%A'])
      expect(matchUiPath(path), path).toBeUndefined();
  });
});

describe('the server serves the list', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('sqlite');
    await api.app.ready();
  });
  afterAll(() => api.close());

  it('serves the page at every UI route, without a token, and at no other public HTML path', async () => {
    for (const r of UI_ROUTES) {
      const res = await api.call('GET', sample(r), undefined, null);
      expect(res.statusCode, r.path).toBe(200);
      expect(res.headers['content-type'], r.path).toMatch(/^text\/html/);
    }
    const served = api.app.routeAccess
      .filter((r) => r.method === 'GET' && r.access === 'public' && !/^\/(health|openapi\.json|openapi|status|docs|assets|demo)(\/|$)/.test(r.url))
      .map((r) => r.url);
    expect(served.sort()).toEqual(UI_ROUTES.map((r) => r.path).sort());
  });

  it('leaves other paths to the API: a token first, then not found', async () => {
    expect((await api.call('GET', '/nope', undefined, null)).statusCode).toBe(401);
    expect((await api.call('GET', '/nope')).statusCode).toBe(404);
    expect((await api.call('GET', '/nope')).json()).toEqual({ code: 'NOT_FOUND', message: 'no route GET /nope' });
  });

  it("answers a browser opening an unknown page with the UI's page (its not-found page), and /api/ paths with JSON", async () => {
    const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    const page = await api.call('GET', '/nope', undefined, null, html);
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<div id="root">');
    // Under /api/ the API answers, a browser's page request or not: a token first, then JSON.
    expect((await api.call('GET', '/api/v1/lookup/upload', undefined, null, html)).statusCode).toBe(401);
    const apiPath = await api.call('GET', '/api/v1/nope', undefined, undefined, html);
    expect(apiPath.statusCode).toBe(404);
    expect(apiPath.json()).toEqual({ code: 'NOT_FOUND', message: 'no route GET /api/v1/nope' });
    expect((await api.call('GET', '/api/v1/nope', undefined, null, html)).statusCode).toBe(401);
    expect((await api.call('POST', '/nope', {}, null, html)).statusCode).toBe(401);
  });
});
