/**
 * Incident reports on both databases: drafts are checked, a finished report is immutable through
 * every route (and the database refuses it too), attempts are audited, supplements link to the
 * earlier report, exports are JSON and XML, and routing finds the country and its authority.
 */
import { XMLParser } from 'fast-xml-parser';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const report = (over: Record<string, unknown> = {}) => ({
  incident_type: 'child_pornography',
  incident_at: '2026-11-20T10:00:00Z',
  reported_user: { id: 'user-1', screen_name: 'someone', ip_capture_events: [{ ip: '193.99.144.80', event: 'upload', at: '2026-11-20T09:59:00Z' }] },
  files: [
    {
      file_name: 'a.jpg',
      hashes: { pdq: PDQ.toUpperCase(), md5: 'd41d8cd98f00b204e9800998ecf8427e' },
      classification: 'industry:A1',
      viewed_by_reporter: true,
    },
  ],
  additional_info: 'generated test report <no content> & nothing else',
  ...over,
});

describe.each(DIALECTS)('incident reports on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(dialect, { memberName: 'platform-nl', memberCountry: 'NL', reportFallbackPeer: 'secretariat' });
    const key = (n: number) => `ed25519:${Buffer.alloc(32, n).toString('base64')}`;
    for (const [name, country, kind, n] of [
      ['bka-de', 'DE', 'authority', 1],
      ['secretariat', 'FR', 'secretariat', 2],
    ] as const) {
      expect((await api.call('POST', '/api/v1/peers', { name, url: 'http://127.0.0.1:9', public_key: key(n), country, kind })).statusCode).toBe(201);
    }
  });
  afterAll(() => api.close());

  it('checks drafts and what a finished report must hold', async () => {
    const bad = await api.call('POST', '/api/v1/reports', { incident_type: 'something else' });
    expect([bad.statusCode, bad.json().code, bad.json().message]).toEqual([
      400,
      'REPORT_INVALID',
      expect.stringMatching(/^incident_type: one of child_pornography/),
    ]);
    const badIp = await api.call('POST', '/api/v1/reports', report({ reported_user: { ip_capture_events: [{ ip: 'localhost', event: 'upload' }] } }));
    expect(badIp.json().message).toMatch(/ip_capture_events\[0\]\.ip: an IPv4 or IPv6 address/);
    expect((await api.call('POST', '/api/v1/reports', report({ files: [{ hashes: {} }] }))).json().message).toMatch(/files\[0\]\.hashes: at least one hash/);
    expect((await api.call('POST', '/api/v1/reports', report({ unexpected: 1 }))).json().message).toMatch(/unknown field\(s\) unexpected/);
    const empty = (await api.call('POST', '/api/v1/reports', { incident_type: 'online_enticement' })).json();
    expect(empty.status).toBe('draft');
    const finish = await api.call('POST', `/api/v1/reports/${empty.id}/finish`);
    expect([finish.statusCode, finish.json().message]).toEqual([400, expect.stringMatching(/at least one file \(with a hash\) or one internet detail/)]);
    expect((await api.call('GET', `/api/v1/reports/${empty.id}`)).json().status).toBe('draft');
  });

  let finished: { id: number; uid: string };

  it('finishes, routes by IP to the registered authority as a referral, and queues the delivery', async () => {
    expect((await api.call('PUT', '/api/v1/routing/de', { peer: 'bka-de' })).json()).toEqual({ country: 'DE', destination: 'peer', peer: 'bka-de' });
    expect((await api.call('PUT', '/api/v1/routing/XX1', { peer: 'bka-de' })).statusCode).toBe(400);
    expect((await api.call('PUT', '/api/v1/routing/BE', { peer: 'nobody' })).json().code).toBe('ROUTING_INVALID');
    const unknownCountry = await api.call('PUT', '/api/v1/routing/XX', { peer: 'bka-de' });
    expect([unknownCountry.statusCode, unknownCountry.json().message]).toEqual([400, '"XX" is not an ISO 3166-1 alpha-2 country code']);
    const badHint = await api.call('POST', '/api/v1/reports', report({ reported_user: { country: 'QQ' } }));
    expect([badHint.statusCode, badHint.json().message]).toEqual([400, 'reported_user.country: "QQ" is not an ISO 3166-1 alpha-2 country code (in capitals)']);
    const draft = (await api.call('POST', '/api/v1/reports', report())).json();
    expect(draft.uid).toBe(`platform-nl/${draft.id}`);
    expect(draft.files[0].hashes.pdq).toBe(PDQ); // canonical
    const done = (await api.call('POST', `/api/v1/reports/${draft.id}/finish`)).json();
    expect(done).toMatchObject({
      status: 'finished',
      country: 'DE',
      routing_basis: 'ip',
      kind: 'referral',
      routed_to: 'bka-de',
      destination: 'peer',
      delivery: { state: 'pending' },
    });
    const jobs = await api.node.store.db.selectFrom('jobs').select(['kind', 'payload']).where('kind', '=', 'report.deliver').execute();
    expect(jobs.map((j) => JSON.parse(j.payload))).toContainEqual({ report_id: draft.id });
    finished = done;
    // The authority's node is down: the delivery fails, is kept for a retry, and can be queued again.
    await api.node.jobs.tick();
    expect((await api.call('GET', `/api/v1/reports/${draft.id}`)).json().delivery).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/cannot reach peer bka-de/),
    });
    const again = await api.call('POST', `/api/v1/reports/${draft.id}/deliver`);
    expect(again.json().delivery).toEqual({ state: 'pending', error: null });
    expect((await api.call('POST', `/api/v1/reports/${(await api.call('POST', '/api/v1/reports', report())).json().id}/deliver`)).json().code).toBe(
      'REPORT_INVALID',
    ); // a draft
  });

  it('a finished report cannot be changed through any route, and every attempt is audited', async () => {
    for (const [method, url, body] of [
      ['PUT', `/api/v1/reports/${finished.id}`, report({ additional_info: 'changed' })],
      ['PATCH', `/api/v1/reports/${finished.id}`, report({ additional_info: 'changed' })],
      ['DELETE', `/api/v1/reports/${finished.id}`, undefined],
      ['POST', `/api/v1/reports/${finished.id}/finish`, undefined],
    ] as const) {
      const r = await api.call(method, url, body);
      expect([method, r.statusCode, r.json().code]).toEqual([method, 409, 'REPORT_FINISHED']);
    }
    // Nor by writing to the database directly: the database refuses it.
    await expect(sql`update incident_reports set body = '{}' where id = ${finished.id}`.execute(api.node.store.db)).rejects.toThrow(/REPORT_FINISHED/);
    await expect(sql`delete from incident_reports where id = ${finished.id}`.execute(api.node.store.db)).rejects.toThrow(/REPORT_FINISHED/);
    const after = (await api.call('GET', `/api/v1/reports/${finished.id}`)).json();
    expect(after.additional_info).toBe('generated test report <no content> & nothing else');
    const refused = (await api.call('GET', '/api/v1/audit?limit=500')).json().entries.filter((e: { action: string }) => e.action === 'report.change_refused');
    expect(refused.map((e: { target: string; detail: { attempted: string } }) => [e.target, e.detail.attempted])).toEqual(
      expect.arrayContaining([
        [finished.uid, 'update'],
        [finished.uid, 'delete'],
        [finished.uid, 'finish'],
      ]),
    );
  });

  it('a supplement links to the earlier report', async () => {
    const sup = await api.call('POST', `/api/v1/reports/${finished.id}/supplement`);
    expect(sup.statusCode).toBe(201);
    expect(sup.json()).toMatchObject({ status: 'draft', prior_uid: finished.uid, incident_type: 'child_pornography' });
    const changed = (await api.call('PUT', `/api/v1/reports/${sup.json().id}`, report({ additional_info: 'a second upload by the same user' }))).json();
    expect(changed.additional_info).toBe('a second upload by the same user');
  });

  it('exports as JSON and XML', async () => {
    const json = await api.call('GET', `/api/v1/reports/${finished.id}/export`);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(json.body)).toMatchObject({ uid: finished.uid, files: [{ hashes: { pdq: PDQ } }] });
    const xml = await api.call('GET', `/api/v1/reports/${finished.id}/export?format=xml`);
    expect(xml.headers['content-type']).toMatch(/application\/xml/);
    const doc = new XMLParser({ parseTagValue: false }).parse(xml.body);
    expect(doc.report.meta).toMatchObject({ uid: finished.uid, kind: 'referral', country: 'DE' });
    expect(doc.report.incident).toMatchObject({
      incidentType: 'child_pornography',
      additionalInfo: 'generated test report <no content> & nothing else',
      reportedUser: { ipCaptureEvent: { ip: '193.99.144.80', event: 'upload' } },
    });
    expect(doc.report.file).toMatchObject({ fileName: 'a.jpg', classification: 'industry:A1', hash: expect.arrayContaining([{ type: 'pdq', value: PDQ }]) });
  });

  it.each([
    [
      'no authority for the country: the fall-back contact, informational',
      report({ reported_user: { ip_capture_events: [{ ip: '8.8.8.8', event: 'login' }] } }),
      { country: 'US', routing_basis: 'ip', routed_to: 'secretariat', kind: 'informational' },
    ],
    [
      "the account's country when no IP locates",
      report({ reported_user: { country: 'DE', ip_capture_events: [{ ip: '10.1.2.3', event: 'upload' }] } }),
      { country: 'DE', routing_basis: 'account', routed_to: 'bka-de', kind: 'referral' },
    ],
    [
      "the URL's hosting when the user says nothing",
      report({ reported_user: undefined, files: [{ hashes: { md5: 'a'.repeat(32) }, location_url: 'http://193.99.144.80/x.jpg' }] }),
      { country: 'DE', routing_basis: 'url', routed_to: 'bka-de', kind: 'informational' },
    ],
  ])('routes by %s', async (_what, body, expected) => {
    const d = (await api.call('POST', '/api/v1/reports', body)).json();
    expect((await api.call('POST', `/api/v1/reports/${d.id}/finish`)).json()).toMatchObject(expected);
  });
});
