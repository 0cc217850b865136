/**
 * Acceptance (security): requests without a token, with a wrong or revoked token, or with a role
 * that lacks the right get 401/403 and change nothing — for every route group, on both
 * databases. Hostile input gets 400/413 with a clear message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.js';
import { multipart, startApi, type TestApi } from '../support/api.js';
import { PDQ_IMAGES } from '../support/paths.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

/** One representative request per route group, and the permission it needs. */
const ROUTES: Array<{ group: string; method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'; url: string; body?: unknown; allowed: string[] }> = [
  { group: 'banks read', method: 'GET', url: '/api/v1/banks', allowed: ['admin', 'curator', 'analyst', 'auditor'] },
  { group: 'banks write', method: 'POST', url: '/api/v1/banks', body: { name: 'NEW_BANK' }, allowed: ['admin', 'curator'] },
  {
    group: 'content write',
    method: 'POST',
    url: '/api/v1/banks/SEC_BANK/content',
    body: { signals: [{ signal_type: 'pdq', value: PDQ }] },
    allowed: ['admin'],
  },
  { group: 'content read', method: 'GET', url: '/api/v1/banks/SEC_BANK/content', allowed: ['admin', 'curator', 'analyst', 'auditor'] },
  { group: 'lookup', method: 'POST', url: '/api/v1/lookup', body: { signal_type: 'pdq', signal: PDQ }, allowed: ['admin', 'curator', 'matcher', 'analyst'] },
  {
    group: 'compare',
    method: 'POST',
    url: '/api/v1/compare',
    body: { signal_type: 'pdq', a: PDQ, b: PDQ },
    allowed: ['admin', 'curator', 'matcher', 'analyst'],
  },
  { group: 'index', method: 'GET', url: '/api/v1/index', allowed: ['admin', 'curator', 'matcher', 'analyst', 'auditor'] },
  { group: 'members', method: 'POST', url: '/api/v1/members', body: { name: 'newcomer', kind: 'ngo' }, allowed: ['admin'] },
  { group: 'tokens', method: 'GET', url: '/api/v1/tokens', allowed: ['admin'] },
  { group: 'audit', method: 'GET', url: '/api/v1/audit', allowed: ['admin', 'auditor'] },
  { group: 'metrics', method: 'GET', url: '/metrics', allowed: ['admin', 'curator', 'matcher', 'analyst', 'auditor'] },
  { group: 'hma curator', method: 'POST', url: '/c/banks', body: { name: 'HMA_NEW' }, allowed: ['admin', 'curator'] },
  { group: 'hma matcher', method: 'GET', url: `/m/lookup?signal_type=pdq&signal=${PDQ}`, allowed: ['admin', 'curator', 'matcher', 'analyst'] },
  // (HMA's /status and /status/live are public: load balancers probe them without a token.)
  { group: 'hma exchanges', method: 'GET', url: '/c/exchanges', allowed: ['admin', 'curator', 'analyst', 'auditor'] },
  // The check API: a checker token (the one a browser may hold) can do this and nothing else.
  { group: 'check', method: 'POST', url: '/api/v1/check/text', body: { text: 'hello' }, allowed: ['admin', 'curator', 'matcher', 'checker'] },
  {
    group: 'submissions',
    method: 'POST',
    url: '/api/v1/submissions',
    body: { signals: [{ signal_type: 'pdq', value: PDQ }] },
    allowed: ['admin', 'matcher', 'analyst'],
  },
];
const ROLES = ['admin', 'curator', 'matcher', 'analyst', 'auditor', 'checker'];

describe.each(DIALECTS)('API security on %s', (dialect) => {
  let api: TestApi;
  const tokens: Record<string, string> = {};
  let revoked = '';

  beforeAll(async () => {
    api = await startApi(dialect);
    for (const role of ROLES) tokens[role] = role === 'admin' ? api.adminToken : await api.tokenFor(role, 'local-team');
    revoked = await api.tokenFor('admin', 'ex-staff');
    const admin = await api.node.members.authenticate(api.adminToken);
    const id = (await api.node.members.listTokens(admin, 'ex-staff'))[0].id;
    await api.node.members.revokeToken(admin, id);
    expect((await api.call('POST', '/api/v1/banks', { name: 'SEC_BANK' })).statusCode).toBe(201);
  });
  afterAll(() => api.close());

  /** The state a refused request must not change. */
  const state = async () => JSON.stringify([await api.call('GET', '/api/v1/banks'), await api.call('GET', '/api/v1/members')].map((r) => r.json()));

  it.each(ROUTES)('$group: 401 without a token, with a wrong token and with a revoked one, and nothing changes', async (route) => {
    const before = await state();
    for (const token of [null, 'alli_wrongwrongwrong', revoked, 'not-even-a-token']) {
      const r = await api.call(route.method, route.url, route.body, token);
      expect(r.statusCode, `token ${token}`).toBe(401);
      expect(r.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    const malformed = await api.call(route.method, route.url, route.body, null, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(malformed.statusCode).toBe(401);
    expect(await state()).toBe(before);
  });

  it.each(ROUTES)('$group: roles without the right get 403 and change nothing', async (route) => {
    for (const role of ROLES.filter((r) => !route.allowed.includes(r))) {
      const before = await state();
      const r = await api.call(route.method, route.url, route.body, tokens[role]);
      expect(r.statusCode, role).toBe(403);
      expect(r.json()).toMatchObject({ code: 'FORBIDDEN' });
      expect(await state()).toBe(before);
    }
  });

  it("a curator of one member cannot change another member's bank", async () => {
    const other = await api.tokenFor('curator', 'other-platform');
    for (const [method, url, body] of [
      ['PATCH', '/api/v1/banks/SEC_BANK', { matching_enabled: false }],
      ['DELETE', '/api/v1/banks/SEC_BANK', undefined],
      ['POST', '/api/v1/banks/SEC_BANK/content', { signals: [{ signal_type: 'pdq', value: PDQ }] }],
      ['PUT', '/c/bank/SEC_BANK', { enabled: false }],
      ['POST', '/c/bank/SEC_BANK/signal', { pdq: PDQ }],
    ] as const) {
      const r = await api.call(method, url, body, other);
      expect(r.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await api.call('GET', '/api/v1/banks/SEC_BANK')).json()).toMatchObject({ matching_enabled: true, content_count: 0 });
  });

  it('/health and the API description need no token; nothing else does', async () => {
    expect((await api.call('GET', '/health', undefined, null)).statusCode).toBe(200);
    const spec = await api.call('GET', '/openapi.json', undefined, null);
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toContain('/api/v1/banks');
    expect((await api.call('GET', '/api/v1/nothing-here', undefined, null)).statusCode).toBe(401);
  });

  it.each([
    ['SQL in a bank name', 'POST', '/api/v1/banks', { name: "X'; DROP TABLE banks;--" }, 400, /name must match pattern/],
    ['SQL in a path', 'GET', `/api/v1/banks/${encodeURIComponent("SEC_BANK' OR '1'='1")}`, undefined, 400, /params\/name must match pattern/],
    ['SQL in an id', 'GET', '/api/v1/content/1%20OR%201=1', undefined, 400, /params\/id must be integer/],
    ['short hash', 'POST', '/api/v1/lookup', { signal_type: 'pdq', signal: 'abc' }, 400, /pdq must be 64 hex digits/],
    ['non-hex hash', 'POST', '/api/v1/lookup', { signal_type: 'pdq', signal: 'g'.repeat(64) }, 400, /pdq must be 64 hex digits/],
    ['unknown signal type', 'POST', '/api/v1/lookup', { signal_type: 'tlsh', signal: PDQ }, 400, /unknown signal type "tlsh"/],
    ['malformed JSON', 'POST', '/api/v1/banks', '{"name": "X",', 400, /JSON/],
    ['unknown field', 'POST', '/api/v1/banks', { name: 'OK_NAME', owner: 'me' }, 400, /additional properties/],
    [
      'bad classification',
      'POST',
      '/api/v1/banks/SEC_BANK/content',
      { signals: [{ signal_type: 'pdq', value: PDQ }], classification: 'vics:9' },
      400,
      /not a vics classification/,
    ],
  ] as const)('%s → %i with a clear message, nothing stored', async (_what, method, url, body, status, message) => {
    const before = await state();
    const r = await api.call(method, url, body, api.adminToken, typeof body === 'string' ? { 'content-type': 'application/json' } : {});
    expect(r.statusCode).toBe(status);
    expect(r.json().message).toMatch(message);
    expect(await state()).toBe(before);
  });

  it('refuses bodies over the limit with 413', async () => {
    const big = { signal_type: 'pdq', signal: 'a'.repeat(70 * 1024 * 1024) };
    const r = await api.call('POST', '/api/v1/lookup', big);
    expect(r.statusCode).toBe(413);
    expect(r.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('uploads that are not images get 400 with the reason; an image is hashed', async () => {
    const text = multipart('file', 'notes.jpg', Buffer.from('this is not an image'));
    const bad = await api.call('POST', '/api/v1/hash', text.payload, api.adminToken, text.headers);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'UPLOAD_INVALID', message: expect.stringMatching(/named like an image but the content is text/) });
    const truncated = multipart('file', 'x.jpg', readFileSync(join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg')).subarray(0, 5000));
    expect((await api.call('POST', '/api/v1/hash', truncated.payload, api.adminToken, truncated.headers)).json()).toMatchObject({
      code: 'UPLOAD_INVALID',
      message: expect.stringMatching(/truncated/),
    });
    const good = multipart('file', 'bridge.jpg', readFileSync(join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg')));
    const ok = await api.call('POST', '/api/v1/hash', good.payload, api.adminToken, good.headers);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().signals.pdq).toEqual({ value: PDQ, quality: 100 });
  });
});
