/**
 * The indicators of the four targets, computed from real events on a node whose clock the test
 * sets: series, victims and referrals; incident reports made, routed and received from a peer
 * node (a second node, listening on 127.0.0.1); deconfliction overlaps; manual entries;
 * campaigns and messages; signals contributed and received over the federation link; lookups,
 * submissions, reviews and a blocked re-upload; takedown notices to two hosting providers sent,
 * re-checked and removed at chosen times. Every value of 2026-Q3, medians and percentiles
 * included, is checked against figures worked out by hand below, and so is the growth against
 * 2025-Q3.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../src/members/principal.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS } from '../support/dialects.js';
import { PDQ_IMAGES } from '../support/paths.js';

const IMAGE = readFileSync(join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg'));
const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const HOUR = 3_600_000;
const at = (iso: string) => vi.setSystemTime(new Date(iso));
const plus = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * HOUR).toISOString();
const report = (user: Record<string, unknown>) => ({
  incident_type: 'child_pornography',
  reported_user: user,
  files: [{ hashes: { md5: 'e'.repeat(32) }, classification: 'industry:A1' }],
});

describe.each(DIALECTS)('indicators on %s', (dialect) => {
  let de: TestApi; // the node whose indicators are computed
  let fr: TestApi; // its peer
  let admin: Principal;
  let host: Server;
  let base = '';

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at('2025-07-01T00:00:00Z');
    host = createServer((req, res) => {
      if (req.url === '/abuse') {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"received"}'));
      } else if (req.url?.startsWith('/img/')) res.writeHead(200, { 'content-type': 'image/jpeg' }).end(IMAGE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(host.address() as { port: number }).port}`;
    de = await startApi(dialect, {
      memberName: 'police-de',
      memberCountry: 'DE',
      memberKind: 'authority',
      deconflictionKey: 'cd'.repeat(32),
      noticeResendMs: String(1000 * HOUR),
      fetchAllowedHosts: `127.0.0.1:${(host.address() as { port: number }).port},localhost:${(host.address() as { port: number }).port}`,
    });
    fr = await startApi('sqlite', { memberName: 'police-fr', memberCountry: 'FR', memberKind: 'authority' });
    const urls = await Promise.all([de, fr].map((n) => n.app.listen({ port: 0, host: '127.0.0.1' })));
    const key = async (n: TestApi) => (await n.call('GET', '/federation/v1/identity', undefined, null)).json().public_key;
    await de.node.federation.addPeer(await de.node.operator(), { name: 'police-fr', url: urls[1], publicKey: await key(fr), country: 'FR', kind: 'authority' });
    await fr.node.federation.addPeer(await fr.node.operator(), { name: 'police-de', url: urls[0], publicKey: await key(de), country: 'DE', kind: 'authority' });
    admin = await de.node.operator();
  });

  afterAll(async () => {
    vi.useRealTimers();
    await de?.close();
    await fr?.close();
    host?.closeAllConnections();
    host?.close();
  });

  it('counts what happened in the period, against hand-computed figures', async () => {
    const n = de.node;
    const frAdmin = await fr.node.operator();

    // ---- the baseline year, 2025-Q3 ----
    at('2025-08-01T00:00:00Z');
    const s0 = await n.series.create(admin, { name: 'S0' });
    await n.deconfliction.openCase(admin, { reference: 'OLD-1', contact_point: 'old@police.example' });
    await n.banks.createBank(admin, { name: 'DE_KNOWN' });
    await n.banks.addContent(admin, 'DE_KNOWN', { signals: [{ signal_type: 'pdq', value: PDQ }], classification: 'industry:A1' });
    expect((await de.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: PDQ })).json().matches).toHaveLength(1);
    await n.audit.flush();
    at('2025-09-01T12:00:00Z');
    await n.series.identifyVictim(admin, s0.id, { identified_on: '2025-09-01' });
    at('2025-09-15T12:00:00Z');
    const frOld = await fr.node.series.create(frAdmin, { name: 'FR-OLD' });
    await fr.node.series.identifyVictim(frAdmin, frOld.id, { identified_on: '2025-09-15' });

    // ---- 2026-Q3 ----
    // Target 1: two series; three victims 20, 50 and 10 days after first sighting; one referral in the quarter.
    at('2026-06-21T00:00:00Z');
    const service = await n.series.addService(admin, { country: 'DE', name: 'Hilfe', kind: 'victim_support', contact: 'https://hilfe.example' });
    at('2026-07-01T00:00:00Z');
    const s1 = await n.series.create(admin, { name: 'S1', first_seen: '2026-06-21' });
    at('2026-07-15T00:00:00Z');
    const s2 = await n.series.create(admin, { name: 'S2' });
    at('2026-07-11T10:00:00Z');
    await n.series.identifyVictim(admin, s1.id, { identified_on: '2026-07-11', service_id: service.id });
    at('2026-07-25T10:00:00Z');
    const v3 = await n.series.identifyVictim(admin, s2.id, { identified_on: '2026-07-25' });
    expect(v3.id).toBeGreaterThan(0);
    at('2026-08-10T10:00:00Z');
    await n.series.identifyVictim(admin, s1.id, { identified_on: '2026-08-10' });
    at('2026-08-20T10:00:00Z');
    const frNew = await fr.node.series.create(frAdmin, { name: 'FR-NEW' });
    await fr.node.series.identifyVictim(frAdmin, frNew.id, { identified_on: '2026-08-20' });
    expect(await n.seriesFeed.syncAll()).toEqual([{ peer: 'police-fr', series: 2 }]);
    expect(await n.seriesFeed.syncAll()).toEqual([{ peer: 'police-fr', series: 0 }]); // pulled again: no victim counted twice
    at('2026-10-02T10:00:00Z');
    await n.series.refer(admin, v3.id, service.id, '2026-10-02'); // after the quarter

    // Target 2: two reports made — one routed to France and delivered there (a referral, sent, abroad), one
    // with no authority for its country and no fall-back (kept here: not sent, undelivered) — and one received.
    at('2026-07-20T09:00:00Z');
    await n.reports.setAuthority(admin, 'FR', 'police-fr');
    for (const user of [{ ip_capture_events: [{ ip: '193.51.224.1', event: 'upload' }] }, { country: 'DE' }]) {
      const r = await n.reports.create(admin, report(user));
      const finished = await n.reports.finish(admin, r.id);
      if (finished.routed_to) await n.reports.deliver(finished.id);
    }
    await fr.node.reports.setAuthority(frAdmin, 'DE', 'police-de');
    const incoming = await fr.node.reports.create(frAdmin, report({ ip_capture_events: [{ ip: '193.99.144.80', event: 'login' }] }));
    const done = await fr.node.reports.finish(frAdmin, incoming.id);
    await fr.node.reports.deliver(done.id);
    at('2026-08-05T09:00:00Z');
    const c1 = await n.deconfliction.openCase(admin, { reference: 'Q3-1', contact_point: 'one@police.example' });
    const c2 = await n.deconfliction.openCase(admin, { reference: 'Q3-2', contact_point: 'two@police.example' });
    await n.deconfliction.addTargets(admin, c1.id, [{ kind: 'username', value: 'John.Doe' }]);
    await n.deconfliction.addTargets(admin, c2.id, [{ kind: 'username', value: 'john.doe ' }]);
    for (const [period, kind, value] of [
      ['2026-07', 'prosecutions', 4],
      ['2026-08', 'prosecutions', 3],
      ['2026-Q3', 'convictions', 2],
      ['2026-Q4', 'prosecutions', 5],
    ] as const) {
      await n.reporting.setManual(admin, { period, kind, value, source: 'Federal statistics office' });
    }

    // Target 3: two campaigns in the quarter (one after), five messages in it (one after).
    for (const [starts_on, audience, reach] of [
      ['2026-07-05', 'children', 1000],
      ['2026-09-30', 'parents', 500],
      ['2026-10-01', 'children', 9999],
    ] as const) {
      await n.reporting.addCampaign(admin, { country: 'DE', title: `Safer online ${starts_on}`, audience, channel: 'school', reach, starts_on });
    }
    for (const [context, when] of [
      ['search', '2026-07-03'],
      ['search', '2026-08-03'],
      ['search', '2026-09-30'],
      ['child-safety', '2026-07-04'],
      ['victim', '2026-09-01'],
      ['search', '2026-10-01'],
    ] as const) {
      await n.reporting.countMessage(context, 'DE', Date.parse(`${when}T12:00:00Z`));
    }

    // Target 4: signals contributed (a published bank) and received (a peer's bank, synced).
    at('2026-07-06T08:00:00Z');
    await n.federation.publish(admin, 'DE_KNOWN', { recipients: { countries: ['FR'] }, abroad: ['baseline'] });
    await n.banks.addContent(admin, 'DE_KNOWN', {
      signals: [
        { signal_type: 'pdq', value: 'f'.repeat(64) },
        { signal_type: 'md5', value: '1'.repeat(32) },
      ],
      classification: 'industry:A1',
    });
    await n.banks.createBank(admin, { name: 'PRIVATE' });
    await n.banks.addContent(admin, 'PRIVATE', { signals: [{ signal_type: 'md5', value: '2'.repeat(32) }] });
    await fr.node.banks.createBank(frAdmin, { name: 'FR_HASHES' });
    for (const c of ['3', '4', '5'])
      await fr.node.banks.addContent(frAdmin, 'FR_HASHES', { signals: [{ signal_type: 'md5', value: c.repeat(32) }], classification: 'industry:A1' });
    await fr.node.federation.publish(frAdmin, 'FR_HASHES', { recipients: { countries: ['DE'] }, abroad: ['baseline'] });
    await n.federation.subscribe(admin, 'police-fr', 'FR_HASHES');
    expect((await n.federation.syncAll()).map((s) => [s.added, s.error ?? null])).toEqual([[3, null]]);
    // An external exchange's bank is fetched, not contributed, even when this node publishes it on.
    await n.exchanges.create(admin, { name: 'SAMPLE_FEED', api: 'sample' });
    const fetched = await n.exchanges.fetch('SAMPLE_FEED');
    expect([fetched.added > 1, fetched.error ?? null]).toEqual([true, null]);
    await n.federation.publish(admin, 'SAMPLE_FEED', { recipients: { countries: ['FR'] }, abroad: ['baseline'] });

    // Matches: a lookup, a submission reviewed and confirmed, its re-upload blocked; misses do not count.
    at('2026-07-10T08:00:00Z');
    await n.rules.create(admin, { name: 'review known', conditions: { banks: ['DE_KNOWN'] }, actions: ['review'] });
    expect((await de.call('POST', '/api/v1/lookup', { signal_type: 'pdq', signal: PDQ })).json().matches).toHaveLength(1);
    expect((await de.call('POST', '/api/v1/lookup', { signal_type: 'md5', signal: '9'.repeat(32) })).json().matches).toHaveLength(0);
    await n.audit.flush();
    const first = await n.submissions.submit(admin, { signals: { pdq: PDQ }, external_id: 'post-1' });
    await n.submissions.submit(admin, { signals: { md5: '8'.repeat(32) }, external_id: 'post-2' });
    await n.reviews.decide(admin, first.review_id!, 'confirmed', null);
    const again = await n.submissions.submit(admin, { signals: { pdq: PDQ }, external_id: 'post-3' });
    expect([again.decision, again.reupload_of]).toEqual(['block', first.id]);

    // Notices: first sent in the quarter to a Dutch host at +0 (removed after 6, 30 and 100 hours,
    // one never) and to an American one (removed after 12 hours, and one sent at the quarter's
    // end removed 6 hours later, in October); one sent in June is removed on 1 July.
    await n.notices.addProvider(admin, { name: 'Dutch Hosting', domains: ['127.0.0.1'], abuse_url: `${base}/abuse`, country: 'NL' });
    await n.notices.addProvider(admin, { name: 'US Hosting', domains: ['localhost'], abuse_url: `${base}/abuse`, country: 'US' });
    const usBase = base.replace('127.0.0.1', 'localhost');
    const notices: Array<[string, string, number | null]> = [
      [`${base}/img/0`, '2026-06-30T20:00:00Z', 9],
      [`${base}/img/1`, '2026-07-02T00:00:00Z', 6],
      [`${base}/img/2`, '2026-07-03T00:00:00Z', 30],
      [`${base}/img/3`, '2026-07-04T00:00:00Z', 100],
      [`${base}/img/4`, '2026-07-05T00:00:00Z', null],
      [`${usBase}/img/5`, '2026-08-01T00:00:00Z', 12],
      [`${usBase}/img/6`, '2026-09-30T20:00:00Z', 6],
    ];
    const removals: Array<[number, string]> = [];
    for (const [url, sent, hours] of notices) {
      at(sent);
      const made = await n.notices.create(admin, { url, evidence: { pdq: PDQ }, legal_basis: 'Illegal content (INTERPOL baseline)' });
      await n.notices.tick();
      expect((await n.notices.get(admin, made.id)).first_sent_at).toBe(new Date(sent).toISOString());
      if (hours !== null) removals.push([made.id, plus(sent, hours)]);
    }
    for (const [id, when] of removals.sort((a, b) => a[1].localeCompare(b[1]))) {
      at(when);
      await n.notices.confirmRemoved(admin, id, 'the host confirmed');
    }

    // Computed on 5 October, five hours after the last sync from the peer.
    at('2026-10-05T07:00:00Z');
    expect((await n.federation.syncAll()).map((s) => [s.subscription > 0, s.error ?? null])).toEqual([[true, null]]);
    at('2026-10-05T12:00:00Z');
    const res = await de.call('GET', '/api/v1/indicators?period=2026-Q3&baseline=2025-Q3');
    expect(res.statusCode, res.body).toBe(200);
    const { indicators, baseline, growth, victim_goal } = res.json();

    expect(indicators.values).toEqual({
      'victims.series_opened': 2,
      'victims.identified': 3,
      'victims.identified_alliance': 4, // three here and one of the French series, each once
      'victims.referred': 1,
      'victims.days_to_identification_median': 20, // days [10, 20, 50]
      'victims.days_to_identification_p90': 50,
      'offenders.reports_received': 1,
      'offenders.reports_sent': 1,
      'offenders.reports_referral': 1,
      'offenders.reports_informational': 0,
      'offenders.reports_routed_abroad': 1,
      'offenders.reports_undelivered': 1,
      'offenders.deconfliction_overlaps': 2, // one alert on each of the two cases
      'offenders.cases_opened': 2,
      'offenders.prosecutions': 7, // July 4 + August 3 (the Q4 entry is outside)
      'offenders.convictions': 2,
      // No lead packages sent or received here: none, and no rate or time to know.
      'offenders.lead_referrals_sent': 0,
      'offenders.lead_referrals_received': 0,
      'offenders.lead_referrals_accepted': 0,
      'offenders.lead_referrals_declined': 0,
      'offenders.lead_acceptance_share': null,
      'offenders.lead_days_to_first_action_median': null,
      'offenders.lead_days_to_charge_median': null,
      'offenders.lead_people_charged': 0,
      'offenders.lead_victims_safeguarded': 0,
      'awareness.campaigns': 2,
      'awareness.campaign_reach': 1500,
      'awareness.deterrence_messages': 3,
      'awareness.safety_messages': 2,
      'availability.signals_contributed': 2,
      'availability.signals_received': 3,
      'availability.signals_fetched': fetched.added, // one example of each signal type, one signal each
      'availability.matches': 3, // the lookup, the submission and its re-upload
      'availability.reuploads_blocked': 1,
      'availability.notices_sent': 6,
      'availability.removals_confirmed': 5, // the June notice and four of the quarter's (one closed in October)
      'availability.removal_hours_median': 12, // [6, 6, 12, 30, 100] of 6 sent: 3rd
      'availability.removal_hours_p90': null, // the 6th is not removed
      'availability.removed_within_24h_share': 0.5,
      'availability.removed_within_72h_share': 0.6667,
      'exchange.peers': 1,
      'exchange.peers_connected': 1,
      'exchange.sync_lag_items': 0,
      'exchange.sync_lag_hours_max': 5,
    });
    expect(indicators.removal_by_hosting_country).toEqual([
      { country: 'NL', notices: 4, removed: 3, median_hours: 30, p90_hours: null, within_24h_share: 0.25, within_72h_share: 0.5 },
      { country: 'US', notices: 2, removed: 2, median_hours: 6, p90_hours: 12, within_24h_share: 1, within_72h_share: 1 },
    ]);
    expect(indicators.campaigns_by_audience).toEqual({ children: { campaigns: 1, reach: 1000 }, parents: { campaigns: 1, reach: 500 } });
    expect(indicators.messages_by_context).toEqual({ search: 3, 'child-safety': 1, victim: 1 });
    expect(indicators.manual_entries.map((e: { period: string }) => e.period).sort()).toEqual(['2026-07', '2026-08', '2026-Q3']);

    expect(baseline.period).toBe('2025-Q3');
    expect(baseline.values).toMatchObject({
      'victims.series_opened': 1,
      'victims.identified': 1,
      'victims.identified_alliance': 2,
      'offenders.cases_opened': 1,
      'availability.matches': 1,
      'availability.notices_sent': 0,
      'offenders.prosecutions': null,
    });
    expect(growth).toMatchObject({
      'victims.identified': 2,
      'victims.series_opened': 1,
      'victims.identified_alliance': 1,
      'availability.matches': 2,
      'offenders.reports_sent': null,
    });
    expect(victim_goal).toEqual({ growth: 2, goal: 0.1, met: true });

    // The default baseline is the same quarter a year before; a baseline must be earlier and alike.
    expect((await de.call('GET', '/api/v1/indicators?period=2026-Q3')).json().baseline.period).toBe('2025-Q3');
    expect((await de.call('GET', '/api/v1/indicators?period=2026-Q3&baseline=2026-07')).json()).toMatchObject({ code: 'PERIOD_INVALID' });
    expect((await de.call('GET', '/api/v1/indicators?period=2026-Q5')).json()).toMatchObject({ code: 'PERIOD_INVALID' });
  });
});
