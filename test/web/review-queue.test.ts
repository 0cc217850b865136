/**
 * The review queue in a real browser (Debian's Chromium through playwright-core) against a real
 * `alliance serve`: each item's context and one line per matching bank; the keyboard; the
 * exposure counter and the break reminder; a verdict through its dialog (and a cancelled one that
 * sends nothing); a bulk confirmation of exact-hash matches of confirmed content.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDQ_IMAGES, REPO } from '../support/paths.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';
import { until } from '../support/until.js';

declare const sessionStorage: { setItem(key: string, value: string): void };
declare const localStorage: { getItem(key: string): string | null };
declare const document: { documentElement: { scrollWidth: number; clientWidth: number } };
declare const axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: unknown[] }> }> };

const AXE = join(REPO, 'node_modules/axe-core/axe.min.js');
const BRIDGE = join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg');
const P1 = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22'; // aaa-orig.jpg
const P1_NEAR = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b23';
const P1_FAR = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2f';
const P2 = 'e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064';
const M1 = '0123456789abcdef0123456789abcdef';
const S1 = 'ab'.repeat(32);

let dataDir: string;
let server: ServerProcess;
let token: string;
let browser: Browser;
const failed: string[] = [];

const api = async (path: string, method = 'GET', body?: unknown) => {
  const r = await http(`${server.url}/api/v1${path}`, token, method, body);
  expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
  return r.json;
};
const submit = async (body: Record<string, unknown>): Promise<number> => (await api('/submissions', 'POST', body)).review_id;
const status = async (id: number): Promise<string> => (await api(`/reviews/${id}`)).status;
const reportCount = async (): Promise<number> => (await api('/reports')).reports.length;
const text = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ').trim();

let withMedia: number;
let bare: number;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'alliance-review-web-'));
  server = await startServer([], { ALLIANCE_DATA_DIR: dataDir });
  if (!server.token) throw new Error(`no admin token printed:\n${server.stderr()}`);
  token = server.token;
  for (const name of ['KNOWN', 'PARTNER']) await api('/banks', 'POST', { name });
  const add = (bank: string, signals: Array<[string, string]>, classification: string) =>
    api(`/banks/${bank}/content`, 'POST', { signals: signals.map(([signal_type, value]) => ({ signal_type, value })), classification });
  await add(
    'KNOWN',
    [
      ['pdq', P1],
      ['md5', M1],
      ['sha256', S1],
    ],
    'industry:A1',
  );
  await add('KNOWN', [['pdq', P1_NEAR]], 'industry:A1');
  await add('PARTNER', [['pdq', P1_FAR]], 'uk:C');
  await add('KNOWN', [['pdq', P2]], 'uk:C');
  await api('/rules', 'POST', { name: 'review and report every match', actions: ['review', 'report'] });

  // An upload with its context (its media kept for the review), and a bare hash.
  const form = new FormData();
  for (const [k, v] of Object.entries({
    source: 'profile-photo',
    external_id: 'post-17',
    ip: '193.99.144.80',
    url: 'https://images.example.com/p/17.jpg',
    account: JSON.stringify({ id: 'u-9', country: 'de' }),
  }))
    form.append(k, v);
  form.append('file', new Blob([readFileSync(BRIDGE)]), 'holiday.jpg');
  const up = await fetch(`${server.url}/api/v1/submissions/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const upJson = (await up.json()) as { review_id: number };
  expect(up.status, JSON.stringify(upJson)).toBe(201);
  withMedia = upJson.review_id;
  bare = await submit({ signals: { pdq: P2 } });
  browser = await launchChromium();
});

afterAll(async () => {
  expect(failed, 'failed requests and console errors').toEqual([]);
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function openReview(): Promise<Page> {
  // bypassCSP: axe-core is put into the page as a script the node's CSP would refuse.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  await context.addInitScript((t) => sessionStorage.setItem('alliance.token', t), token);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') failed.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => failed.push(`request failed: ${r.url()}`));
  await page.goto(`${server.url}/review`);
  await page.getByRole('heading', { level: 1, name: 'Review' }).waitFor();
  await page.locator('article.review-item').first().waitFor();
  return page;
}
const article = (page: Page, id: number) => page.locator(`article[data-review="${id}"]`);

describe('the review queue', () => {
  it("shows each item's context, its urgency in words and one line per matching bank", async () => {
    const page = await openReview();
    const item = article(page, withMedia);
    expect(await text(item.locator('h2'))).toBe(`Review ${withMedia} Urgent`);
    expect(await text(item.locator('.urgency-reason'))).toMatch(
      /^Baseline-illegal classification, new to this node, nearest match at distance 0; queued .+\.$/,
    );
    expect(await text(article(page, bare).locator('h2'))).toBe(`Review ${bare} High`);
    expect(await text(item.locator('dl.review-context'))).toMatch(
      /^Source profile-photo \(submission \d+, platform id post-17\) Account u-9, country DE IP country DE URL https:\/\/images\.example\.com\/p\/17\.jpg Host images\.example\.com First seen .+ Re-uploads 0$/,
    );
    expect(
      await item
        .getByRole('list', { name: `Matching banks of review ${withMedia}` })
        .getByRole('listitem')
        .allInnerTexts(),
    ).toEqual(['KNOWN: PDQ distance 0 (best of 2 matches), industry:A1 (baseline)', 'PARTNER: PDQ distance 3, uk:C (national)']);
    expect(await text(article(page, bare).locator('dl.review-context'))).toMatch(
      /^Source upload \(submission \d+, platform id unknown\) Account unknown, country unknown IP country unknown URL unknown Host unknown/,
    );
    // It fits 1280 px and has no serious accessibility violation.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => (await axe.run(globalThis, { resultTypes: ['violations'] })).violations);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id} ${JSON.stringify(v.nodes)}`)).toEqual(
      [],
    );
    mkdirSync(join(REPO, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(REPO, 'test-results', 'review-queue.png'), fullPage: true });
    // The keys are listed on the page.
    expect(await page.getByRole('region', { name: 'Keyboard shortcuts' }).getByRole('listitem').allInnerTexts()).toEqual(
      expect.arrayContaining(['j / ↓ next item', 'k / ↑ previous item', 'r reveal or hide the media', 'c confirm (asks first)', 'x reject (asks first)']),
    );
    await page.context().close();
  });

  it('moves by keyboard, counts each reveal this session and today, and reminds of a break at the configured number', async () => {
    const page = await openReview();
    await page.getByText('Break reminder').click();
    await page.getByLabel('After reveals').fill('2');
    await page.getByLabel('or after minutes').fill('0');
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('alliance.review.break'))) ?? 'null')).toEqual({ reveals: 2, minutes: 0 });
    await page.getByLabel('or after minutes').blur(); // out of the field: the keys are the queue's again

    const current = () => page.locator('article[aria-current="true"]').getAttribute('data-review');
    expect(await current()).toBe(String(withMedia)); // most urgent first
    await page.keyboard.press('j');
    expect(await current()).toBe(String(bare));
    await page.keyboard.press('k');
    expect(await current()).toBe(String(withMedia));

    const image = page.getByRole('img', { name: `Media of review ${withMedia}` });
    await image.waitFor();
    const session = page.getByTestId('exposure-session');
    const today = page.getByTestId('exposure-today');
    expect([await text(session), await text(today)]).toEqual(['0', '0']);
    await page.keyboard.press('r');
    await until(async () => ((await text(today)) === '1' ? true : undefined), 'the first reveal counted');
    expect(await image.getAttribute('class')).toBe('revealed');
    expect(await text(session)).toBe('1');
    expect(await page.getByRole('alert').count()).toBe(0); // one reveal: no reminder yet
    await page.keyboard.press('r'); // hides: not a reveal
    expect(await image.getAttribute('class')).toBe('veiled');
    await page.keyboard.press('r');
    await until(async () => ((await text(today)) === '2' ? true : undefined), 'the second reveal counted');
    expect(await text(session)).toBe('2');
    const reminder = page.getByRole('alert');
    await reminder.waitFor();
    expect(await text(reminder)).toMatch(/^Time for a break: 2 reveals and 0 minutes since your last one\. I took a break$/);
    expect((await api('/reviews')).reveals_today).toBe(2); // the server counted both

    await page.getByRole('button', { name: 'I took a break' }).click();
    expect(await reminder.count()).toBe(0);
    expect(await text(session)).toBe('2'); // the session's count stays
    await page.context().close();
  });

  it('confirms a review through its dialog; a cancelled one sends nothing', async () => {
    const page = await openReview();
    await page.keyboard.press('j');
    await page.keyboard.press('c'); // the bare one: asks first
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await text(dialog.getByRole('heading'))).toBe(`Confirm review ${bare} as abuse material?`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.count()).toBe(0);

    await article(page, withMedia).getByRole('button', { name: 'Confirm', exact: true }).click();
    await dialog.waitFor();
    expect(await text(dialog)).toMatch(/files an incident report, routed to the authority of the reported user's country/);
    await dialog.getByRole('button', { name: 'Confirm the match' }).click();
    await article(page, withMedia).waitFor({ state: 'detached' });
    expect(await status(withMedia)).toBe('confirmed');
    await until(async () => ((await reportCount()) > 0 ? true : undefined), 'the report of the confirmed review');
    expect(await reportCount()).toBe(1); // the confirmed one's only
    expect(await status(bare)).toBe('pending'); // the cancelled one: no verdict
    await page.context().close();
  });

  it('bulk-confirms exact-hash matches of confirmed content, and offers no other item for it', async () => {
    const md5 = await submit({ signals: { md5: M1 } });
    const sha = await submit({ signals: { sha256: S1 } });
    const page = await openReview();
    await article(page, sha).waitFor();
    expect(await article(page, bare).getByRole('checkbox').count()).toBe(0);
    expect(await article(page, md5).getByRole('listitem').allInnerTexts()).toEqual(['KNOWN: exact MD5 match, industry:A1 (baseline)']);
    await page.getByLabel(`Select review ${md5} for bulk confirmation`).check();
    await article(page, sha).focus();
    await page.keyboard.press('s'); // the key selects too
    expect(await page.getByLabel(`Select review ${sha} for bulk confirmation`).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Confirm 2 selected' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await text(dialog.getByRole('heading'))).toBe('Confirm 2 reviews as abuse material?');
    expect(await text(dialog)).toContain(
      `Sends one confirmation for reviews ${md5}, ${sha}: each is an exact-hash match (MD5 or SHA-256) of content already confirmed.`,
    );
    await dialog.getByRole('button', { name: 'Confirm 2 matches' }).click();
    await page.getByRole('status').filter({ hasText: 'Bulk verdict' }).waitFor();
    expect(await text(page.getByRole('status').filter({ hasText: 'Bulk verdict' }))).toBe('Bulk verdict: 2 confirmed, 0 refused.');
    expect([await status(md5), await status(sha), await status(bare)]).toEqual(['confirmed', 'confirmed', 'pending']);
    await page.context().close();
  });
});
