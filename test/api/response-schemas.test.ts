/**
 * Typed both ways (docs/architecture.md, "Typed both ways"): every route that answers JSON declares
 * a response schema — Fastify serialises with it, the suite checks that nothing is dropped
 * (src/api/response-contract.ts), and web/ and sdk/ read the same types. A route added without one
 * fails here. The routes that answer something else are listed with what they answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../support/api.js';

/** Routes whose answer is not JSON, with what it is. */
const NOT_JSON: Record<string, string> = {
  'GET /openapi.json': 'the OpenAPI document itself, generated from the schemas',
  'GET /openapi/openapi.json': "the same document, at HMA's path",
  'GET /metrics': 'Prometheus text',
  'GET /status': "HMA's liveness text (I-AM-ALIVE / INDEX-NOT-LOADED)",
  'GET /status/live': "HMA's liveness text",
  'GET /api/v1/reviews/:id/media': 'the reviewed media bytes',
  'GET /api/v1/reports/:id/export': 'the report as a JSON or XML file download',
  'GET /api/v1/triage/runs/:id/outputs/:kind': 'a triage output file (CSV, VICS JSON, HTML)',
  'DELETE /api/v1/campaigns/:id': '204 without a body',
  'DELETE /api/v1/exchanges/:name': '204 without a body',
  'PUT /api/v1/exchange-apis/:name/credentials': '204 without a body',
  'PUT /c/signal_type/:name': "204 without a body (HMA's answer)",
  'GET /api/v1/country-reports/:id/html': 'HTML',
  'GET /api/v1/country-reports/:id/pdf': 'PDF',
  'GET /api/v1/country-reports/:id/csv': 'CSV',
  'GET /api/v1/operations/:id/picture.csv': "an operation's picture as CSV",
  'GET /api/v1/operations/:id/picture.pdf': "an operation's picture as a signed PDF",
};
/** Static files and pages served by plugins (public, no data). */
const STATIC = [/^\/docs(\/|$)/, /^\/assets\/\*$/, /^\/demo(\/|$)/];

describe('every JSON route declares its response schema', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi('sqlite');
  });
  afterAll(async () => api?.close());

  const routes = () => api.app.routeAccess.filter((r) => r.method !== 'HEAD' && !STATIC.some((p) => p.test(r.url)));
  const isUiPage = (url: string) =>
    api.app.routeAccess.some((r) => r.url === url && r.access === 'public') &&
    !url.startsWith('/api/') &&
    !url.startsWith('/federation/') &&
    !url.startsWith('/m/') &&
    !url.startsWith('/c/') &&
    url !== '/health' &&
    url !== '/openapi.json';

  it('declares a success schema on each route that answers JSON', () => {
    const missing = routes()
      .filter((r) => !isUiPage(r.url) && NOT_JSON[`${r.method} ${r.url}`] === undefined)
      .filter((r) => r.responses.length === 0)
      .map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    expect(routes().filter((r) => r.responses.length > 0).length).toBeGreaterThan(150);
  });

  it('lists only routes that exist and declare no JSON schema', () => {
    const table = new Map(routes().map((r) => [`${r.method} ${r.url}`, r]));
    for (const key of Object.keys(NOT_JSON)) {
      expect(table.has(key), `${key} is listed as not JSON but is no route`).toBe(true);
      expect(table.get(key)!.responses, `${key} is listed as not JSON but declares a schema`).toEqual([]);
    }
  });
});
