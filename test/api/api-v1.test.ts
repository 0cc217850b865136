/** Alliance's own API under /api/v1, on both databases. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.js';
import { multipart, startApi, type TestApi } from '../support/api.js';
import { PDQ_IMAGES } from '../support/paths.js';

const BRIDGE = join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg');
const BRIDGE_PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const SHRUNK = join(PDQ_IMAGES, 'bridge-mods', 'shrink-a-lot.jpg');

describe.each(DIALECTS)('/api/v1 on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(dialect);
  });
  afterAll(() => api.close());

  it('curates banks and content end to end', async () => {
    expect((await api.call('POST', '/api/v1/banks', { name: 'KNOWN', description: 'known material' })).statusCode).toBe(201);
    expect((await api.call('POST', '/api/v1/banks', { name: 'KNOWN' })).json()).toMatchObject({ code: 'BANK_EXISTS' });
    expect((await api.call('POST', '/api/v1/banks', { name: 'KNOWN' })).statusCode).toBe(409);
    const form = multipart('file', 'bridge.jpg', readFileSync(BRIDGE), { classification: 'industry:B2', tags: 'series-1, demo', note: 'uploaded' });
    const up = await api.call('POST', '/api/v1/banks/KNOWN/content/upload', form.payload, api.adminToken, form.headers);
    expect(up.statusCode).toBe(201);
    const content = up.json();
    expect(content).toMatchObject({
      bank: 'KNOWN',
      tags: ['series-1', 'demo'],
      note: 'uploaded',
      enabled: true,
      classification: { scheme: 'industry', value: 'B2', uk: 'C', legal: 'national' },
    });
    expect(content.signals.map((s: { signal_type: string }) => s.signal_type)).toEqual(['pdq', 'md5', 'sha1', 'sha256']);
    const list = (await api.call('GET', '/api/v1/banks/KNOWN/content?limit=10')).json();
    expect(list.content.map((c: { id: number }) => c.id)).toEqual([content.id]);
    const bank = (await api.call('GET', '/api/v1/banks/KNOWN')).json();
    expect(bank).toMatchObject({ content_count: 1, signal_counts: { pdq: 1, md5: 1, sha1: 1, sha256: 1 } });

    const until = new Date(Date.now() + 86_400_000).toISOString();
    expect((await api.call('PATCH', `/api/v1/content/${content.id}`, { disabled_until: until, tags: ['x'] })).json()).toMatchObject({
      enabled: false,
      tags: ['x'],
    });
    expect((await api.call('PATCH', `/api/v1/content/${content.id}`, { disabled_until: null })).json()).toMatchObject({ enabled: true });
    // null clears a field (it is not coerced to "" on the way in).
    expect((await api.call('PATCH', `/api/v1/content/${content.id}`, { note: null, classification: null })).json()).toMatchObject({
      note: null,
      classification: null,
    });
    expect((await api.call('PUT', '/api/v1/banks/KNOWN/quarantine', { threshold: 2 })).json()).toEqual({ bank: 'KNOWN', quarantine_threshold: 2 });
    expect((await api.call('PUT', '/api/v1/banks/KNOWN/quarantine', { threshold: null })).json()).toEqual({ bank: 'KNOWN', quarantine_threshold: null });
    expect((await api.call('PATCH', '/api/v1/banks/KNOWN', { name: 'KNOWN_V2', enabled_ratio: 0.5 })).json()).toMatchObject({
      name: 'KNOWN_V2',
      enabled_ratio: 0.5,
    });
    expect((await api.call('GET', '/api/v1/banks/KNOWN')).statusCode).toBe(404);
    const md5 = content.signals.find((s: { signal_type: string }) => s.signal_type === 'md5');
    expect((await api.call('DELETE', `/api/v1/signals/${md5.id}`)).statusCode).toBe(204);
    expect((await api.call('GET', `/api/v1/content/${content.id}`)).json().signals).toHaveLength(3);
    expect((await api.call('DELETE', `/api/v1/content/${content.id}`)).json()).toEqual({ signals_removed: 3 });
    expect((await api.call('GET', `/api/v1/content/${content.id}`)).statusCode).toBe(404);
  });

  it('looks up hashes and uploads with explanations; negative banks suppress', async () => {
    await api.call('POST', '/api/v1/banks', { name: 'CSAM' });
    await api.call('POST', '/api/v1/banks', { name: 'ALLOW', kind: 'negative' });
    const c = (await api.call('POST', '/api/v1/banks/CSAM/content', { signals: [{ signal_type: 'pdq', value: BRIDGE_PDQ }], classification: 'A1' })).json();
    const hit = (await api.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: BRIDGE_PDQ })).json();
    expect(hit.matches).toMatchObject([{ bank: 'CSAM', content_id: c.id, distance: 0, classification: { legal: 'baseline' } }]);
    // A loose threshold would list the bank to anyone with a lookup token.
    const loose = await api.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: BRIDGE_PDQ, threshold: 256 });
    expect([loose.statusCode, loose.json().message]).toEqual([400, 'threshold for pdq is at most 64']);
    expect((await api.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: BRIDGE_PDQ, threshold: 64 })).statusCode).toBe(200);
    // An upload of a resized copy matches through its PDQ.
    const form = multipart('file', 'small.jpg', readFileSync(SHRUNK));
    const viaUpload = (await api.call('POST', '/api/v1/lookup/upload?types=pdq', form.payload, api.adminToken, form.headers)).json();
    expect(viaUpload.results[0]).toMatchObject({ signal_type: 'pdq', matches: [{ bank: 'CSAM', content_id: c.id }] });
    expect(viaUpload.results[0].matches[0].distance).toBeGreaterThan(0);

    const allow = (await api.call('POST', '/api/v1/banks/ALLOW/content', { signals: [{ signal_type: 'pdq', value: BRIDGE_PDQ }] })).json();
    const suppressed = (await api.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: BRIDGE_PDQ })).json();
    expect(suppressed.matches).toEqual([]);
    expect(suppressed.suppressed).toMatchObject([{ bank: 'CSAM', suppressed_by: { bank: 'ALLOW', content_id: allow.id } }]);
    expect(suppressed.explanation.join(' ')).toMatch(/suppressed: the content is on negative bank ALLOW/);
    expect((await api.call('POST', '/api/v1/compare', { signal_type: 'pdq', a: BRIDGE_PDQ, b: '0'.repeat(64) })).json()).toMatchObject({
      match: false,
      threshold: 31,
    });
  });

  it('imports CSV through a durable background job, all or nothing', async () => {
    await api.call('POST', '/api/v1/banks', { name: 'IMPORTED' });
    const csv = { 'content-type': 'text/csv' };
    const good = await api.call(
      'POST',
      '/api/v1/banks/IMPORTED/import',
      `signal_type,signal,classification,tags\npdq,${'c'.repeat(64)},vics:1,a;b\nmd5,${'d'.repeat(32)},,\n`,
      api.adminToken,
      csv,
    );
    expect(good.statusCode).toBe(202);
    const bad = await api.call('POST', '/api/v1/banks/IMPORTED/import', `signal_type,signal\npdq,zz\n`, api.adminToken, csv);
    await api.node.jobs.tick();
    expect((await api.call('GET', good.json().status_url)).json()).toMatchObject({ state: 'done', result: { contents: 2 } });
    expect((await api.call('GET', bad.json().status_url)).json()).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/nothing was imported[\s\S]*line 2/),
    });
    expect((await api.call('GET', '/api/v1/banks/IMPORTED')).json()).toMatchObject({ content_count: 2, signal_counts: { pdq: 1, md5: 1 } });
    // Another member's curator may neither queue an import into the bank nor read the job.
    const other = await api.tokenFor('curator', 'importer-elsewhere');
    expect((await api.call('POST', '/api/v1/banks/IMPORTED/import', 'signal_type,signal\n', other, csv)).statusCode).toBe(403);
    expect((await api.call('GET', good.json().status_url, undefined, other)).statusCode).toBe(404);
    // Jobs need a permission: the browser's checker token (and a matcher's) may not read them.
    for (const role of ['checker', 'matcher', 'auditor'])
      expect((await api.call('GET', bad.json().status_url, undefined, await api.tokenFor(role, 'job-watchers'))).statusCode, role).toBe(403);
    // No error shown to a client names a server path.
    const failedJob = (await api.call('GET', bad.json().status_url)).json();
    expect(JSON.stringify(failedJob)).not.toContain(api.env.dataDir);
    expect(JSON.stringify(failedJob)).not.toMatch(/\/tmp\/|imports\//);
  });

  it('manages members and tokens; a revoked token stops working at once', async () => {
    expect((await api.call('POST', '/api/v1/members', { name: 'hotline-fr', kind: 'hotline', country: 'fr' })).json()).toMatchObject({
      name: 'hotline-fr',
      country: 'FR',
    });
    const t = (await api.call('POST', '/api/v1/tokens', { member: 'hotline-fr', role: 'matcher', label: 'edge' })).json();
    expect(t.token).toMatch(/^alli_/);
    expect((await api.call('GET', '/api/v1/whoami', undefined, t.token)).json()).toEqual({
      member: 'hotline-fr',
      role: 'matcher',
      token_id: t.id,
      permissions: ['hash', 'lookup', 'index.read', 'submit', 'check'],
    });
    const listed = (await api.call('GET', '/api/v1/tokens?member=hotline-fr')).json().tokens;
    expect(listed).toMatchObject([{ id: t.id, prefix: t.prefix, role: 'matcher', revoked_at: null }]);
    expect(JSON.stringify(listed)).not.toContain(t.token);
    expect((await api.call('DELETE', `/api/v1/tokens/${t.id}`)).statusCode).toBe(204);
    expect((await api.call('GET', '/api/v1/whoami', undefined, t.token)).statusCode).toBe(401);
  });

  it('audits writes and lookups in a verifiable chain; exposes index status and metrics', async () => {
    await api.node.audit.flush();
    const entries = (await api.call('GET', '/api/v1/audit?limit=200')).json().entries;
    const actions = new Set(entries.map((e: { action: string }) => e.action));
    for (const a of ['bank.create', 'content.create', 'lookup', 'lookup.upload', 'token.revoke']) expect(actions).toContain(a);
    expect((await api.call('GET', '/api/v1/audit/verify')).json()).toMatchObject({ ok: true });
    const index = (await api.call('GET', '/api/v1/index')).json();
    expect(index).toMatchObject({ ready: true, types: { pdq: { size: 3 } } });
    const metrics = (await api.call('GET', '/metrics')).body;
    expect(metrics).toMatch(/alliance_lookups_total\{signal_type="pdq",outcome="match"\} \d+/);
    expect(metrics).toMatch(/alliance_http_request_duration_seconds_bucket/);
    expect(metrics).toMatch(/alliance_index_size\{signal_type="pdq"\} 3/);
    expect(metrics).toMatch(/alliance_errors_total\{code="BANK_EXISTS"\} 2/);
    const snap = (await api.call('POST', '/api/v1/index/snapshot')).json();
    expect(snap.files).toBe(6); // one per signal type
  });
});
