/**
 * The CyberTipline as a receiving authority (issue 16), against the protocol stand-in: a country
 * set to the CyberTipline has its finished reports submitted there (queued by the finish, exactly
 * one report at the stand-in, the route saying so), while other countries still go to their peer;
 * the view and `report show` say the destination and where the submission stands; it cannot be set
 * where the node is not configured for it, and a configuration removed later shows as a failed
 * delivery with the reason (resumed once configured again).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openNode, type AllianceNode } from '../../src/node/node.js';
import { openJobsOfKind } from '../../src/store/index.js';
import { startApi, type TestApi } from '../support/api.js';
import { runCli } from '../support/cli.js';
import { startCyberTiplineStandin, type CyberTiplineStandin } from '../support/cybertipline-standin.js';
import { DIALECTS } from '../support/dialects.js';

const hex = (n: number) => randomBytes(n).toString('hex');
/** 8.8.8.8 is in the US and 193.99.144.80 in DE (the offline IP database). */
const US_IP = '8.8.8.8';
const DE_IP = '193.99.144.80';
const report = (ip: string, over: Record<string, unknown> = {}) => ({
  incident_type: 'child_pornography',
  incident_at: '2026-11-20T10:00:00Z',
  reported_user: { id: 'user-1', screen_name: 'placeholder', ip_capture_events: [{ ip, event: 'upload', at: '2026-11-20T09:59:00Z' }] },
  files: [{ file_name: 'a.jpg', hashes: { md5: hex(16) }, viewed_by_reporter: true }],
  additional_info: 'generated test report',
  ...over,
});

const ctFlags = (s: CyberTiplineStandin): Record<string, string> => ({
  memberName: 'platform-nl',
  memberCountry: 'NL',
  cybertiplineUrl: s.url,
  cybertiplineUser: s.user,
  cybertiplinePassword: s.password,
  cybertiplineEnvironment: 'test',
  cybertiplineReporterEmail: 'reports@platform.example',
  cybertiplineTimeoutMs: '1000',
});

const ctEnv = (s: CyberTiplineStandin) => ({
  ALLIANCE_CYBERTIPLINE_URL: s.url,
  ALLIANCE_CYBERTIPLINE_USER: s.user,
  ALLIANCE_CYBERTIPLINE_PASSWORD: s.password,
  ALLIANCE_CYBERTIPLINE_REPORTER_EMAIL: 'reports@platform.example',
});

const key = (n: number) => `ed25519:${Buffer.alloc(32, n).toString('base64')}`;

async function draftAndFinish(api: TestApi, body: Record<string, unknown>) {
  const created = await api.call('POST', '/api/v1/reports', body);
  expect(created.statusCode).toBe(201);
  return api.call('POST', `/api/v1/reports/${created.json().id}/finish`);
}

const jobsFor = async (node: AllianceNode, kind: string, id: number) =>
  (await openJobsOfKind(node.store.db, kind)).filter((j) => (j.data as { report_id: number }).report_id === id);

describe.each(DIALECTS)('the CyberTipline as a receiving authority on %s', (dialect) => {
  let standin: CyberTiplineStandin;
  let api: TestApi;
  beforeAll(async () => {
    standin = await startCyberTiplineStandin();
    api = await startApi(dialect, ctFlags(standin));
    expect(
      (await api.call('POST', '/api/v1/peers', { name: 'bka-de', url: 'http://127.0.0.1:9', public_key: key(1), country: 'DE', kind: 'authority' })).statusCode,
    ).toBe(201);
    expect((await api.call('PUT', '/api/v1/routing/DE', { peer: 'bka-de' })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await api?.close();
    await standin?.close();
  });

  it('is set for a country and listed as such', async () => {
    const set = await api.call('PUT', '/api/v1/routing/us', { cybertipline: true });
    expect([set.statusCode, set.json()]).toEqual([200, { country: 'US', destination: 'cybertipline', peer: null }]);
    expect((await api.call('GET', '/api/v1/routing')).json().authorities).toEqual([
      { country: 'DE', destination: 'peer', peer: 'bka-de' },
      { country: 'US', destination: 'cybertipline', peer: null },
    ]);
    // Neither a peer nor the CyberTipline, or both: refused by the schema.
    expect((await api.call('PUT', '/api/v1/routing/US', { cybertipline: false })).statusCode).toBe(400);
    expect((await api.call('PUT', '/api/v1/routing/US', { peer: 'bka-de', cybertipline: true })).statusCode).toBe(400);
  });

  it('submits a finished US report to the CyberTipline exactly once, instead of a peer delivery', async () => {
    const before = standin.reports.length;
    const finished = await draftAndFinish(api, report(US_IP));
    expect(finished.statusCode).toBe(200);
    const r = finished.json();
    expect(r).toMatchObject({
      country: 'US',
      routing_basis: 'ip',
      kind: 'referral',
      routed_to: null,
      destination: 'cybertipline',
      delivery: { state: 'pending', error: null },
      cybertipline: { status: 'pending', environment: 'test', report_id: null },
    });
    // Queued by the finish itself: the CyberTipline job, and no delivery to a peer.
    expect(await jobsFor(api.node, 'report.cybertipline', r.id)).toHaveLength(1);
    expect(await jobsFor(api.node, 'report.deliver', r.id)).toHaveLength(0);
    const audit = (await api.call('GET', '/api/v1/audit?limit=500')).json().entries;
    const finish = audit.find((e: { action: string; target: string }) => e.action === 'report.finish' && e.target === r.uid);
    expect(finish.detail.explanation).toBe("US (from the reported user's IP address); sent to the CyberTipline (NCMEC), US's receiving authority; referral");
    await api.node.jobs.tick();
    expect(standin.reports.length).toBe(before + 1);
    const sent = standin.reports.at(-1)!;
    expect([sent.finished, sent.details.length]).toEqual([true, 1]);
    const v = (await api.call('GET', `/api/v1/reports/${r.id}`)).json();
    expect(v.cybertipline).toMatchObject({ status: 'finished', report_id: sent.id, response_code: 0, error: null });
    expect(v.delivery).toEqual({ state: 'delivered', error: null });
    // Asked to deliver again, and the job ticked again: still the one report.
    const submits = standin.count('submit');
    expect((await api.call('POST', `/api/v1/reports/${r.id}/deliver`)).statusCode).toBe(200);
    await api.node.jobs.tick();
    expect([standin.count('submit'), standin.reports.length]).toEqual([submits, before + 1]);
    expect((await api.call('GET', `/api/v1/reports/${r.id}`)).json().delivery).toEqual({ state: 'delivered', error: null });
  });

  it('still sends a report of another country to its peer', async () => {
    const requests = standin.requests.length;
    const r = (await draftAndFinish(api, report(DE_IP))).json();
    expect(r).toMatchObject({ country: 'DE', routed_to: 'bka-de', destination: 'peer', kind: 'referral', cybertipline: null });
    expect(await jobsFor(api.node, 'report.deliver', r.id)).toHaveLength(1);
    expect(await jobsFor(api.node, 'report.cybertipline', r.id)).toHaveLength(0);
    await api.node.jobs.tick();
    expect(standin.requests.length).toBe(requests);
    // The peer is down: its delivery failed, nothing went to the CyberTipline.
    expect((await api.call('GET', `/api/v1/reports/${r.id}`)).json().delivery).toMatchObject({ state: 'failed', error: expect.stringMatching(/bka-de/) });
  });

  it("keeps the stand-in's refusal on the report's delivery and CyberTipline state", async () => {
    standin.reject('submit', 4100, 'Report XML failed schema validation: placeholder');
    const r = (await draftAndFinish(api, report(US_IP))).json();
    await api.node.jobs.tick();
    const v = (await api.call('GET', `/api/v1/reports/${r.id}`)).json();
    const error = 'submit: Report XML failed schema validation: placeholder (responseCode 4100)';
    expect(v.cybertipline).toMatchObject({ status: 'rejected', report_id: null, response_code: 4100, error });
    expect(v.delivery).toEqual({ state: 'failed', error });
    // Queued again (the stand-in takes it this time): delivered.
    expect((await api.call('POST', `/api/v1/reports/${r.id}/deliver`)).json().delivery).toEqual({ state: 'pending', error: null });
    await api.node.jobs.tick();
    expect((await api.call('GET', `/api/v1/reports/${r.id}`)).json()).toMatchObject({
      delivery: { state: 'delivered', error: null },
      cybertipline: { status: 'finished', report_id: standin.reports.at(-1)!.id },
    });
  });

  it('refuses to finish a US report that lacks what the CyberTipline requires, leaving it a draft', async () => {
    const requests = standin.requests.length;
    const { incident_at: _, ...noTime } = report(US_IP);
    const created = (await api.call('POST', '/api/v1/reports', noTime)).json();
    const f = await api.call('POST', `/api/v1/reports/${created.id}/finish`);
    expect([f.statusCode, f.json().code, f.json().message]).toEqual([
      400,
      'REPORT_INVALID',
      expect.stringMatching(
        /^this report goes to the CyberTipline \(US's receiving authority\), which requires incidentSummary\.incidentDateTime \(incident_at\): missing/,
      ),
    ]);
    expect((await api.call('GET', `/api/v1/reports/${created.id}`)).json()).toMatchObject({ status: 'draft', destination: null, delivery: null });
    expect(standin.requests.length).toBe(requests);
  });
});

describe('the CyberTipline authority where the node is not configured for it', () => {
  let standin: CyberTiplineStandin;
  const dir = mkdtempSync(join(tmpdir(), 'alliance-ct-route-'));
  const open = (configured: boolean) =>
    openNode(loadConfig({ dataDir: dir, logLevel: 'silent', memberName: 'platform-nl', memberCountry: 'NL', ...(configured ? ctFlags(standin) : {}) }, {}));
  beforeAll(async () => {
    standin = await startCyberTiplineStandin();
  });
  afterAll(async () => {
    await standin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to set it, with a clear error (API and CLI)', async () => {
    const off = await startApi('sqlite');
    try {
      const r = await off.call('PUT', '/api/v1/routing/US', { cybertipline: true });
      expect([r.statusCode, r.json().code, r.json().message]).toEqual([
        409,
        'CYBERTIPLINE_OFF',
        expect.stringMatching(/^CyberTipline submission is not configured on this node: set ALLIANCE_CYBERTIPLINE_USER/),
      ]);
      expect((await off.call('GET', '/api/v1/routing')).json().authorities).toEqual([]);
      const cli = await runCli(['routing', 'set', 'US', '--cybertipline', '--data', off.env.dataDir]);
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toMatch(/CyberTipline submission is not configured on this node.*\[CYBERTIPLINE_OFF\]/);
      expect((await runCli(['routing', 'set', 'US', '--data', off.env.dataDir])).stderr).toMatch(/give either a peer or --cybertipline/);
    } finally {
      await off.close();
    }
    // Configured without a reporter e-mail (every CyberTipline report needs one): refused too.
    const noEmail = await startApi('sqlite', { ...ctFlags(standin), cybertiplineReporterEmail: '' });
    try {
      const r = await noEmail.call('PUT', '/api/v1/routing/US', { cybertipline: true });
      expect([r.json().code, r.json().message]).toEqual(['ROUTING_INVALID', expect.stringMatching(/set ALLIANCE_CYBERTIPLINE_REPORTER_EMAIL/)]);
    } finally {
      await noEmail.close();
    }
  });

  it('shows a configuration removed later as a failed delivery with the reason, and resumes once configured again', async () => {
    let node = await open(true);
    const actor = await node.operator();
    expect(await node.reports.setAuthority(actor, 'US', { cybertipline: true })).toEqual({ country: 'US', destination: 'cybertipline', peer: null });
    // Finished while configured (queued), and finished after the configuration was removed.
    const queued = await node.reports.create(actor, report(US_IP));
    await node.reports.finish(actor, queued.id);
    await node.close();
    node = await open(false);
    const later = await node.reports.create(await node.operator(), report(US_IP));
    const finished = await node.reports.finish(await node.operator(), later.id);
    expect(finished).toMatchObject({ status: 'finished', destination: 'cybertipline', cybertipline: null });
    expect(finished.delivery).toEqual({ state: 'failed', error: expect.stringMatching(/not configured on this node.*alliance report deliver/) });
    expect(await jobsFor(node, 'report.cybertipline', later.id)).toHaveLength(0);
    // The queued job runs without the configuration: the delivery fails with the reason, not retried, nothing sent.
    await node.jobs.tick();
    const stopped = await node.reports.get(await node.operator(), queued.id);
    expect(stopped.delivery).toEqual({
      state: 'failed',
      error: expect.stringMatching(/^CyberTipline submission is not configured on this node.*report deliver/),
    });
    expect(stopped.cybertipline).toMatchObject({ status: 'pending', error: stopped.delivery!.error });
    expect(await jobsFor(node, 'report.cybertipline', queued.id)).toHaveLength(0);
    expect(standin.requests.length).toBe(0);
    // `report show` says the destination and the state.
    const show = await runCli(['report', 'show', String(queued.id), '--data', dir]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^destination: CyberTipline \(NCMEC\)$/m);
    expect(show.stdout).toMatch(/^delivery: failed: CyberTipline submission is not configured on this node/m);
    expect(show.stdout).toMatch(/^cybertipline: test pending: CyberTipline submission is not configured/m);
    await node.close();
    // Configured again: both are delivered on request, one CyberTipline report each.
    node = await open(true);
    for (const id of [queued.id, later.id]) await node.reports.redeliver(await node.operator(), id);
    await node.jobs.tick();
    for (const id of [queued.id, later.id])
      expect(await node.reports.get(await node.operator(), id)).toMatchObject({
        delivery: { state: 'delivered', error: null },
        cybertipline: { status: 'finished' },
      });
    expect(standin.reports.length).toBe(2);
    await node.close();
    const shown = await runCli(['report', 'show', String(later.id), '--data', dir], { env: ctEnv(standin) });
    expect(shown.stdout).toContain(`cybertipline: test finished, report id ${standin.reports[1].id}, responseCode 0\n`);
    expect(shown.stdout).toMatch(/^delivery: delivered$/m);
    const list = await runCli(['routing', 'list', '--data', dir]);
    expect(list.stdout).toBe('US\tCyberTipline (NCMEC)\nfall-back\t(none: such reports stay on this node)\n');
  });
});
