/**
 * Acceptance: three country nodes and the secretariat's node (real processes on 127.0.0.1). Each
 * country records victims identified and awareness campaigns in three quarters, builds, signs and
 * submits a report per quarter; the secretariat refuses a tampered report (sent with the member's
 * own request signature) and a report signed by a node that is not a member; its dashboard, opened
 * in Chromium, shows the three countries' trends, and the charts' values are the submitted
 * numbers. A screenshot is kept under test-results/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdentity } from '../../src/exchange/identity.js';
import { signRequest } from '../../src/exchange/request-signing.js';
import { REPO } from '../support/paths.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

declare const sessionStorage: { setItem(key: string, value: string): void };

const dirs: string[] = [];
type Node = ServerProcess & { name: string; dir: string; call: (method: string, path: string, body?: unknown) => ReturnType<typeof http> };

async function node(name: string, country: string, kind: string, extra: NodeJS.ProcessEnv = {}): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-rep-${name}-`));
  dirs.push(dir);
  const s = await startServer([], {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: name,
    ALLIANCE_MEMBER_KIND: kind,
    ALLIANCE_MEMBER_COUNTRY: country,
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ...extra,
  });
  return Object.assign(s, { name, dir, call: (method: string, path: string, body?: unknown) => http(`${s.url}${path}`, s.token, method, body) });
}

/** The three quarters reported: the current one and the two before. */
function quarters(): Array<{ key: string; day: string }> {
  const d = new Date();
  const index = d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3);
  return [index - 2, index - 1, index].map((i) => {
    const y = Math.floor(i / 4);
    const q = i % 4;
    return { key: `${y}-Q${q + 1}`, day: `${y}-${String(q * 3 + 1).padStart(2, '0')}-02` };
  });
}

describe('country reports to the secretariat, and its dashboard', () => {
  let sec: Node;
  let countries: Node[];
  let outsider: Node;
  let browser: Browser;
  const Q = quarters();
  /** Victims identified and campaign reach per country and quarter: what the charts must show. */
  const plan: Record<string, { victims: number[]; reach: number[] }> = {
    'police-be': { victims: [1, 2, 3], reach: [1000, 1500, 2000] },
    'bka-de': { victims: [2, 0, 4], reach: [500, 0, 800] },
    'police-nl': { victims: [0, 1, 1], reach: [3000, 2500, 1200] },
  };

  beforeAll(async () => {
    sec = await node('secretariat', '', 'secretariat');
    countries = await Promise.all([
      node('police-be', 'BE', 'authority', { ALLIANCE_SECRETARIAT_PEER: 'secretariat' }),
      node('bka-de', 'DE', 'authority', { ALLIANCE_SECRETARIAT_PEER: 'secretariat' }),
      node('police-nl', 'NL', 'authority', { ALLIANCE_SECRETARIAT_PEER: 'secretariat' }),
    ]);
    outsider = await node('police-xx', 'FR', 'authority', { ALLIANCE_SECRETARIAT_PEER: 'secretariat' });
    const identity = async (n: Node) => (await n.call('GET', '/api/v1/identity')).json;
    const s = await identity(sec);
    for (const c of [...countries, outsider])
      expect(
        (await c.call('POST', '/api/v1/peers', { name: 'secretariat', url: sec.url, public_key: s.public_key, country: null, kind: 'secretariat' })).status,
      ).toBe(201);
    for (const c of countries) {
      const id = await identity(c);
      expect(
        (await sec.call('POST', '/api/v1/peers', { name: id.member, url: c.url, public_key: id.public_key, country: id.country, kind: 'authority' })).status,
      ).toBe(201);
    }
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([sec, ...(countries ?? []), outsider].filter(Boolean).map((n) => n.stop('SIGKILL')));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('each country submits a signed report per quarter', async () => {
    for (const c of countries) {
      const p = plan[c.name];
      for (const [i, q] of Q.entries()) {
        if (p.victims[i]) {
          const series = (await c.call('POST', '/api/v1/series', { name: `${c.name} ${q.key}` })).json;
          for (let v = 0; v < p.victims[i]; v++)
            expect((await c.call('POST', `/api/v1/series/${series.id}/victims`, { identified_on: q.day })).status).toBe(201);
        }
        if (p.reach[i])
          expect(
            (
              await c.call('POST', '/api/v1/campaigns', {
                country: c.name === 'bka-de' ? 'DE' : c.name === 'police-be' ? 'BE' : 'NL',
                title: `Campaign ${q.key}`,
                audience: 'children',
                channel: 'online',
                reach: p.reach[i],
                starts_on: q.day,
              })
            ).status,
          ).toBe(201);
      }
      expect(
        (
          await c.call('PUT', `/api/v1/mnr/${Q[2].key}`, {
            ratings: [{ capability: 7, phase: c.name === 'police-be' ? 4 : 2, evidence: 'Node connected to the alliance banks' }],
          })
        ).status,
      ).toBe(200);
      for (const q of Q) {
        const built = await c.call('POST', '/api/v1/country-reports', { period: q.key });
        expect(built.status, built.text).toBe(201);
        expect((await c.call('POST', `/api/v1/country-reports/${built.json.id}/sign`)).json.status).toBe('signed');
        const sent = await c.call('POST', `/api/v1/country-reports/${built.json.id}/submit`, {});
        expect(sent.json, sent.text).toMatchObject({ status: 'submitted', submitted_to: 'secretariat' });
      }
    }
    const received = (await sec.call('GET', '/api/v1/alliance/reports')).json.reports;
    expect(received).toHaveLength(9);
  });

  it('refuses a tampered report and a report from a node that is not a member', async () => {
    const be = countries[0];
    const [latest] = (await be.call('GET', '/api/v1/country-reports')).json.reports;
    const env = (await be.call('GET', `/api/v1/country-reports/${latest.id}/envelope`)).json;
    const tampered = JSON.stringify({ ...env, payload: env.payload.replace(/"victims\.identified":\d+/, '"victims.identified":999') });
    // Sent with police-be's own key: the request is genuine, the report is not.
    const headers = signRequest(loadIdentity(be.dir), 'police-be', 'secretariat', 'POST', '/federation/v1/country-reports', tampered);
    const res = await fetch(`${sec.url}/federation/v1/country-reports`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: tampered,
    });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([400, 'COUNTRY_REPORT_INVALID']);

    const built = (await outsider.call('POST', '/api/v1/country-reports', { period: Q[2].key })).json;
    await outsider.call('POST', `/api/v1/country-reports/${built.id}/sign`);
    const refused = await outsider.call('POST', `/api/v1/country-reports/${built.id}/submit`, {});
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.json.message).toMatch(/not signed by the key registered|PEER_UNTRUSTED|401/);
    // Nothing of either reached the dashboard.
    const d = (await sec.call('GET', '/api/v1/alliance/dashboard?kind=quarter')).json;
    expect(d.countries.map((c: { member: string }) => c.member).sort()).toEqual(['bka-de', 'police-be', 'police-nl']);
    expect(d.alliance.at(-1).values['victims.identified']).toBe(3 + 4 + 1);
  });

  it("shows the three countries' trends in Chromium, the charts carrying the submitted numbers", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1800 } });
    await context.addInitScript((t) => sessionStorage.setItem('alliance.token', t), sec.token!);
    const page = await context.newPage();
    await page.goto(`${sec.url}/alliance`);
    await page.getByRole('heading', { level: 1, name: 'Alliance' }).waitFor();
    await page.locator('figure[data-chart]').first().waitFor();
    expect(await page.locator('ul.not-reported').count()).toBe(0); // every member reported

    const names = { 'police-be': 'BE (police-be)', 'bka-de': 'DE (bka-de)', 'police-nl': 'NL (police-nl)' } as const;
    const chartTable = async (slug: string) => {
      const table = page.locator(`figure[data-chart="${slug}"] table.chart-data`);
      const head = await table.locator('thead th').allInnerTexts();
      const rows = await table
        .locator('tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c as { textContent: string }).textContent)));
      return { head, rows };
    };
    for (const [slug, key] of [
      ['target-1-victims-identified', 'victims'],
      ['target-3-people-reached-by-campaigns', 'reach'],
    ] as const) {
      const { head, rows } = await chartTable(slug);
      expect(head.slice(1)).toEqual([...Object.values(names), 'alliance']);
      expect(rows).toEqual(
        Q.map((q, i) => [
          q.key,
          ...Object.keys(names).map((m) => String(plan[m][key][i])),
          String(Object.keys(names).reduce((n, m) => n + plan[m][key][i], 0)),
        ]),
      );
      // The numbers printed on the bars are the same (a bar of 0 has no height and no label).
      const labels = (await page.locator(`figure[data-chart="${slug}"] .recharts-label-list text`).allTextContents()).map(Number).sort((a, b) => a - b);
      expect(labels).toEqual(
        Object.keys(names)
          .flatMap((m) => plan[m][key])
          .filter((v) => v > 0)
          .sort((a, b) => a - b),
      );
    }
    expect(await page.locator('table.heatmap tbody tr').count()).toBe(3);
    expect(await page.locator('table.heatmap tr[data-member="police-be"] td').nth(6).innerText()).toBe('4'); // capability 7, phase 4
    expect(await page.locator('table.heatmap tr[data-member="bka-de"] td.phase-2').count()).toBe(1);
    mkdirSync(join(REPO, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(REPO, 'test-results', 'alliance-dashboard.png'), fullPage: true });
    await context.close();
  });
});
