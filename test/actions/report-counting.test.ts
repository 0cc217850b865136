/**
 * A report is "sent" when a receiving authority received it. On a node with one report delivered
 * to another country's authority and one kept here for want of any authority or fall-back for its
 * jurisdiction, the indicators say sent 1, routed abroad 1, undelivered 1; the signed country report
 * says the same; and the analyst who confirmed the second review was told at once. Both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/dialects.js';
import { startApi, type TestApi } from '../support/api.js';

const PDQ_A = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const PDQ_B = '0000f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22'.replace(/^0000/, 'ffff');
const IP_DE = '193.99.144.80';
const IP_FR = '193.51.224.1';

function quarter(): string {
  const d = new Date();
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

describe.each(DIALECTS)('counting reports by delivery on %s', (dialect) => {
  let nl: TestApi;
  let de: TestApi;

  beforeAll(async () => {
    nl = await startApi(dialect, { memberName: 'police-nl', memberKind: 'authority', memberCountry: 'NL' });
    de = await startApi('sqlite', { memberName: 'police-de', memberKind: 'authority', memberCountry: 'DE' });
    const [nlUrl, deUrl] = await Promise.all([nl, de].map((n) => n.app.listen({ port: 0, host: '127.0.0.1' })));
    const key = async (n: TestApi) => (await n.call('GET', '/api/v1/identity')).json().public_key;
    expect(
      (await nl.call('POST', '/api/v1/peers', { name: 'police-de', url: deUrl, public_key: await key(de), kind: 'authority', country: 'DE' })).statusCode,
    ).toBe(201);
    expect(
      (await de.call('POST', '/api/v1/peers', { name: 'police-nl', url: nlUrl, public_key: await key(nl), kind: 'authority', country: 'NL' })).statusCode,
    ).toBe(201);
    expect((await nl.call('PUT', '/api/v1/routing/DE', { peer: 'police-de' })).statusCode).toBe(200);
    await nl.call('POST', '/api/v1/banks', { name: 'KNOWN' });
    for (const value of [PDQ_A, PDQ_B])
      expect(
        (await nl.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'pdq', value }], classification: 'industry:A1' })).statusCode,
      ).toBe(201);
    expect(
      (await nl.call('POST', '/api/v1/rules', { name: 'review and report', conditions: { banks: ['KNOWN'] }, actions: ['review', 'report'] })).statusCode,
    ).toBe(201);
  });
  afterAll(async () => {
    await nl?.close();
    await de?.close();
  });

  /** Submits content, confirms its review; returns the verdict's answer. */
  async function confirm(pdq: string, ip: string) {
    const s = await nl.call('POST', '/api/v1/submissions', { signals: { pdq }, ip });
    expect(s.json().decision).toBe('review');
    const items = (await nl.call('GET', '/api/v1/reviews')).json().items as Array<{ id: number; submission_id: number }>;
    const item = items.find((i) => i.submission_id === s.json().id)!;
    const verdict = await nl.call('POST', `/api/v1/reviews/${item.id}/verdict`, { verdict: 'confirmed' });
    expect(verdict.statusCode, verdict.body).toBe(200);
    return verdict.json() as { warnings: string[] };
  }

  it('counts sent and routed abroad from deliveries, the kept report as undelivered, and warns at confirmation', async () => {
    expect((await confirm(PDQ_A, IP_DE)).warnings).toEqual([]);
    const kept = await confirm(PDQ_B, IP_FR);
    expect(kept.warnings).toEqual([
      expect.stringMatching(/no receiving authority is registered for FR and there is no fall-back contact .*kept on this node, undelivered/),
    ]);
    // The follow-ups make the reports; the delivery job sends the one that has somewhere to go.
    for (let i = 0; i < 3; i++) await nl.node.jobs.tick();
    const reports = (await nl.call('GET', '/api/v1/reports?direction=out')).json().reports as Array<{
      country: string;
      routed_to: string | null;
      delivery_state: string | null;
    }>;
    expect(reports.map((r) => [r.country, r.routed_to]).sort()).toEqual([
      ['DE', 'police-de'],
      ['FR', null],
    ]);
    expect((await de.call('GET', '/api/v1/reports?direction=in')).json().reports).toHaveLength(1);

    const period = quarter();
    const values = (await nl.call('GET', `/api/v1/indicators?period=${period}`)).json().indicators.values;
    expect(values).toMatchObject({
      'offenders.reports_sent': 1,
      'offenders.reports_routed_abroad': 1,
      'offenders.reports_referral': 1,
      'offenders.reports_informational': 0,
      'offenders.reports_undelivered': 1,
    });

    const built = (await nl.call('POST', '/api/v1/country-reports', { period })).json();
    const signed = (await nl.call('POST', `/api/v1/country-reports/${built.id}/sign`)).json();
    expect(signed.report.indicators.values).toMatchObject({
      'offenders.reports_sent': 1,
      'offenders.reports_routed_abroad': 1,
      'offenders.reports_undelivered': 1,
    });
  });
});
