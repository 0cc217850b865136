/**
 * The help directory: every member country starts with a placeholder per kind (no contact
 * channel: nothing invented), curators fill entries, bad entries are refused, matchers read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLIANCE_COUNTRIES } from '../../src/geo/alliance-countries.js';
import { HELP_KINDS } from '../../src/awareness/help-directory.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

describe.each(DIALECTS)('help directory on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(dialect);
  });
  afterAll(() => api.close());

  it('starts with a placeholder per member country and kind, and no invented contact', async () => {
    const entries = (await api.call('GET', '/api/v1/help-directory')).json().entries;
    const all = entries.filter((e: { country: string }) => e.country !== 'ZZ');
    expect(all).toHaveLength(ALLIANCE_COUNTRIES.length * HELP_KINDS.length);
    // The international fall-back (ZZ): real services by their public website, no phone number.
    const international = entries.filter((e: { country: string }) => e.country === 'ZZ');
    expect(international.map((e: { kind: string }) => e.kind).sort()).toEqual(['child_helpline', 'hotline', 'offender_prevention', 'victim_support']);
    expect(
      international.every((e: { status: string; channels: Array<{ type: string }> }) => e.status === 'curated' && e.channels.every((c) => c.type === 'web')),
    ).toBe(true);
    expect(ALLIANCE_COUNTRIES).toHaveLength(55);
    expect(all.every((e: { status: string; channels: unknown[] }) => e.status === 'placeholder' && e.channels.length === 0)).toBe(true);
    const be = (await api.call('GET', '/api/v1/help-directory?country=be')).json().entries;
    expect(be.map((e: { kind: string }) => e.kind)).toEqual([...HELP_KINDS].sort());
  });

  it('lets a curator fill an entry and add one; refuses bad ones; matchers read, do not write', async () => {
    const [helpline] = (await api.call('GET', '/api/v1/help-directory?country=BE&kind=child_helpline')).json().entries;
    const curator = await api.tokenFor('curator');
    const filled = await api.call(
      'PATCH',
      `/api/v1/help-directory/${helpline.id}`,
      { name: 'Example helpline', languages: ['nl', 'fr'], hours: '24/7', channels: [{ type: 'web', value: 'https://helpline.example' }] },
      curator,
    );
    expect(filled.json(), filled.body).toMatchObject({
      status: 'curated',
      name: 'Example helpline',
      languages: ['nl', 'fr'],
      channels: [{ type: 'web', value: 'https://helpline.example' }],
    });
    const added = await api.call(
      'POST',
      '/api/v1/help-directory',
      { country: 'be', kind: 'victim_support', name: 'Second service', channels: [{ type: 'email', value: 'help@support.example' }] },
      curator,
    );
    expect([added.statusCode, added.json().uid]).toEqual([201, expect.stringMatching(/^local\/help\/\d+$/)]);
    for (const [body, message] of [
      [{ channels: [{ type: 'web', value: 'javascript:alert(1)' }] }, /http\(s\) address/],
      [{ languages: ['english'] }, /language codes/],
      [{ name: '   ' }, /name: 1 to 200/],
    ] as const) {
      const r = await api.call('PATCH', `/api/v1/help-directory/${helpline.id}`, body, curator);
      expect([r.statusCode, r.json().message]).toEqual([400, expect.stringMatching(message)]);
    }
    expect((await api.call('POST', '/api/v1/help-directory', { country: 'XX', kind: 'police', name: 'x' }, curator)).json().code).toBe('HELP_ENTRY_INVALID');
    const matcher = await api.tokenFor('matcher');
    expect((await api.call('GET', '/api/v1/help-directory?country=BE', undefined, matcher)).json().entries).toHaveLength(HELP_KINDS.length + 1);
    expect((await api.call('PATCH', `/api/v1/help-directory/${helpline.id}`, { name: 'y' }, matcher)).statusCode).toBe(403);
    expect((await api.call('DELETE', `/api/v1/help-directory/${added.json().id}`, undefined, curator)).statusCode).toBe(204);
    expect((await api.call('DELETE', `/api/v1/help-directory/${added.json().id}`, undefined, curator)).json().code).toBe('HELP_ENTRY_NOT_FOUND');
  });
});
