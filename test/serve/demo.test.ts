/**
 * `alliance serve --demo` as a real process on 127.0.0.1: every core flow has something real to
 * show — rules, a review queue made by submissions, incident reports (one finished, routed to the
 * demo authority — a second node the process serves — and really delivered to it), notices with timelines, a series with victims and referrals, deconfliction cases on the
 * demo key flagged demo: true — and a second start on the same data adds nothing twice.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

const running: ServerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** What the demo pages read, through the API. */
async function snapshot(url: string, token: string) {
  const get = async (path: string) => {
    const r = await http(`${url}/api/v1${path}`, token);
    expect(r.status, path).toBe(200);
    return r.json;
  };
  return {
    rules: (await get('/rules')).rules,
    reviews: (await get('/reviews?status=all&limit=500')).items,
    reports: (await get('/reports?limit=500')).reports,
    notices: (await get('/notices?limit=500')).notices,
    providers: (await get('/providers')).providers,
    series: (await get('/series')).series,
    services: (await get('/support-services')).services,
    cases: await get('/cases'),
    alerts: (await get('/deconfliction/alerts')).alerts,
    peers: (await get('/peers')).peers,
  };
}

describe('alliance serve --demo', () => {
  it('seeds every core flow through the services, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-demo-'));
    dirs.push(dir);
    const env = { ALLIANCE_DATA_DIR: dir };
    const first = await startServer(['--demo'], env);
    running.push(first);
    const token = first.token!;
    expect(first.stderr()).toMatch(/Demo work seeded: 2 rules, 6 reviews, 2 reports, 2 notices, 1 series, 2 deconfliction cases/);
    const s = await snapshot(first.url, token);

    // Rules on the demo banks, one with a classification condition.
    expect(s.rules.map((r: { name: string }) => r.name).sort()).toEqual(['Demo block fixture videos', 'Demo review fixture images']);
    expect(s.rules.find((r: { name: string }) => r.name === 'Demo review fixture images')).toMatchObject({
      conditions: { banks: ['DEMO_IMAGES'], classifications: ['legal:unknown'] },
      actions: ['review'],
    });

    // The review queue: real submissions of fixture hashes, matched against the demo images, with their context.
    expect(s.reviews).toHaveLength(6);
    expect(s.reviews.filter((r: { status: string }) => r.status === 'pending')).toHaveLength(5);
    for (const r of s.reviews) {
      expect(r.source).toBe('demo');
      expect(r.url).toMatch(/^https:\/\/files\.demo-hosting\.example\//);
      expect(r.reasons.length).toBeGreaterThan(0);
      expect(r.reasons.every((m: { bank: string }) => m.bank === 'DEMO_IMAGES')).toBe(true);
    }
    const confirmed = s.reviews.find((r: { status: string }) => r.status === 'confirmed');
    expect(confirmed).toBeDefined();

    // Reports: the confirmed review's, finished and routed to the demo authority (NL, from the
    // account's country), a second node served by the process, which receives it.
    const authorityUrl = /Demo authority: a second node \(member demo-authority, NL\) on (http:\/\/127\.0\.0\.1:\d+)/.exec(first.stderr())?.[1];
    expect(authorityUrl).toBeDefined();
    expect(s.peers).toEqual([expect.objectContaining({ name: 'demo-authority', kind: 'authority', country: 'NL', url: authorityUrl })]);
    const routed = s.reports.find((r: { review_id: number | null }) => r.review_id === confirmed.id);
    expect(routed).toMatchObject({ status: 'finished', routed_to: 'demo-authority', country: 'NL', routing_basis: 'account', kind: 'referral' });
    await expect
      .poll(async () => (await http(`${first.url}/api/v1/reports/${routed.id}`, token)).json.delivery, { timeout: 30_000 })
      .toEqual({ state: 'delivered', error: null });
    expect(s.reports.find((r: { status: string }) => r.status === 'draft')).toMatchObject({ additional_info: expect.stringMatching(/^Demo draft/) });

    // Notices to the demo hosting provider, e-mailed into the demo outbox (no mail server configured):
    // one open (created, sent), one sent and then confirmed removed.
    expect(s.providers.map((p: { name: string }) => p.name)).toEqual(['Demo Hosting']);
    expect(s.notices.map((n: { status: string }) => n.status).sort()).toEqual(['open', 'removed']);
    for (const n of s.notices) {
      const detail = (await http(`${first.url}/api/v1/notices/${n.id}`, token)).json;
      const kinds = detail.events.map((e: { kind: string }) => e.kind);
      expect(kinds.slice(0, 2)).toEqual(['created', 'sent']);
      expect(detail.events[1].detail).toMatch(/^e-mail to abuse@demo-hosting\.example: written to the pickup directory as \S+\.eml$/);
      if (n.status === 'removed') expect(kinds.at(-1)).toBe('removed');
    }
    const outbox = readdirSync(join(dir, 'demo-outbox'));
    expect(outbox.filter((f) => f.endsWith('.eml'))).toHaveLength(2);
    const mail = readFileSync(
      join(
        dir,
        'demo-outbox',
        outbox.find((f) => f.endsWith('.eml'))!,
      ),
      'utf8',
    );
    expect(mail).toMatch(/^To: abuse@demo-hosting\.example\r$/m);
    expect(mail).toMatch(/^Subject: Takedown notice /m);
    expect(s.notices.find((n: { status: string }) => n.status === 'open').review_id).toBe(confirmed.id);

    // A series with its content, two identified victims, each referred to a support service.
    expect(s.series).toHaveLength(1);
    expect(s.series[0]).toMatchObject({ name: 'DEMO series (fixture images)', status: 'victim_identified', victims_identified: 2 });
    expect(s.series[0].contents).toBeGreaterThan(0);
    const series = (await http(`${first.url}/api/v1/series/${s.series[0].id}`, token)).json;
    expect(series.victims).toHaveLength(2);
    expect(series.victims.map((v: { referrals: Array<{ service: string }> }) => v.referrals.map((r) => r.service)).sort()).toEqual([
      ['Demo child helpline'],
      ['Demo victim support'],
    ]);

    // Deconfliction works on the demo key, and says so; the two demo cases share a target.
    expect(s.cases.demo).toBe(true);
    expect(s.cases.cases.map((c: { reference: string }) => c.reference).sort()).toEqual(['DEMO-CASE-1', 'DEMO-CASE-2']);
    expect(s.alerts).toHaveLength(2);
    expect(s.alerts.map((a: { reference: string; kind: string }) => `${a.reference}:${a.kind}`).sort()).toEqual([
      'DEMO-CASE-1:username',
      'DEMO-CASE-2:username',
    ]);

    // An analyst rejects the demo's pending reviews: the next start must not need one.
    for (const r of s.reviews.filter((x: { status: string }) => x.status === 'pending'))
      expect((await http(`${first.url}/api/v1/reviews/${r.id}/verdict`, token, 'POST', { verdict: 'rejected' })).status).toBe(200);
    const decided = (await http(`${first.url}/api/v1/reviews?status=all&limit=500`, token)).json.items;
    expect(await first.stop('SIGTERM')).toBe(0);
    running.pop();
    // The demo authority's own store holds the report it received.
    const received = await runCli(['report', 'list', '--in', '--data', join(dir, 'demo-authority')]);
    expect(received.code).toBe(0);
    expect(received.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^\\d+\t${routed.uid}\tfinished\tchild_pornography\tNL\treferral\tfrom `)),
    ]);

    // A second --demo on the same data: nothing seeded again.
    const second = await startServer(['--demo'], env);
    running.push(second);
    expect(second.stderr()).not.toMatch(/Demo work|Demo banks created/);
    const again = await snapshot(second.url, token);
    expect(again.reviews.map((r: { id: number; status: string }) => `${r.id}:${r.status}`)).toEqual(
      decided.map((r: { id: number; status: string }) => `${r.id}:${r.status}`),
    );
    const ids = (list: Array<{ id?: number; name?: string }>) => list.map((x) => x.id ?? x.name).sort();
    for (const k of ['rules', 'reviews', 'reports', 'notices', 'providers', 'series', 'services', 'alerts', 'peers'] as const)
      expect(ids(again[k]), k).toEqual(ids(s[k]));
    // The demo authority listens on a new port: the peer follows it; the report stays delivered once.
    const newUrl = /Demo authority: .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(second.stderr())?.[1];
    expect(again.peers[0].url).toBe(newUrl);
    expect(again.reports.find((r: { id: number }) => r.id === routed.id).delivery).toEqual({ state: 'delivered', error: null });
    expect(ids(again.cases.cases)).toEqual(ids(s.cases.cases));
  });

  it('does not turn on deconfliction without --demo', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-demo-'));
    dirs.push(dir);
    const plain = await startServer([], { ALLIANCE_DATA_DIR: dir });
    running.push(plain);
    expect((await http(`${plain.url}/api/v1/cases`, plain.token)).json).toEqual({ cases: [], demo: false });
    const opened = await http(`${plain.url}/api/v1/cases`, plain.token, 'POST', { reference: 'R-1', contact_point: 'someone' });
    expect(opened.status).toBe(503);
  });
});
