/**
 * The target-2 indicators of lead packages (issue 18, point 6) on SQLite and PostgreSQL, worked by
 * hand: a US authority node refers four German targets (delivered in March) and two Dutch ones
 * (delivered in April); the German authority accepts, reports an arrest, charges (one repeated),
 * an identification and victims safeguarded (revised later); the Dutch one declines. A French
 * authority sends this node a package in March and a supplement in April. March and April give
 * exact counts, the acceptance rate, median days to first action and to charge (none: "not
 * known"), people charged and victims safeguarded per period, the growth against the baseline;
 * the signed country report carries them, and the secretariat's dashboard adds them up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seal } from '../../src/exchange/envelope.js';
import { loadIdentity, type NodeIdentity } from '../../src/exchange/identity.js';
import { setLeadPackageState } from '../../src/store/index.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';

const T = (iso: string) => Date.parse(iso);
const DE_SENT = T('2026-03-02T08:00:00Z');
const NL_SENT = T('2026-04-01T08:00:00Z');

const targets = [
  ...[1, 2, 3, 4].map((i) => ({ ref: `de${i}`, username: `t2-de-${i}`, ip: [{ ip: '193.99.144.80', at: '2026-02-01T10:00:00Z' }] })),
  ...[1, 2].map((i) => ({ ref: `nl${i}`, username: `t2-nl-${i}`, ip: [{ ip: '145.97.39.155', at: '2026-02-01T10:00:00Z' }] })),
];

const received = (uid: string, prior: string | null, refs: string[], note: string) => ({
  type: 'alliance.lead-package',
  uid,
  prior_uid: prior,
  from: 'police-fr',
  country: 'US',
  created_at: '2026-03-15T00:00:00Z',
  operation: {
    uid: 'police-fr/operation/1',
    name: 'Operation Elsewhere',
    legal_basis: 'Placeholder',
    owner_agency: 'Agency FR',
    contact_point: 'desk@fr.example',
    starts_at: null,
    ends_at: null,
  },
  handling: [],
  targets: refs.map((ref) => ({
    ref,
    identifiers: { usernames: [`fr-${ref}-${note}`] },
    evidence: { confidence: 'high', reasons: [], country_set_by_analyst: false },
    content: [],
  })),
});

describe.each(DIALECTS)('target-2 indicators of lead packages on %s', (dialect) => {
  let api: TestApi;
  let sec: TestApi;
  const dirs: string[] = [];
  const keys: Record<string, NodeIdentity> = {};
  const uidOf: Record<string, string> = {};
  const seqs: Record<string, number> = {};
  const at = (iso: string) => vi.setSystemTime(new Date(iso));

  const update = (peer: string, country: string, u: Record<string, unknown>, when: string) => {
    seqs[country] = (seqs[country] ?? 0) + 1;
    return api.node.leads.receiveUpdate(
      peer,
      seal(keys[peer], {
        type: 'alliance.lead-update',
        package_uid: uidOf[country],
        from: peer,
        to: 'fbi-us',
        seq: seqs[country],
        at: when,
        ...u,
      }),
    );
  };
  const outcome = (target: string, kind: string, when: string, count: number | null = null) =>
    update('bka-de', 'DE', { update: 'outcome', target, outcome: kind, count, series: [] }, when);

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at('2026-03-01T00:00:00Z');
    api = await startApi(dialect, {
      memberName: 'fbi-us',
      memberCountry: 'US',
      memberKind: 'authority',
      deconflictionKey: 'cd'.repeat(32),
      secretariatPeer: 'secretariat',
    });
    sec = await startApi('sqlite', { memberName: 'secretariat', memberKind: 'secretariat' });
    for (const [name, cc] of [
      ['bka-de', 'DE'],
      ['police-nl', 'NL'],
      ['police-fr', 'FR'],
    ]) {
      const dir = mkdtempSync(join(tmpdir(), `alliance-t2-${name}-`));
      dirs.push(dir);
      keys[name] = loadIdentity(dir);
      expect(
        (await api.call('POST', '/api/v1/peers', { name, url: 'http://127.0.0.1:9', public_key: keys[name].publicKey, kind: 'authority', country: cc }))
          .statusCode,
      ).toBe(201);
      expect((await api.call('PUT', `/api/v1/routing/${cc}`, { peer: name })).statusCode).toBe(200);
    }
    const op = (
      await api.call('POST', '/api/v1/operations', {
        name: 'Operation T2',
        legal_basis: 'Placeholder act',
        owner_agency: 'Agency US',
        contact_point: 'desk@us.example',
      })
    ).json().id;
    expect((await api.call('POST', `/api/v1/operations/${op}/targets`, { targets })).statusCode).toBe(201);
    expect((await api.call('POST', `/api/v1/operations/${op}/deconflict`)).json()).toEqual({ checked: 6, held: 0 });
    await api.call('POST', `/api/v1/operations/${op}/packages`, {});
    for (const p of (await api.call('POST', `/api/v1/operations/${op}/packages/send`, {})).json().packages as Array<{
      id: number;
      uid: string;
      country: string;
    }>) {
      uidOf[p.country] = p.uid;
      await setLeadPackageState(api.node.store.db, p.id, { state: 'delivered', delivered_at: p.country === 'DE' ? DE_SENT : NL_SENT });
    }
    await update('bka-de', 'DE', { update: 'accepted' }, '2026-03-02T13:00:00Z');
    await outcome('de1', 'arrested', '2026-03-03T08:00:00Z'); // 1 day
    await outcome('de1', 'charged', '2026-03-05T08:00:00Z'); // 3 days
    await outcome('de1', 'charged', '2026-03-06T08:00:00Z'); // the same charge reported again
    await outcome('de2', 'identified', '2026-03-12T08:00:00Z'); // 10 days
    await outcome('de2', 'charged', '2026-04-02T08:00:00Z'); // 31 days, charged in April
    await outcome('de3', 'victims_safeguarded', '2026-03-20T08:00:00Z', 2); // 18 days
    await outcome('de3', 'victims_safeguarded', '2026-04-10T08:00:00Z', 5); // revised: three more
    await update('police-nl', 'NL', { update: 'declined', reason: 'not ours' }, '2026-04-02T09:00:00Z');

    // Received here: three targets in March, a supplement in April (one of them again, and one new).
    at('2026-03-15T10:00:00Z');
    await api.node.leads.receive('police-fr', seal(keys['police-fr'], received('police-fr/lead-package/1', null, ['r1', 'r2', 'r3'], 'a')));
    at('2026-04-05T10:00:00Z');
    await api.node.leads.receive('police-fr', seal(keys['police-fr'], received('police-fr/lead-package/2', 'police-fr/lead-package/1', ['r3', 'r4'], 'b')));
    at('2026-05-03T12:00:00Z');
  });
  afterAll(async () => {
    vi.useRealTimers();
    await api?.close();
    await sec?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const lead = (values: Record<string, number | null>) => Object.fromEntries(Object.entries(values).filter(([k]) => k.startsWith('offenders.lead_')));

  it('counts March and April exactly, with "not known" where nothing says', async () => {
    const res = await api.call('GET', '/api/v1/indicators?period=2026-04&baseline=2026-03');
    expect(res.statusCode, res.body).toBe(200);
    const { indicators, baseline, growth } = res.json();
    expect(lead(baseline.values)).toEqual({
      'offenders.lead_referrals_sent': 4,
      'offenders.lead_referrals_received': 3,
      'offenders.lead_referrals_accepted': 4,
      'offenders.lead_referrals_declined': 0,
      'offenders.lead_acceptance_share': 1,
      'offenders.lead_days_to_first_action_median': 10, // [1, 10, 18]
      'offenders.lead_days_to_charge_median': 3, // [3, 31]: the nearest rank
      'offenders.lead_people_charged': 1, // de1 (its charge reported twice)
      'offenders.lead_victims_safeguarded': 2,
    });
    expect(lead(indicators.values)).toEqual({
      'offenders.lead_referrals_sent': 2,
      'offenders.lead_referrals_received': 1, // r4 (r3 came in March)
      'offenders.lead_referrals_accepted': 0,
      'offenders.lead_referrals_declined': 2,
      'offenders.lead_acceptance_share': 0,
      'offenders.lead_days_to_first_action_median': null,
      'offenders.lead_days_to_charge_median': null,
      'offenders.lead_people_charged': 1, // de2
      'offenders.lead_victims_safeguarded': 3, // 5 reported in April less the 2 of March
    });
    expect(growth['offenders.lead_referrals_sent']).toBe(-0.5);
    expect(growth['offenders.lead_victims_safeguarded']).toBe(0.5);
    // The quarter adds the months up (the March cohort's times stand for it).
    const q = (await api.call('GET', '/api/v1/indicators?period=2026-Q2')).json().indicators.values;
    expect([q['offenders.lead_referrals_sent'], q['offenders.lead_people_charged'], q['offenders.lead_victims_safeguarded']]).toEqual([2, 1, 3]);
    const q1 = (await api.call('GET', '/api/v1/indicators?period=2026-Q1')).json().indicators.values;
    expect([q1['offenders.lead_days_to_first_action_median'], q1['offenders.lead_days_to_charge_median']]).toEqual([10, 3]);
  });

  it('the signed country report carries them, and the secretariat’s dashboard adds them up', async () => {
    const url = await sec.app.listen({ port: 0, host: '127.0.0.1' });
    const usUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
    const key = async (n: TestApi) => (await n.call('GET', '/federation/v1/identity', undefined, null)).json().public_key;
    await api.node.federation.addPeer(await api.node.operator(), { name: 'secretariat', url, publicKey: await key(sec), country: null, kind: 'secretariat' });
    await sec.node.federation.addPeer(await sec.node.operator(), { name: 'fbi-us', url: usUrl, publicKey: await key(api), country: 'US', kind: 'authority' });
    for (const period of ['2026-03', '2026-04']) {
      const draft = await api.call('POST', '/api/v1/country-reports', { period });
      expect(draft.statusCode, draft.body).toBe(201);
      const id = draft.json().id;
      expect(draft.json().report.indicators.values['offenders.lead_referrals_sent']).toBe(period === '2026-03' ? 4 : 2);
      expect((await api.call('POST', `/api/v1/country-reports/${id}/sign`, {})).statusCode).toBe(200);
      const sent = await api.call('POST', `/api/v1/country-reports/${id}/submit`, {});
      expect(sent.json(), sent.body).toMatchObject({ status: 'submitted' });
      if (period === '2026-04') {
        const csv = (await api.call('GET', `/api/v1/country-reports/${id}/csv`)).body;
        expect(csv).toMatch(/offenders\.lead_acceptance_share/);
      }
    }
    const d = (await sec.call('GET', '/api/v1/alliance/dashboard?kind=month')).json();
    expect(d.referrals).toEqual([
      { period: '2026-03', members: 1, sent: 4, received: 3, accepted: 4, declined: 0, acceptance_share: 1, people_charged: 1, victims_safeguarded: 2 },
      { period: '2026-04', members: 1, sent: 2, received: 1, accepted: 0, declined: 2, acceptance_share: 0, people_charged: 1, victims_safeguarded: 3 },
    ]);
    expect(d.baseline_vs_latest.values['offenders.lead_referrals_sent']).toEqual({ baseline: 4, latest: 2, growth: -0.5 });
    const us = d.countries.find((c: { member: string }) => c.member === 'fbi-us');
    expect(us.reports[0].values['offenders.lead_days_to_first_action_median']).toBe(10);
  });
});
