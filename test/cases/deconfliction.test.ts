/**
 * Deconfliction on one node, on both databases: targets written differently are the same target;
 * they are stored only as keyed hashes; two cases sharing one both get an alert with each other's
 * contact point (an IP only when the times meet); every check is audited; without the key it is off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hintOf, keyTarget, normaliseTarget } from '../../src/cases/targets.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const KEY = 'ab'.repeat(32);

describe('target normalisation', () => {
  it.each([
    ['username', 'John.Doe', ' john.doe ', '@JOHN.DOE'],
    ['email', 'John.Doe@Example.ORG', ' john.doe@example.org'],
    ['phone', '+49 30 1234-5678', '0049301234 5678', '+49 (30) 12345678'],
    ['ip', '2001:DB8:0:0::1', '2001:db8::1'],
    ['url', 'HTTPS://Example.org/a/#x', 'https://example.org/a'],
    ['hash', `MD5:${'A'.repeat(32)}`, 'a'.repeat(32)],
  ] as const)('%s: every spelling is one target', (kind, ...spellings) => {
    expect(new Set(spellings.map((s) => normaliseTarget(kind, s))).size).toBe(1);
  });
  it('keys differ by kind and by key; hints reveal little', () => {
    const k = Buffer.from(KEY, 'hex');
    expect(keyTarget(k, 'username', 'x')).not.toBe(keyTarget(k, 'email', 'x'));
    expect(keyTarget(k, 'username', 'x')).not.toBe(keyTarget(Buffer.alloc(32, 1), 'username', 'x'));
    expect(hintOf('email', 'john.doe@example.org')).toBe('j…e@…org');
    expect(hintOf('username', 'john.doe')).toBe('j…e');
    expect(() => normaliseTarget('email', 'nope')).toThrow(expect.objectContaining({ code: 'CASE_INVALID' }));
  });
});

describe.each(DIALECTS)('deconfliction on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(dialect, { memberName: 'police-nl', deconflictionKey: KEY });
  });
  afterAll(() => api.close());

  it('alerts both cases when they share a target, with each other’s contact point', async () => {
    const a = (await api.call('POST', '/api/v1/cases', { reference: 'NL-2026-001', contact_point: 'team-a@police.example' })).json();
    const b = (await api.call('POST', '/api/v1/cases', { reference: 'NL-2026-002', contact_point: 'team-b@police.example' })).json();
    expect(a.uid).toBe(`police-nl/case/${a.id}`);
    expect(
      (
        await api.call('POST', `/api/v1/cases/${a.id}/targets`, {
          targets: [
            { kind: 'username', value: 'John.Doe' },
            { kind: 'ip', value: '198.51.100.7', from: '2026-01-01T00:00:00Z', to: '2026-01-31T00:00:00Z' },
          ],
        })
      ).json(),
    ).toEqual({ case: a.uid, targets: 2, alerts: 0 });
    // Same username written differently; the same IP, but months later: only the username overlaps.
    const r = (
      await api.call('POST', `/api/v1/cases/${b.id}/targets`, {
        targets: [
          { kind: 'username', value: 'john.doe ' },
          { kind: 'ip', value: '198.51.100.7', from: '2026-06-01T00:00:00Z', to: '2026-06-02T00:00:00Z' },
        ],
      })
    ).json();
    expect(r).toEqual({ case: b.uid, targets: 2, alerts: 2 });
    const alerts = (await api.call('GET', '/api/v1/deconfliction/alerts')).json().alerts;
    expect(alerts.map((x: Record<string, string>) => [x.case, x.kind, x.hint, x.other_case, x.other_contact]).sort()).toEqual([
      [a.uid, 'username', 'j…e', b.uid, 'team-b@police.example'],
      [b.uid, 'username', 'j…e', a.uid, 'team-a@police.example'],
    ]);
    // The same IP within the window does overlap.
    expect(
      (await api.call('POST', `/api/v1/cases/${b.id}/targets`, { targets: [{ kind: 'ip', value: '198.51.100.7', from: '2026-01-15T00:00:00Z' }] })).json()
        .alerts,
    ).toBe(2);
    // Registered again: no second alert.
    expect((await api.call('POST', `/api/v1/cases/${b.id}/targets`, { targets: [{ kind: 'username', value: 'JOHN.DOE' }] })).json().alerts).toBe(0);
  });

  it('stores no identifier, audits every check, refuses bad targets', async () => {
    const stored = JSON.stringify(await api.node.store.db.selectFrom('case_targets').selectAll().execute());
    expect(stored).not.toMatch(/john|doe|198\.51/i);
    const audit = (await api.call('GET', '/api/v1/audit?limit=100')).json().entries.filter((e: { action: string }) => e.action === 'deconfliction.check');
    expect(audit.length).toBe(4);
    expect(JSON.stringify(audit)).not.toMatch(/john|198\.51/i);
    const bad = await api.call('POST', '/api/v1/cases/1/targets', { targets: [{ kind: 'email', value: 'not-an-address' }] });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'CASE_INVALID']);
    expect((await api.call('POST', '/api/v1/cases/999/targets', { targets: [{ kind: 'username', value: 'x' }] })).json().code).toBe('CASE_NOT_FOUND');
  });
});

describe('deconfliction without the alliance key', () => {
  it('is off, and says how to turn it on', async () => {
    const api = await startApi('sqlite');
    const r = await api.call('POST', '/api/v1/cases', { reference: 'x', contact_point: 'y' });
    expect([r.statusCode, r.json().code, r.json().message]).toEqual([503, 'DECONFLICTION_OFF', expect.stringMatching(/ALLIANCE_DECONFLICTION_KEY/)]);
    await api.close();
  });
});
