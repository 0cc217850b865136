/**
 * A country report from draft to the secretariat: built from the node's indicators and MNR
 * self-assessment, narrated, signed (then immutable), submitted over the federation link; the
 * secretariat keeps it, refuses a tampered copy and a report from a node that is not a member,
 * and its dashboard adds members up. The PDF (printed by headless Chromium) renders with
 * pdftoppm and carries the same figures as the CSV and the HTML the UI shows.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../../src/exchange/envelope.js';
import { formatValue } from '../../src/reporting/format.js';
import { startApi, type TestApi } from '../support/api.js';

describe('country reports', () => {
  let be: TestApi; // a member country
  let sec: TestApi; // the secretariat
  let outsider: TestApi; // a node the secretariat does not know
  const dir = mkdtempSync(join(tmpdir(), 'alliance-country-report-'));

  beforeAll(async () => {
    sec = await startApi('sqlite', { memberName: 'secretariat', memberKind: 'secretariat' });
    be = await startApi('sqlite', { memberName: 'police-be', memberCountry: 'BE', memberKind: 'authority', secretariatPeer: 'secretariat' });
    outsider = await startApi('sqlite', { memberName: 'police-xx', memberCountry: 'NL', memberKind: 'authority' });
    const url = await sec.app.listen({ port: 0, host: '127.0.0.1' });
    const beUrl = await be.app.listen({ port: 0, host: '127.0.0.1' });
    const key = async (n: TestApi) => (await n.call('GET', '/federation/v1/identity', undefined, null)).json().public_key;
    await be.node.federation.addPeer(await be.node.operator(), { name: 'secretariat', url, publicKey: await key(sec), country: null, kind: 'secretariat' });
    await outsider.node.federation.addPeer(await outsider.node.operator(), {
      name: 'secretariat',
      url,
      publicKey: await key(sec),
      country: null,
      kind: 'secretariat',
    });
    await sec.node.federation.addPeer(await sec.node.operator(), { name: 'police-be', url: beUrl, publicKey: await key(be), country: 'BE', kind: 'authority' });
    await sec.node.federation.addPeer(await sec.node.operator(), {
      name: 'police-fr',
      url: 'http://127.0.0.1:9',
      publicKey: `ed25519:${Buffer.alloc(32, 7).toString('base64')}`,
      country: 'FR',
      kind: 'authority',
    });
    // Something to report: a series with an identified victim, a campaign, a rating.
    const admin = await be.node.operator();
    const s = await be.node.series.create(admin, { name: 'Dune' });
    await be.node.series.identifyVictim(admin, s.id, {});
    await be.node.reporting.addCampaign(admin, {
      country: 'BE',
      title: 'Safer internet day',
      audience: 'children',
      channel: 'school',
      reach: 12_345,
      starts_on: new Date().toISOString().slice(0, 10),
    });
    await be.node.reporting.assess(admin, currentQuarter(), [{ capability: 7, phase: 3, evidence: 'Connected to the alliance banks' }]);
  });
  afterAll(async () => {
    for (const n of [be, sec, outsider]) await n?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const currentQuarter = () => {
    const d = new Date();
    return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  };
  let id = 0;

  it('builds a draft, takes a narrative, signs it once and for all', async () => {
    const built = await be.call('POST', '/api/v1/country-reports', { period: currentQuarter() });
    expect(built.statusCode, built.body).toBe(201);
    id = built.json().id;
    expect(built.json()).toMatchObject({
      status: 'draft',
      period: currentQuarter(),
      report: { format: 'alliance-country-report/1', member: 'police-be', country: 'BE' },
    });
    expect(built.json().report.indicators.values).toMatchObject({ 'victims.identified': 1, 'awareness.campaign_reach': 12_345 });
    expect(built.json().report.assessment.find((c: { id: number }) => c.id === 7)).toMatchObject({ phase: 3 });
    // Building again refreshes the same draft.
    expect((await be.call('POST', '/api/v1/country-reports', { period: currentQuarter() })).json().id).toBe(id);

    const narr = await be.call('PATCH', `/api/v1/country-reports/${id}`, {
      narrative: { summary: 'A first quarter on the alliance node.\n\nMore victims identified.', challenges: 'Staffing' },
    });
    expect(narr.json().report.narrative).toEqual({ summary: 'A first quarter on the alliance node.\n\nMore victims identified.', challenges: 'Staffing' });
    expect((await be.call('PATCH', `/api/v1/country-reports/${id}`, { narrative: { poem: 'x' } })).statusCode).toBe(400);

    const signed = await be.call('POST', `/api/v1/country-reports/${id}/sign`);
    expect(signed.json()).toMatchObject({ status: 'signed', public_key: expect.stringMatching(/^ed25519:/) });
    expect((await be.call('POST', `/api/v1/country-reports/${id}/sign`)).json().code).toBe('COUNTRY_REPORT_SIGNED');
    expect((await be.call('PATCH', `/api/v1/country-reports/${id}`, { narrative: { summary: 'changed' } })).json().code).toBe('COUNTRY_REPORT_SIGNED');
    const env = (await be.call('GET', `/api/v1/country-reports/${id}/envelope`)).json();
    expect(JSON.parse(env.payload).narrative.challenges).toBe('Staffing');
  });

  it('submits to the secretariat, which refuses tampered and non-member reports', async () => {
    const sent = await be.call('POST', `/api/v1/country-reports/${id}/submit`, {});
    expect(sent.json(), sent.body).toMatchObject({ status: 'submitted', submitted_to: 'secretariat' });

    const env = (await be.call('GET', `/api/v1/country-reports/${id}/envelope`)).json();
    const tampered = { ...env, payload: env.payload.replace('"victims.identified":1', '"victims.identified":100') };
    expect(tampered.payload).not.toBe(env.payload);
    await expect(be.node.federation.postToPeer('secretariat', '/federation/v1/country-reports', tampered)).rejects.toThrow(
      /COUNTRY_REPORT_INVALID|does not verify/,
    );

    await outsider.call('POST', '/api/v1/country-reports', { period: currentQuarter() });
    const [draft] = (await outsider.call('GET', '/api/v1/country-reports')).json().reports;
    await outsider.call('POST', `/api/v1/country-reports/${draft.id}/sign`);
    const refused = await outsider.call('POST', `/api/v1/country-reports/${draft.id}/submit`, { to: 'secretariat' });
    // The secretariat's refusal, with its own code (not a broken answer to retry).
    expect([refused.statusCode, refused.json()]).toEqual([
      424,
      {
        code: 'PEER_REFUSED',
        message: 'peer secretariat refused: PEER_UNTRUSTED: "police-xx" is not a registered peer',
        peer: 'secretariat',
        peer_status: 401,
        peer_code: 'PEER_UNTRUSTED',
      },
    ]);
    expect((await outsider.call('GET', `/api/v1/country-reports/${draft.id}`)).json()).toMatchObject({ status: 'signed', delivery_error: expect.any(String) });

    // Signed by the member's own key, but malformed: refused, so one report cannot break the dashboard.
    const broken = seal(be.node.federation.identity, { ...JSON.parse(env.payload), indicators: { values: {} } });
    await expect(be.node.federation.postToPeer('secretariat', '/federation/v1/country-reports', broken)).rejects.toThrow(/removal_by_hosting_country/);
    const lowercase = seal(be.node.federation.identity, { ...JSON.parse(env.payload), period: env.payload.match(/"period":"([^"]+)"/)[1].toLowerCase() });
    await expect(be.node.federation.postToPeer('secretariat', '/federation/v1/country-reports', lowercase)).rejects.toThrow(/canonical period key/);

    const received = (await sec.call('GET', '/api/v1/alliance/reports')).json().reports;
    expect(
      received.map((r: { member: string; report: { indicators: { values: Record<string, number> } } }) => [
        r.member,
        r.report.indicators.values['victims.identified'],
      ]),
    ).toEqual([['police-be', 1]]);
    const audit = JSON.stringify((await sec.call('GET', '/api/v1/audit?action=country_report.refused')).json());
    expect(audit).toMatch(/does not verify/);
  });

  it("shows the members' figures on the secretariat's dashboard, and who has not reported", async () => {
    const d = (await sec.call('GET', '/api/v1/alliance/dashboard?kind=quarter')).json();
    expect(d.latest).toBe(currentQuarter());
    expect(d.countries).toEqual([expect.objectContaining({ member: 'police-be', country: 'BE' })]);
    expect(d.alliance).toEqual([
      { period: currentQuarter(), members: 1, values: expect.objectContaining({ 'victims.identified': 1, 'awareness.campaign_reach': 12_345 }) },
    ]);
    expect(d.not_reported).toEqual([{ member: 'police-fr', country: 'FR' }]);
    expect(d.mnr[0].phases[6]).toBe(3);
    expect((await sec.call('GET', '/api/v1/alliance/dashboard?kind=decade')).statusCode).toBe(400);
  });

  it('exports a PDF that renders and carries the same figures as the CSV and the page', async () => {
    const pdf = await be.call('GET', `/api/v1/country-reports/${id}/pdf`);
    expect([pdf.statusCode, pdf.headers['content-type']]).toEqual([200, 'application/pdf']);
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf.rawPayload);
    execFileSync('pdftoppm', ['-r', '40', '-png', file, join(dir, 'page')]);
    const pages = readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const p of pages) expect(readFileSync(join(dir, p)).subarray(1, 4).toString()).toBe('PNG');
    const text = execFileSync('pdftotext', ['-layout', file, '-'])
      .toString()
      .replace(/[ \t]+/g, ' ');

    const csv = (await be.call('GET', `/api/v1/country-reports/${id}/csv`)).body.trim().split('\n');
    expect(csv[0]).toBe('section,indicator,label,unit,value,baseline,growth,display');
    expect(csv).toContain('victims,victims.identified,Victims identified,count,1,0,,1');
    expect(csv).toContain('awareness,awareness.campaign_reach,People reached by campaigns,count,12345,0,,"12,345"');
    const html = (await be.call('GET', `/api/v1/country-reports/${id}/html`)).body;
    for (const [label, shown] of [
      ['People reached by campaigns', formatValue('count', 12_345)],
      ['Victims identified', '1'],
    ]) {
      expect(text).toMatch(new RegExp(`${label} ${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`));
      expect(html).toContain(`>${label}</td><td class="num value">${shown}<`);
    }
    expect(text).toContain('Access to image databases');
    expect(text).toContain('Staffing');
  });
});
