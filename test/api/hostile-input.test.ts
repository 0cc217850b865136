/**
 * Bad input that used to be a 500 (or was silently coerced) is a 400 with a clear message and
 * changes nothing, on both databases: NUL in any text, JSON nested thousands deep, prototype names
 * as HMA signal types, scalar HMA bodies, malformed multipart on every upload route, scalars of
 * the wrong type, out-of-range thresholds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.js';
import { startApi, type TestApi } from '../support/api.js';
import { PDQ_IMAGES } from '../support/paths.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const NUL = 'bad\u0000text';

/** Every route that takes an uploaded file. */
const UPLOAD_ROUTES = [
  '/api/v1/hash',
  '/api/v1/lookup/upload',
  '/api/v1/submissions/upload',
  '/api/v1/banks/HOSTILE/content/upload',
  '/h/hash',
  '/m/lookup',
  '/c/bank/HOSTILE/content',
];

/** JSON text nested `levels` deep (JSON.stringify itself would overflow the stack). */
const deepText = (levels: number) => `${'{"x":'.repeat(levels)}"leaf"${'}'.repeat(levels)}`;

function deep(levels: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = { x: v };
  return v;
}

describe.each(DIALECTS)('hostile input on %s', (dialect) => {
  let api: TestApi;
  let contentId: number;
  const image = readFileSync(join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg'));

  beforeAll(async () => {
    api = await startApi(dialect);
    expect((await api.call('POST', '/api/v1/banks', { name: 'HOSTILE' })).statusCode).toBe(201);
    const c = await api.call('POST', '/api/v1/banks/HOSTILE/content', { signals: [{ signal_type: 'pdq', value: PDQ }] });
    expect(c.statusCode).toBe(201);
    contentId = c.json().id;
  });
  afterAll(() => api.close());

  const banks = async () => JSON.stringify((await api.call('GET', '/api/v1/banks')).json());

  it.each([
    ['bank description', 'POST', '/api/v1/banks', { name: 'NUL_BANK', description: NUL }],
    ['bank name', 'POST', '/api/v1/banks', { name: `NUL${'\u0000'}` }],
    ['content note', 'POST', '/api/v1/banks/HOSTILE/content', { signals: [{ signal_type: 'md5', value: 'a'.repeat(32) }], note: NUL }],
    ['content tag', 'POST', '/api/v1/banks/HOSTILE/content', { signals: [{ signal_type: 'md5', value: 'b'.repeat(32) }], tags: ['ok', NUL] }],
    ['metadata key', 'POST', '/api/v1/banks/HOSTILE/content', { signals: [{ signal_type: 'md5', value: 'c'.repeat(32) }], metadata: { [NUL]: 1 } }],
    ['series name', 'POST', '/api/v1/series', { name: NUL }],
    ['token label', 'POST', '/api/v1/tokens', { member: 'local', role: 'matcher', label: NUL }],
    ['submission external_id', 'POST', '/api/v1/submissions', { signals: { pdq: PDQ }, external_id: NUL }],
    [
      'help entry name',
      'POST',
      '/api/v1/help-directory',
      { country: 'BE', kind: 'hotline', name: NUL, channels: [{ type: 'web', value: 'https://hotline.example' }] },
    ],
    ['HMA bank name', 'POST', '/c/banks', { name: NUL }],
    ['query parameter', 'GET', `/m/raw_lookup?signal_type=pdq&signal=${encodeURIComponent(NUL)}`, undefined],
  ] as const)('refuses a NUL in %s with a 400 naming the field, storing nothing', async (_what, method, url, body) => {
    const before = await banks();
    const r = await api.call(method, url, body);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().code).toBe('VALIDATION');
    expect(r.json().message).toMatch(/NUL/);
    expect(await banks()).toBe(before);
  });

  it('refuses a NUL in a multipart form field', async () => {
    const boundary = 'xNULx';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="external_id"\r\n\r\n${NUL}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      image,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const r = await api.app.inject({
      method: 'POST',
      url: '/api/v1/submissions/upload',
      payload,
      headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().message).toMatch(/NUL/);
  });

  it('refuses JSON nested thousands deep before parsing it, and metadata deeper than its limit', async () => {
    const before = await banks();
    const r = await api.call(
      'POST',
      '/api/v1/banks/HOSTILE/content',
      `{"signals":[{"signal_type":"md5","value":"${'d'.repeat(32)}"}],"metadata":${deepText(4200)}}`,
      undefined,
      { 'content-type': 'application/json' },
    );
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().message).toMatch(/nested more than 32 levels/);
    const m = await api.call('POST', '/api/v1/banks/HOSTILE/content', {
      signals: [{ signal_type: 'md5', value: 'e'.repeat(32) }],
      metadata: deep(20) as Record<string, unknown>,
    });
    expect(m.statusCode, m.body).toBe(400);
    expect(m.json().message).toMatch(/metadata.*16 levels/);
    const big = await api.call('PATCH', `/api/v1/content/${contentId}`, { metadata: { blob: 'x'.repeat(70 * 1024) } });
    expect(big.statusCode, big.body).toBe(400);
    expect(big.json().message).toMatch(/65,536 bytes/);
    const hma = await api.call('POST', '/c/bank/HOSTILE/signal', `{"pdq":"${PDQ}","note":${deepText(5000)}}`, undefined, {
      'content-type': 'application/json',
    });
    expect(hma.statusCode).toBe(400);
    expect(await banks()).toBe(before);
    // The OpenAPI document states the limits.
    const doc = JSON.stringify((await api.call('GET', '/openapi.json')).json());
    expect(doc).toMatch(/at most 16 levels deep and 64 KiB/);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'])('answers HMA signal_type=%s with 400', async (name) => {
    for (const path of ['/m/lookup', '/m/raw_lookup']) {
      const r = await api.call('GET', `${path}?signal_type=${name}&signal=${PDQ}`);
      expect(r.statusCode, `${path}: ${r.body}`).toBe(400);
      expect(r.json().message).toMatch(/SignalType/);
    }
    const c = await api.call('POST', '/m/compare', JSON.stringify({ [name]: [PDQ, PDQ] }), undefined, { 'content-type': 'application/json' });
    expect(c.statusCode, c.body).toBe(400);
    const upload = await api.call('GET', `/h/hash?url=http://example.invalid/a.jpg&content_type=${name}`);
    expect(upload.statusCode).toBeGreaterThanOrEqual(400);
    expect(upload.statusCode).toBeLessThan(500);
  });

  it.each(['"x"', '1', 'true', '[1]', 'null'])('answers HMA PUT content with the body %s with a 400 (null: no change)', async (body) => {
    const r = await api.call('PUT', `/c/bank/HOSTILE/content/${contentId}`, body, undefined, { 'content-type': 'application/json' });
    if (body === 'null') expect(r.statusCode).toBe(200);
    else {
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().message).toMatch(/JSON object/);
    }
  });

  it.each(UPLOAD_ROUTES)('answers malformed multipart on %s with a 4xx, never a 500', async (url) => {
    const field = url.startsWith('/m/') || url.startsWith('/h/') || url.startsWith('/c/') ? 'photo' : 'file';
    const part = (b: string) =>
      Buffer.concat([Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${field}"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`), image]);
    const cases: Array<[string, Buffer, string]> = [
      ['no boundary', part('abc'), 'multipart/form-data'],
      ['wrong boundary', Buffer.concat([part('abc'), Buffer.from('\r\n--abc--\r\n')]), 'multipart/form-data; boundary=zzz'],
      ['cut before the closing boundary', part('abc'), 'multipart/form-data; boundary=abc'],
      ['malformed part header', Buffer.from('--abc\r\nthis is not a header\r\n\r\nxyz\r\n--abc--\r\n'), 'multipart/form-data; boundary=abc'],
      ['empty body', Buffer.alloc(0), 'multipart/form-data; boundary=abc'],
    ];
    for (const [what, payload, type] of cases) {
      const r = await api.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': type } });
      expect(r.statusCode, `${what}: ${r.body}`).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, `${what}: ${r.body}`).toBeLessThan(500);
      expect(typeof r.json().message).toBe('string');
    }
  });

  it('refuses scalars of the wrong type instead of coercing them', async () => {
    const before = await banks();
    for (const body of [{ name: 12345 }, { name: true }, { name: ['X'] }]) {
      const r = await api.call('POST', '/api/v1/banks', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(await banks()).toBe(before);
    for (const uploaded_at of [-5, '-5', 'March 7', 1.5, '2026-02-31']) {
      const r = await api.call('POST', '/api/v1/submissions', { signals: { pdq: PDQ }, uploaded_at });
      expect(r.statusCode, `uploaded_at ${JSON.stringify(uploaded_at)}: ${r.body}`).toBe(400);
    }
    expect((await api.call('POST', '/api/v1/submissions', { signals: { pdq: PDQ }, uploaded_at: '2026-01-02T03:04:05Z' })).statusCode).toBe(201);
    // Query strings are text by nature: they still convert.
    expect((await api.call('GET', '/api/v1/audit?limit=5')).statusCode).toBe(200);
  });

  it('refuses compare thresholds a lookup would refuse', async () => {
    for (const threshold of [65, 1e308, 'Infinity', -1, '31']) {
      const r = await api.call('POST', '/api/v1/compare', { signal_type: 'pdq', a: PDQ, b: PDQ, threshold });
      expect(r.statusCode, `threshold ${threshold}: ${r.body}`).toBe(400);
    }
    const ok = await api.call('POST', '/api/v1/compare', { signal_type: 'pdq', a: PDQ, b: PDQ, threshold: 64 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ match: true, distance: 0, threshold: 64 });
    expect((await api.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: PDQ, threshold: 65 })).statusCode).toBe(400);
  });
});
