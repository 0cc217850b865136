/**
 * Series and victims on both databases: a series is opened, searched, linked to bank content (and
 * a lookup then names it), moves forward through its statuses; a victim is recorded with a
 * pseudonymous id only (a name is refused) and referred to a support service of the directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

describe.each(DIALECTS)('series and victims on %s', (dialect) => {
  let api: TestApi;
  let series: { id: number; uid: string };
  let content: number;

  beforeAll(async () => {
    api = await startApi(dialect, { memberName: 'police-be', memberCountry: 'BE', memberKind: 'authority' });
    await api.call('POST', '/api/v1/banks', { name: 'KNOWN' });
    content = (await api.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'pdq', value: PDQ }], classification: 'industry:A1' })).json()
      .id;
  });
  afterAll(() => api.close());

  it('opens and searches series; only case workers may', async () => {
    const created = await api.call('POST', '/api/v1/series', {
      name: 'Blue Room',
      agency: 'Federal Police, child protection unit',
      contact_point: 'vid-unit@police.example',
      notes: 'restricted: stays on this node',
      first_seen: '2025-03-01',
    });
    expect(created.statusCode, created.body).toBe(201);
    series = created.json();
    expect(series).toMatchObject({
      uid: `police-be/series/${series.id}`,
      name: 'Blue Room',
      owner: { member: 'police-be', country: 'BE', agency: 'Federal Police, child protection unit' },
      own: true,
      status: 'unidentified',
      first_seen_at: '2025-03-01T00:00:00.000Z',
      victims_identified: 0,
    });
    await api.call('POST', '/api/v1/series', { name: 'Garden 100%' });
    expect((await api.call('GET', '/api/v1/series?q=blue')).json().series.map((s: { name: string }) => s.name)).toEqual(['Blue Room']);
    expect((await api.call('GET', '/api/v1/series?q=100%25')).json().series.map((s: { name: string }) => s.name)).toEqual(['Garden 100%']);
    expect((await api.call('GET', `/api/v1/series?q=series/${series.id}`)).json().series).toHaveLength(1);
    expect((await api.call('GET', '/api/v1/series?status=closed')).json().series).toEqual([]);
    expect((await api.call('POST', '/api/v1/series', { name: '' })).statusCode).toBe(400);
    expect((await api.call('POST', '/api/v1/series', { name: 'x', first_seen: '2999-01-01' })).json().code).toBe('SERIES_INVALID');
    const matcher = await api.tokenFor('matcher');
    expect((await api.call('GET', '/api/v1/series', undefined, matcher)).statusCode).toBe(403);
  });

  it('links bank content; a lookup then names the series', async () => {
    expect((await api.call('POST', `/api/v1/series/${series.id}/content`, { content_ids: [content] })).json()).toEqual({ series: series.uid, linked: 1 });
    expect((await api.call('POST', `/api/v1/series/${series.id}/content`, { content_ids: [content] })).json()).toEqual({ series: series.uid, linked: 0 });
    const missing = await api.call('POST', `/api/v1/series/${series.id}/content`, { content_ids: [99_999] });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'CONTENT_NOT_FOUND']);
    const hit = (await api.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: PDQ })).json();
    expect(hit.matches[0].series).toEqual([{ uid: series.uid, name: 'Blue Room', status: 'unidentified', owner_member: 'police-be', victims: 0 }]);
    expect((await api.call('GET', `/api/v1/series/${series.id}`)).json()).toMatchObject({ content_ids: [content], notes: 'restricted: stays on this node' });
  });

  it('records a victim pseudonymously, with a referral; the status follows', async () => {
    const tooEarly = await api.call('PATCH', `/api/v1/series/${series.id}`, { status: 'victim_identified' });
    expect(tooEarly.json().message).toMatch(/record the identified victim/);
    const badService = await api.call('POST', '/api/v1/support-services', { country: 'XX', name: 'x', kind: 'victim_support', contact: 'x' });
    expect([badService.statusCode, badService.json().code]).toEqual([400, 'SERVICE_INVALID']);
    const service = (
      await api.call('POST', '/api/v1/support-services', {
        country: 'be',
        name: 'Child Focus',
        kind: 'victim_support',
        contact: 'https://childfocus.example',
        languages: ['nl', 'FR'],
      })
    ).json();
    expect(service).toMatchObject({ country: 'BE', languages: ['nl', 'fr'] });
    expect((await api.call('GET', '/api/v1/support-services?country=BE')).json().services).toHaveLength(1);

    const named = await api.call('POST', `/api/v1/series/${series.id}/victims`, { identified_on: '2026-11-20', name: 'anyone' });
    expect([named.statusCode, named.json().message]).toEqual([400, expect.stringMatching(/additional properties/)]);
    const victim = await api.call('POST', `/api/v1/series/${series.id}/victims`, { identified_on: '2026-11-20', service_id: service.id });
    expect(victim.statusCode, victim.body).toBe(201);
    expect(victim.json()).toMatchObject({
      uid: expect.stringMatching(/^police-be\/victim\/[0-9a-f]{12}$/),
      series: series.uid,
      identified_on: '2026-11-20',
      identified_by: 'police-be',
    });
    const second = (await api.call('POST', `/api/v1/series/${series.id}/victims`, {})).json();
    expect((await api.call('POST', `/api/v1/victims/${second.id}/referrals`, { service_id: service.id, referred_on: '2026-11-21' })).json()).toEqual({
      victim: second.uid,
      service: 'Child Focus',
      country: 'BE',
      referred_on: '2026-11-21',
    });
    const detail = (await api.call('GET', `/api/v1/series/${series.id}`)).json();
    expect(detail).toMatchObject({ status: 'victim_identified', victims_identified: 2, victim_identified_at: expect.any(String) });
    expect(detail.victims.map((v: { referrals: unknown[] }) => v.referrals)).toEqual([
      [{ service: 'Child Focus', country: 'BE', referred_on: '2026-11-20', referred_by: expect.any(String) }],
      [{ service: 'Child Focus', country: 'BE', referred_on: '2026-11-21', referred_by: expect.any(String) }],
    ]);
    expect(JSON.stringify(detail.victims)).not.toMatch(/name/i);
    expect((await api.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: PDQ })).json().matches[0].series[0]).toMatchObject({
      status: 'victim_identified',
      victims: 2,
    });
  });

  it('moves forward only: offender identified, closed, and no way back', async () => {
    expect((await api.call('PATCH', `/api/v1/series/${series.id}`, { status: 'offender_identified' })).json()).toMatchObject({
      status: 'offender_identified',
      offender_identified_at: expect.any(String),
    });
    expect((await api.call('PATCH', `/api/v1/series/${series.id}`, { status: 'unidentified' })).json().message).toMatch(/does not go back/);
    expect((await api.call('PATCH', `/api/v1/series/${series.id}`, { status: 'closed', notes: null })).json()).toMatchObject({
      status: 'closed',
      closed_at: expect.any(String),
      notes: null,
    });
    expect((await api.call('PATCH', `/api/v1/series/${series.id}`, { status: 'victim_identified' })).json().message).toMatch(/is closed/);
    expect((await api.call('POST', `/api/v1/series/${series.id}/victims`, {})).json().code).toBe('SERIES_INVALID');
    const audit = (await api.call('GET', '/api/v1/audit?limit=200')).json().entries.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['series.create', 'series.link', 'victim.identify', 'victim.refer', 'series.update']));
  });
});
