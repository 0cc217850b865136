/**
 * Acceptance, end to end on 127.0.0.1 with real processes: a platform node (NL) receives an upload
 * that matches a bank → a review item → an analyst confirms it in the web UI (Chromium) → an
 * incident report is made, routed by the uploader's IP to the receiving authority of Germany (a
 * second node process, on PostgreSQL), which lists it; a takedown notice goes to a local hosting
 * provider and is re-sent on schedule (a short interval stands in for 24 h) until the host answers
 * "removed"; the time to removal is recorded. The same content uploaded again is blocked at once
 * and counted as a re-upload.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDatabase } from '../support/dialects.js';
import { PDQ_IMAGES } from '../support/paths.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

declare const document: { querySelector(selector: string): { textContent: string | null } | null };
declare const sessionStorage: { setItem(key: string, value: string): void };
declare function getComputedStyle(element: unknown): { filter: string };

const IMAGE = readFileSync(join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg'));
const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const GERMAN_IP = '193.99.144.80'; // registered in Germany in the shipped IP database
const dirs: string[] = [];

type Node = ServerProcess & { call: (method: string, path: string, body?: unknown, token?: string) => ReturnType<typeof http> };

async function node(name: string, kind: string, country: string, extra: NodeJS.ProcessEnv = {}): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-e2e-${name}-`));
  dirs.push(dir);
  const s = await startServer([], {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: name,
    ALLIANCE_MEMBER_KIND: kind,
    ALLIANCE_MEMBER_COUNTRY: country,
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ALLIANCE_ACTIONS_TICK_MS: '100',
    ...extra,
  });
  return Object.assign(s, { call: (method: string, path: string, body?: unknown, token?: string) => http(`${s.url}${path}`, token ?? s.token, method, body) });
}

async function upload(n: Node, fields: Record<string, string>): Promise<{ status: number; json: any }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([IMAGE], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await fetch(`${n.url}/api/v1/submissions/upload`, { method: 'POST', body: form, headers: { authorization: `Bearer ${n.token}` } });
  return { status: res.status, json: await res.json() };
}

describe('acting on a match, end to end', () => {
  let platform: Node;
  let authority: Node;
  let hosting: Server;
  let browser: Browser;
  let analystToken: string;
  const host = { notices: 0, removedAfter: 3 };
  let imageUrl: string;

  beforeAll(async () => {
    hosting = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/abuse') {
        req.resume();
        host.notices++;
        return res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: host.notices >= host.removedAfter ? 'removed' : 'received' }));
      }
      if (req.url === '/img/1.jpg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(IMAGE);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => hosting.listen(0, '127.0.0.1', r));
    const hostingUrl = `http://127.0.0.1:${(hosting.address() as { port: number }).port}`;
    imageUrl = `${hostingUrl}/img/1.jpg`;
    [platform, authority] = await Promise.all([
      node('platform-nl', 'platform', 'NL', {
        ALLIANCE_NOTICE_RESEND_MS: '300',
        ALLIANCE_FETCH_ALLOWED_HOSTS: `127.0.0.1:${(hosting.address() as { port: number }).port}`,
      }),
      node('bka-de', 'authority', 'DE', { ALLIANCE_DATABASE_URL: await freshPgDatabase() }),
    ]);
    const [pid, aid] = await Promise.all([platform.call('GET', '/api/v1/identity'), authority.call('GET', '/api/v1/identity')]);
    expect(
      (await platform.call('POST', '/api/v1/peers', { name: 'bka-de', url: authority.url, public_key: aid.json.public_key, country: 'DE', kind: 'authority' }))
        .status,
    ).toBe(201);
    expect(
      (
        await authority.call('POST', '/api/v1/peers', {
          name: 'platform-nl',
          url: platform.url,
          public_key: pid.json.public_key,
          country: 'NL',
          kind: 'platform',
        })
      ).status,
    ).toBe(201);
    expect((await platform.call('PUT', '/api/v1/routing/DE', { peer: 'bka-de' })).status).toBe(200);
    await platform.call('POST', '/api/v1/banks', { name: 'KNOWN' });
    await platform.call('POST', '/api/v1/banks/KNOWN/content', { signals: [{ signal_type: 'pdq', value: PDQ }], classification: 'industry:A1' });
    expect(
      (
        await platform.call('POST', '/api/v1/rules', {
          name: 'known material',
          conditions: { banks: ['KNOWN'], max_distance: 31 },
          actions: ['review', 'report', 'notice'],
        })
      ).status,
    ).toBe(201);
    expect((await platform.call('POST', '/api/v1/providers', { name: 'Local Hosting', domains: ['127.0.0.1'], abuse_url: `${hostingUrl}/abuse` })).status).toBe(
      201,
    );
    await platform.call('POST', '/api/v1/members', { name: 'trust-safety', kind: 'platform', country: 'NL' });
    analystToken = (await platform.call('POST', '/api/v1/tokens', { member: 'trust-safety', role: 'analyst', label: 'analyst' })).json.token;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([platform, authority].filter(Boolean).map((n) => n.stop('SIGKILL')));
    hosting?.closeAllConnections();
    hosting?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  let first: number;

  it('an upload that matches waits for review', async () => {
    expect(analystToken).toMatch(/^alli_/);
    const r = await upload(platform, {
      ip: GERMAN_IP,
      url: imageUrl,
      source: 'upload',
      external_id: 'post-1',
      uploaded_at: new Date(Date.now() - 2000).toISOString(),
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ decision: 'review', matches: [{ bank: 'KNOWN', distance: 0 }], review_id: expect.any(Number) });
    first = r.json.id;
  });

  it('the analyst confirms in the web UI, with the media veiled until revealed', async () => {
    const context = await browser.newContext();
    await context.addInitScript((t) => sessionStorage.setItem('alliance.token', t), analystToken);
    const page = await context.newPage();
    await page.goto(`${platform.url}/review`);
    await page.getByRole('heading', { level: 1, name: 'Review' }).waitFor();
    const img = page.getByRole('img', { name: /Media of review/ });
    await img.waitFor();
    expect(await img.evaluate((el) => getComputedStyle(el).filter)).toBe('blur(24px) grayscale(1)');
    expect(await page.getByTestId('exposure').innerText()).toBe('Your reveals: 0 this session, 0 today');
    await page.getByRole('button', { name: 'Reveal' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="exposure"]')?.textContent === 'Your reveals: 1 this session, 1 today');
    expect(await img.evaluate((el) => getComputedStyle(el).filter)).toBe('none');
    expect(await page.locator('.reasons').innerText()).toBe('KNOWN: PDQ distance 0, industry:A1 (baseline)');
    // Confirming sends a report: a dialog says so first; Cancel sends nothing.
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: /^Confirm review \d+ as abuse material\?$/ });
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/files an incident report, routed to the authority of the reported user's country/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await platform.call('GET', '/api/v1/reviews?status=pending')).json.items).toHaveLength(1);
    expect((await platform.call('GET', '/api/v1/reports?direction=out')).json.reports).toHaveLength(0);
    await page.getByRole('button', { name: 'Confirm', exact: true }).click();
    await dialog.getByRole('button', { name: 'Confirm the match' }).click();
    await page.getByText('Nothing waits for review.').waitFor();
    await context.close();
  });

  it('the report is routed by IP to the German authority, which lists it', async () => {
    const incoming = await until(async () => {
      const r = (await authority.call('GET', '/api/v1/reports?direction=in')).json.reports;
      return r.length ? r : undefined;
    });
    expect(incoming).toMatchObject([
      {
        uid: expect.stringMatching(/^platform-nl\/\d+$/),
        from_member: 'platform-nl',
        kind: 'referral',
        country: 'DE',
        status: 'finished',
        incident_type: 'child_pornography',
        files: [{ hashes: { pdq: PDQ } }],
      },
    ]);
    expect(incoming[0].reported_user.ip_capture_events[0].ip).toBe(GERMAN_IP);
    const sent = (await platform.call('GET', '/api/v1/reports')).json.reports;
    expect(sent).toMatchObject([{ uid: incoming[0].uid, routed_to: 'bka-de', routing_basis: 'ip', delivery: { state: 'delivered' } }]);
    // The authority's UI lists it among the received reports.
    const context = await browser.newContext();
    await context.addInitScript((t) => sessionStorage.setItem('alliance.token', t), authority.token!);
    const page = await context.newPage();
    await page.goto(`${authority.url}/reports`);
    await page.getByRole('tab', { name: 'Received' }).click();
    const row = page.locator(`tr[data-report="${incoming[0].uid}"]`);
    await row.waitFor();
    expect(await row.innerText()).toMatch(/finished\s+child pornography\s+DE by ip\s+referral\s+platform-nl/);
    await context.close();
  });

  it('the notice is re-sent on schedule until the host answers "removed"; time to removal is recorded', async () => {
    const notice = await until(async () => {
      const [n] = (await platform.call('GET', '/api/v1/notices')).json.notices;
      return n?.status === 'removed' ? n : undefined;
    });
    expect(notice).toMatchObject({ url: imageUrl, provider: 'Local Hosting', status: 'removed', closed_by: 'host', sends: 3 });
    expect(notice.hours_to_removal).toBeGreaterThan(0);
    expect(host.notices).toBe(3);
    const detail = (await platform.call('GET', `/api/v1/notices/${notice.id}`)).json;
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'sent', 'recheck_present', 'sent', 'recheck_present', 'sent', 'removed']);
    const sends = detail.events.filter((e: { kind: string }) => e.kind === 'sent').map((e: { at: string }) => Date.parse(e.at));
    expect(sends[1] - sends[0]).toBeGreaterThanOrEqual(300); // re-sent after the interval, not at once
    const metrics = (await platform.call('GET', '/api/v1/action-metrics')).json;
    expect(metrics.notice_to_removal).toMatchObject({ count: 1 });
    expect(metrics.upload_to_removal.median_ms).toBeGreaterThan(2000);
  });

  it('the same content uploaded again is blocked at once and counted as a re-upload', async () => {
    const again = await upload(platform, { ip: GERMAN_IP, source: 'upload', external_id: 'post-2' });
    expect(again.json).toMatchObject({ decision: 'block', reupload_of: first, review_id: null });
    expect((await platform.call('GET', '/api/v1/action-metrics')).json).toMatchObject({ reuploads_blocked: 1, reviews: { confirmed: 1, pending: 0 } });
  });
});
