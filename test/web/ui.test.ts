/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against a real
 * `alliance serve --demo`: sign-in, banks, a bank's content, matching and the veiled preview.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { NAV_GROUPS, NAV_LINKS } from '../../src/api/ui-routes.js';
import { WEB_ROOT } from '../../src/api/web.js';
import { runCli } from '../support/cli.js';
import { PDQ_IMAGES, REPO } from '../support/paths.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

// The browser globals the page functions below use (test/tsconfig.json has no DOM library).
declare const sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
declare function getComputedStyle(element: unknown): { filter: string; backgroundColor: string };
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  activeElement: { textContent: string | null } | null;
};

const AAA_ORIG_PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const C_PNG_PDQ = 'e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064'; // misc-images/c.png, allow-listed in DEMO_ALLOW

let dataDir: string;
let server: ServerProcess;
let token: string;
let browser: Browser;
/** Every request the pages made that did not go to the node, and every API request without the token. */
const foreign: string[] = [];
const unauthenticated: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'alliance-web-'));
  server = await startServer(['--demo'], {
    ALLIANCE_DATA_DIR: dataDir,
    ALLIANCE_WEBHOOK_MAX_ATTEMPTS: '1',
    ALLIANCE_DECONFLICTION_KEY: 'ab'.repeat(32),
    ALLIANCE_FETCH_ALLOWED_HOSTS: '127.0.0.1:9',
  });
  if (!server.token) throw new Error(`no admin token printed:\n${server.stderr()}`);
  token = server.token;
  browser = await launchChromium();
});

/** Cleanups registered by tests. */
const after: Array<() => Promise<void>> = [];

afterAll(async () => {
  // Checked once every page has run (a test of its own would only see the pages before it).
  expect({ foreign, unauthenticated }, 'requests off the node or without the token').toEqual({ foreign: [], unauthenticated: [] });
  for (const f of after) await f();
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/**
 * A fresh tab; signed in unless `signedIn` is false (the token is put in sessionStorage as the
 * sign-in page does), with another token if it is one.
 */
async function open(path: string, signedIn: boolean | string = true, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  if (signedIn) await context.addInitScript((t) => sessionStorage.setItem('alliance.token', t), signedIn === true ? token : signedIn);
  const page = await context.newPage();
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
    if (url.startsWith(`${server.url}/api/`) && !/^Bearer alli_/.test(req.headers().authorization ?? '')) unauthenticated.push(url);
  });
  await page.goto(server.url + path);
  return page;
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
const text = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ').trim();
const filterOf = (l: Locator) => l.evaluate((el) => getComputedStyle(el).filter);

describe('web UI', () => {
  it('refuses a wrong token with the API message, signs in with the right one, signs out', async () => {
    const page = await open('/banks', false);
    await page.waitForURL('**/signin');
    await heading(page, 'Sign in');
    await page.getByLabel('Token').fill('alli_not_a_real_token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await text(page.getByRole('alert'))).toBe('Sign-in failed: unknown or revoked token. UNAUTHENTICATED · HTTP 401');
    expect(await page.evaluate(() => sessionStorage.getItem('alliance.token'))).toBeNull();

    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/banks'); // back to the page asked for
    await heading(page, 'Banks');
    expect(await page.evaluate(() => sessionStorage.getItem('alliance.token'))).toBe(token);
    await page.locator('header', { hasText: /Signed in as .+ \(admin\)/ }).waitFor();

    await page.reload(); // the session survives a reload of the tab
    await heading(page, 'Banks');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    expect(await text(page.getByRole('status'))).toBe('Signed out.');
    expect(await page.evaluate(() => sessionStorage.getItem('alliance.token'))).toBeNull();
    await page.goto(`${server.url}/match`);
    await page.waitForURL('**/signin');
    await page.context().close();
  });

  it('signs out with a message when the stored token is refused', async () => {
    const page = await open('/', false);
    await page.evaluate(() => sessionStorage.setItem('alliance.token', 'alli_revoked'));
    await page.goto(`${server.url}/banks`);
    await page.waitForURL('**/signin');
    expect(await text(page.getByRole('status'))).toMatch(/Your token was refused \(unknown or revoked token\)/);
    await page.context().close();
  });

  it('follows every header link to its page through its menu (the one route list), marking the current one', async () => {
    const page = await open('/banks');
    await heading(page, 'Banks');
    const nav = page.getByRole('navigation', { name: 'Main' });
    // Every page's link is in a menu (closed: hidden until its button opens it).
    expect(await nav.locator('a').allTextContents()).toEqual(NAV_LINKS.map((l) => l.label));
    expect(await nav.getByRole('link').count()).toBe(0);
    for (const link of NAV_LINKS) {
      const menu = nav.getByRole('button', { name: link.group, exact: true });
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await nav.getByRole('link', { name: link.label, exact: true }).click();
      await page.waitForURL(`**${link.path}`);
      await page.locator(`nav a[aria-current="page"][href="${link.path}"]`).waitFor({ state: 'attached' });
      expect(await menu.getAttribute('aria-current'), link.path).toBe('true');
      expect(await menu.getAttribute('aria-expanded'), 'the menu closes once followed').toBe('false');
      expect(await nav.locator('button[aria-current="true"]').count()).toBe(1);
      expect(await page.getByRole('heading', { level: 1, name: 'Page not found' }).count(), link.path).toBe(0);
    }
    await page.goto(`${server.url}/series/not-a-number`);
    await heading(page, 'Page not found');
    await page.context().close();
  });

  it('lists the demo banks with kind, matching and counts per signal type', async () => {
    const page = await open('/banks');
    await heading(page, 'Banks');
    const row = (name: string) => page.locator(`tr[data-bank="${name}"]`);
    await row('DEMO_ALLOW').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(5);
    const { json } = await http(`${server.url}/api/v1/banks`, token);
    for (const b of json.banks as Array<{ name: string; content_count: number; signal_counts: Record<string, number> }>) {
      const cells = await row(b.name).locator('td').allTextContents();
      expect(cells[1]).toBe('on');
      expect(cells[2]).toBe(b.content_count.toLocaleString('en'));
      for (const [type, n] of Object.entries(b.signal_counts)) if (n) expect(cells[3]).toContain(`${type} ${n.toLocaleString('en')}`);
    }
    expect(await text(row('DEMO_HAYSTACK'))).toMatch(/positive on 1,350 pdq 1,350/);
    expect(await text(row('DEMO_VIDEOS'))).toMatch(/vpdq \d/);
    expect(await text(row('DEMO_ALLOW'))).toMatch(/negative \(allow-list\) on 1 pdq 1/);
    expect(await text(row('DEMO_SEARCH_TERMS'))).toMatch(/positive on 2 keyword 2/);
    await page.context().close();
  });

  it('prints a link to the check SDK demo with a token that can only check', async () => {
    await expect.poll(() => /Check SDK demo .*: (http:\S+\/demo\/#token=alli_\S+)/.test(server.stderr())).toBe(true);
    const link = /Check SDK demo .*: (http:\S+\/demo\/#token=(alli_\S+))/.exec(server.stderr())!;
    expect((await http(`${server.url}/api/v1/whoami`, link[2])).json).toMatchObject({ role: 'checker' });
    expect((await http(`${server.url}/api/v1/check/text`, link[2], 'POST', { text: 'f0rb1dden-term' })).json).toMatchObject({
      match: true,
      message: { context: 'search' },
    });
    expect((await http(`${server.url}/api/v1/banks`, link[2])).status).toBe(403);
  });

  it('creates a bank, and says beside the name field why a bad name was refused', async () => {
    const page = await open('/banks');
    await heading(page, 'Banks');
    const name = page.getByLabel('Name');
    await name.fill('not a name');
    await page.getByRole('button', { name: 'Create bank' }).click();
    await page.getByRole('alert').waitFor();
    // The sentence is beside the field (and read with it), the form's alert points there and keeps the code.
    const sentence = 'A bank name uses capital letters, digits and underscores, e.g. HOTLINE_2026.';
    const field = page.locator('.field', { has: page.locator('#bank-name') });
    expect(await text(field.locator('.field-error'))).toBe(sentence);
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await name.getAttribute('aria-describedby')).toContain('bank-name-error');
    expect(await text(page.getByRole('alert'))).toBe('The bank was not created: see the name field. VALIDATION · HTTP 400');
    expect(await page.locator('main').innerText()).not.toMatch(/must match pattern|\^\[A-Z0-9_\]/);

    await page.getByLabel('Name').fill('UI_CREATED');
    await page.getByLabel('Kind').selectOption('negative');
    await page.getByLabel('Description').fill('made in the browser');
    await page.getByRole('button', { name: 'Create bank' }).click();
    await page.locator('tr[data-bank="UI_CREATED"]').waitFor();
    expect(await text(page.locator('tr[data-bank="UI_CREATED"]'))).toBe('UI_CREATED negative (allow-list) on 0 none made in the browser');
    expect(await text(page.getByRole('status').filter({ hasText: 'Created' }))).toBe('Created bank UI_CREATED.');
    await page.getByRole('link', { name: 'UI_CREATED' }).first().click();
    await page.waitForURL('**/banks/UI_CREATED');
    await heading(page, 'UI_CREATED');
    await page.context().close();
  });

  it('adds content by hash and by upload, disables and re-enables it, disables the bank matching', async () => {
    expect((await http(`${server.url}/api/v1/banks`, token, 'POST', { name: 'UI_BANK' })).status).toBe(201);
    const page = await open('/banks/UI_BANK');
    await heading(page, 'UI_BANK');
    expect(await text(page.locator('.facts'))).toContain('Signals none');

    await page.getByLabel('Signal type').selectOption('pdq');
    await page.getByLabel('Hash', { exact: true }).fill(AAA_ORIG_PDQ);
    await page.getByLabel('Classification').selectOption('industry:A2');
    await page.getByLabel('Tags (comma-separated)').fill('ui, test');
    await page.getByRole('button', { name: 'Add content' }).click();
    const row = page.locator('tbody tr', { hasText: AAA_ORIG_PDQ });
    await row.waitFor();
    expect(await text(row)).toMatch(/^\d+ pdq d8f8f0ce\w+ industry:A2 \(legal: baseline\) ui test enabled Disable Delete$/);
    expect(await text(page.getByRole('status').filter({ hasText: 'Added' }))).toMatch(/^Added content \d+ \(pdq\)\.$/);
    await page.locator('.facts li', { hasText: 'pdq 1' }).waitFor();

    await page.getByLabel('uploading a file').check();
    await page.getByLabel(/^File/).setInputFiles(join(PDQ_IMAGES, 'misc-images', 'c.png'));
    expect(await filterOf(page.locator('.safe-image img'))).toBe('blur(24px) grayscale(1)');
    await page.getByRole('button', { name: 'Add content' }).click();
    const uploaded = page.locator('tbody tr', { hasText: C_PNG_PDQ });
    await uploaded.waitFor();
    expect(await text(uploaded)).toMatch(/pdq e4cc89d9\w+ q100 md5 [0-9a-f]{32} sha1 [0-9a-f]{40} sha256 [0-9a-f]{64}/);
    await page.locator('.facts li', { hasText: 'pdq 2' }).waitFor();
    expect(await text(page.locator('.facts'))).toMatch(/Content 2 Signals pdq 2 md5 1 sha1 1 sha256 1/);
    expect(await text(page.locator('#content-range'))).toBe('Items 1–2 of 2');

    await row.getByRole('button', { name: /^Disable content \d+$/ }).click();
    await row.getByRole('button', { name: /^Re-enable content/ }).waitFor();
    expect(await text(row.locator('td.off'))).toBe('disabled');
    const id = Number(await row.locator('th').textContent());
    const stored = await http(`${server.url}/api/v1/content/${id}`, token);
    expect(stored.json).toMatchObject({ enabled: false, disabled_until: '9999-12-31T23:59:59.000Z' });
    await row.getByRole('button', { name: /^Re-enable content/ }).click();
    await row.getByRole('button', { name: /^Disable content/ }).waitFor();
    expect((await http(`${server.url}/api/v1/content/${id}`, token)).json.enabled).toBe(true);

    expect(await text(page.getByTestId('matching-state'))).toBe('enabled');
    await page.getByRole('button', { name: 'Disable matching' }).click();
    await page.getByRole('button', { name: 'Enable matching' }).waitFor();
    expect(await text(page.getByTestId('matching-state'))).toBe('disabled');
    expect((await http(`${server.url}/api/v1/banks/UI_BANK`, token)).json.matching_enabled).toBe(false);

    await page.getByLabel('pasting a hash').check();
    await page.getByLabel('Hash', { exact: true }).fill('not-a-hash');
    await page.getByRole('button', { name: 'Add content' }).click();
    await page.getByRole('alert').waitFor();
    expect(await text(page.getByRole('alert'))).toMatch(/^The content was not added: .+ (VALIDATION|SIGNAL_\w+) · HTTP 400$/);
    await page.context().close();
  });

  it('pages through a bank', async () => {
    const page = await open('/banks/DEMO_HAYSTACK');
    await heading(page, 'DEMO_HAYSTACK');
    await page.locator('#content-range', { hasText: 'Items 1–20 of 1,350' }).waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.locator('#content-range', { hasText: 'Items 21–40 of 1,350' }).waitFor();
    const ids = (await page.locator('tbody th').allTextContents()).map(Number);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.locator('#content-range', { hasText: 'Items 1–20' }).waitFor();
    const first = (await page.locator('tbody th').allTextContents()).map(Number);
    expect(Math.min(...ids)).toBeGreaterThan(Math.max(...first));
    await page.context().close();
  });

  it('matches an upload, veiling the preview until Reveal', async () => {
    const page = await open('/match');
    await heading(page, 'Match');
    await page.getByLabel(/^File/).setInputFiles(join(PDQ_IMAGES, 'bridge-mods', 'shrink-a-lot.jpg'));
    const img = page.getByRole('img', { name: 'Preview of shrink-a-lot.jpg' });
    await img.waitFor();
    expect(await filterOf(img)).toBe('blur(24px) grayscale(1)');
    await page.getByRole('button', { name: 'Match', exact: true }).click();

    const pdq = page.locator('section[data-signal-type="pdq"]');
    await pdq.waitFor();
    expect(await text(page.locator('.summary'))).toMatch(/^Hashed as image \(jpeg\)\. \d+ match(es)? in DEMO_IMAGES/);
    const match = pdq.locator('table', { hasText: 'Matches' }).locator('tbody tr').first();
    const cells = await match.locator('td').allTextContents();
    expect(cells[0]).toBe('DEMO_IMAGES');
    expect(Number(cells[1])).toBeGreaterThan(0);
    expect(Number(cells[2])).toBeGreaterThanOrEqual(0);
    expect(Number(cells[2])).toBeLessThanOrEqual(31);
    expect(await text(pdq.locator('.explanation'))).toMatch(/DEMO_IMAGES.*matches/);
    expect(await text(pdq)).toContain('d0f8f1ccc0f4a84d0a370a3a228f67f0b36e2ed5b6623e1d33e6339c4e9c9b22');
    expect(await page.locator('section[data-signal-type="md5"] .explanation').count()).toBe(1);

    expect(await filterOf(img)).toBe('blur(24px) grayscale(1)'); // still veiled with the results shown
    await page.getByRole('button', { name: 'Reveal' }).click();
    expect(await filterOf(img)).toBe('none');
    await page.getByRole('button', { name: 'Hide' }).focus();
    await page.keyboard.press('Enter'); // keyboard works too
    expect(await filterOf(img)).toBe('blur(24px) grayscale(1)');
    await page.context().close();
  });

  it('shows a pasted allow-listed hash as allow-listed, with the positive match suppressed', async () => {
    const page = await open('/match');
    await heading(page, 'Match');
    await page.getByLabel('pasting a hash').check();
    await page.getByLabel('Signal type').selectOption('pdq');
    await page.getByLabel('Hash', { exact: true }).fill(C_PNG_PDQ);
    await page.getByRole('button', { name: 'Match', exact: true }).click();
    const pdq = page.locator('section[data-signal-type="pdq"]');
    await pdq.waitFor();
    expect(await text(page.locator('.summary'))).toMatch(/^No match; allow-listed in DEMO_ALLOW; \d+ suppressed\.$/);
    expect(await pdq.locator('table', { hasText: /^Matches/ }).count()).toBe(0);
    expect(await text(pdq.locator('table', { hasText: 'Allow-listed' }).locator('tbody'))).toMatch(/^DEMO_ALLOW \(allow-list\) \d+ 0/);
    const suppressed = await text(pdq.locator('table', { hasText: 'Suppressed' }).locator('tbody'));
    // Each match says where its content comes from (here: this node's own bank).
    expect(suppressed).toMatch(
      /DEMO_IMAGES \d+ 0 legal:unknown demo, misc-images \S+\/DEMO_IMAGES, first seen \d{4}-\d\d-\d\d DEMO_ALLOW content \d+ \(distance 0\)/,
    );
    expect(await text(pdq.locator('.explanation'))).toMatch(/is suppressed: the content is on negative bank DEMO_ALLOW/);

    await page.getByLabel('Hash', { exact: true }).fill('xyz');
    await page.getByRole('button', { name: 'Match', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await text(page.getByRole('alert'))).toMatch(/^The lookup failed: .+ · HTTP 400$/);
    await page.context().close();
  });

  it('creates an action rule from the form, lists it, disables it, and deletes it only through its dialog', async () => {
    const page = await open('/rules');
    await heading(page, 'Rules');
    await page.getByLabel('Name', { exact: true }).fill('review known images');
    await page.getByLabel('Banks (comma-separated; empty: any)').fill('DEMO_IMAGES');
    await page.getByLabel('baseline').check();
    await page.getByLabel('Maximum distance').fill('31');
    await page.getByLabel('report').check();
    await page.getByRole('button', { name: 'Create rule' }).click();
    const row = page.locator('tr[data-rule="review known images"]');
    await row.waitFor();
    expect(await text(row)).toBe('review known images bank DEMO_IMAGES, legal status baseline, distance ≤ 31 review, report Edit Delete');
    await page.getByLabel('Rule review known images enabled').click(); // saved, then shown from the server's answer
    // The demo's own rules are listed too: this one by its name.
    const rule = async () => (await http(`${server.url}/api/v1/rules`, token)).json.rules.find((r: { name: string }) => r.name === 'review known images');
    await expect.poll(async () => (await rule()).enabled).toBe(false);
    await expect.poll(() => row.getByRole('checkbox').isChecked()).toBe(false);
    expect(await rule()).toMatchObject({
      name: 'review known images',
      conditions: { banks: ['DEMO_IMAGES'], legal: ['baseline'], max_distance: 31 },
      actions: ['review', 'report'],
    });
    // Delete asks first: Cancel keeps the rule, the dialog's own button deletes it.
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete rule review known images?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await rule()).toBeDefined();
    await row.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete the rule' }).click();
    await expect.poll(async () => await rule()).toBeUndefined();
    await expect.poll(() => row.count()).toBe(0);
    await page.context().close();
  });

  it('lists dead-lettered webhook deliveries and replays one', async () => {
    const call = (method: string, path: string, body?: unknown) => http(`${server.url}${path}`, token, method, body);
    expect(
      (await call('POST', '/api/v1/webhooks', { name: 'nobody-listens', url: 'http://127.0.0.1:9/hook', secret: 'sixteen-characters-or-more' })).status,
    ).toBe(201);
    expect(
      (
        await call('POST', '/api/v1/rules', {
          name: 'tell the platform',
          conditions: { signal_types: ['md5'] },
          actions: ['webhook'],
          webhook: 'nobody-listens',
        })
      ).status,
    ).toBe(201);
    await call('POST', '/api/v1/banks/DEMO_IMAGES/content', { signals: [{ signal_type: 'md5', value: '9'.repeat(32) }] });
    expect((await call('POST', '/api/v1/submissions', { signals: { md5: '9'.repeat(32) } })).json.actions).toEqual(['webhook']);
    await expect.poll(async () => (await call('GET', '/api/v1/webhook-deliveries?state=dead')).json.deliveries.length).toBe(1);
    const page = await open('/rules');
    await heading(page, 'Rules');
    const row = page.locator('tr[data-delivery]');
    await row.waitFor();
    expect(await text(row)).toMatch(/^\d+ nobody-listens match 1 Failed to fetch URL: failed .+ Replay$/);
    const id = await row.getAttribute('data-delivery');
    await row.getByRole('button', { name: 'Replay' }).click();
    await expect
      .poll(async () =>
        (await call('GET', '/api/v1/audit?limit=50')).json.entries.some(
          (e: { action: string; target: string }) => e.action === 'webhook.replay' && e.target === id,
        ),
      )
      .toBe(true);
    await page.context().close();
  });

  it('opens, finds and closes a series', async () => {
    const page = await open('/series');
    await heading(page, 'Series');
    await page.getByLabel('Series name').fill('Harbour');
    await page.getByRole('button', { name: 'Open series' }).click();
    await page.locator('tr[data-series]', { hasText: 'Harbour' }).waitFor(); // the form clears when the first is made
    await page.getByLabel('Series name').fill('Orchard');
    await page.getByRole('button', { name: 'Open series' }).click();
    await page.locator('tr[data-series]', { hasText: 'Orchard' }).waitFor();
    await page.getByLabel('Search series').fill('harb');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.locator('tr[data-series]').count()).toBe(1);
    const row = page.locator('tr[data-series]');
    expect(await text(row)).toMatch(/^Harbour local\/series\/\d+ local unidentified 0 0 .+ Offender identified Close$/);
    // Closing cannot be undone: a dialog says so, Cancel changes nothing, the second button closes.
    await row.getByRole('button', { name: 'Close' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close series Harbour?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/cannot be reopened/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await text(row)).toMatch(/ unidentified 0 0 /);
    await row.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await text(row)).toMatch(/ unidentified 0 0 /);
    await row.getByRole('button', { name: 'Close' }).click();
    await dialog.getByRole('button', { name: 'Close the series' }).click();
    await expect.poll(() => text(row)).toMatch(/ closed 0 0 /);
    await page.getByLabel('Status').selectOption('closed');
    await page.getByLabel('Search series').fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(async () => (await page.locator('tr[data-series]').allInnerTexts()).map((t) => t.split(/\s/)[0])).toEqual(['Harbour']);
    await page.context().close();
  });

  it("shows a series' detail: records a victim with a referral, links content, keeps restricted notes", async () => {
    const api = (path: string, method = 'GET', body?: unknown) => http(`${server.url}/api/v1${path}`, token, method, body);
    const service = (await api('/support-services', 'POST', { country: 'DE', name: 'Hilfe Example', kind: 'victim_support', contact: 'https://help.example' }))
      .json;
    const series = (await api('/series', 'POST', { name: 'Lantern', contact_point: 'vid@police.example' })).json;
    // Not one of the bridge images the triage test finds near-duplicates of (a series would show on it there).
    const content = (await api('/banks/DEMO_IMAGES/content?limit=100')).json.content.find((c: { tags: string[] }) => !c.tags.includes('bridge-mods'));
    const page = await open('/series');
    await page.getByRole('link', { name: 'Lantern' }).click();
    await page.waitForURL(`**/series/${series.id}`);
    await heading(page, 'Series Lantern');
    expect(await text(page.locator('dd[data-status]'))).toBe('unidentified');

    await page.getByLabel('Content ids').fill(String(content.id));
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    await page.getByRole('heading', { name: 'Linked content (1)' }).waitFor();

    await page.getByLabel('Identified on').fill('2026-11-02');
    await page.getByLabel('Refer to').selectOption({ label: 'Hilfe Example (DE, victim support)' });
    await page.getByRole('button', { name: 'Record victim' }).click();
    await page.getByRole('heading', { name: 'Victims identified (1)' }).waitFor();
    expect(await text(page.locator('dd[data-status]'))).toBe('victim identified');
    expect(await text(page.locator('tr[data-victim] td').first())).toMatch(/^local\/victim\/[0-9a-f]{12}$/);
    expect(await text(page.locator('tr[data-victim] td').nth(3))).toBe('Hilfe Example (2026-11-02)');

    await page.getByLabel('Notes', { exact: true }).fill('restricted: stays here');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await expect.poll(async () => (await api(`/series/${series.id}`)).json.notes).toBe('restricted: stays here');
    const detail = (await api(`/series/${series.id}`)).json;
    expect(detail).toMatchObject({
      status: 'victim_identified',
      content_ids: [content.id],
      victims: [{ identified_on: '2026-11-02', referrals: [{ service: service.name, country: 'DE' }] }],
    });
    await page.context().close();
  });

  it('opens cases, registers a target twice written differently, and shows the overlap alert', async () => {
    const page = await open('/deconfliction');
    await heading(page, 'Deconfliction');
    for (const [ref, contact] of [
      ['UI-1', 'team-1@police.example'],
      ['UI-2', 'team-2@police.example'],
    ]) {
      await page.getByLabel('Case reference').fill(ref);
      await page.getByLabel('Contact point').fill(contact);
      await page.getByRole('button', { name: 'Open case' }).click();
      await page.getByText(new RegExp(`^${ref} \\(`)).waitFor();
    }
    for (const [ref, spelling] of [
      ['UI-1', 'John.Doe'],
      ['UI-2', ' john.doe '],
    ]) {
      await page.getByLabel('Case', { exact: true }).selectOption({ label: ref });
      await page.getByLabel('Identifier').fill(spelling);
      await page.getByRole('button', { name: 'Register target' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: ref === 'UI-1' ? 'no overlap' : '2 new overlap' })
        .waitFor();
    }
    const rows = page.locator('tr[data-alert]');
    await expect.poll(() => rows.count()).toBe(2);
    expect((await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').replace(/ [^ ]+ \d{4}, [\d:]+$/, '')).sort()).toEqual([
      expect.stringMatching(/^UI-1 username \(j…e\) local\/case\/\d+ \(local\) team-2@police\.example/),
      expect.stringMatching(/^UI-2 username \(j…e\) local\/case\/\d+ \(local\) team-1@police\.example/),
    ]);
    await page.context().close();
  });

  it('shows a triage run: counts per class, new material by folder, the files of a class, and the CSV', async () => {
    const seized = join(dataDir, '..', `${dataDir.split('/').pop()}-seized`);
    after.push(async () => rmSync(seized, { recursive: true, force: true }));
    mkdirSync(join(seized, 'phone'), { recursive: true });
    mkdirSync(join(seized, 'usb'), { recursive: true });
    copyFileSync(join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg'), join(seized, 'phone', 'known.jpg')); // in DEMO_IMAGES
    copyFileSync(join(PDQ_IMAGES, 'misc-images', 'c.png'), join(seized, 'usb', 'allowed.png')); // in DEMO_ALLOW
    for (const [i, folder] of ['phone', 'usb', 'usb'].entries()) {
      const pixels = Buffer.alloc(64 * 64 * 3);
      for (let p = 0; p < pixels.length; p++) pixels[p] = (p * (i + 11) * 2654435761) >>> 24;
      await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } })
        .png()
        .toFile(join(seized, folder, `fresh-${i}.png`));
    }
    writeFileSync(join(seized, 'empty.jpg'), '');
    // A file a VICS case lists with its flags, series, tags and comments: the page shows them all.
    const pixels = Buffer.alloc(64 * 64 * 3, 0);
    for (let p = 0; p < pixels.length; p++) pixels[p] = (p * 29 * 2654435761) >>> 24;
    await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toFile(join(seized, 'usb', 'case.png'));
    const caseMd5 = createHash('md5')
      .update(readFileSync(join(seized, 'usb', 'case.png')))
      .digest('hex');
    const caseFile = join(seized, '..', `${dataDir.split('/').pop()}-case.json`);
    after.push(async () => rmSync(caseFile, { force: true }));
    writeFileSync(
      caseFile,
      JSON.stringify({
        '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media',
        value: [
          {
            MediaID: 77,
            MD5: caseMd5,
            Category: 1,
            VictimIdentified: 'true',
            IsDistributed: 'true',
            Series: 'UI Harbour',
            Tags: 'tag-ui',
            Comments: 'ui note',
          },
        ],
      }),
    );
    const imported = await runCli(['import', caseFile, '--bank', 'UI_CASE', '--create', '--data', dataDir]);
    expect(imported.code, imported.stderr).toBe(0);
    const cli = await runCli(['triage', seized, '--out', join(seized, '..', `${dataDir.split('/').pop()}-triage`), '--case-number', 'UI-7', '--data', dataDir]);
    expect(cli.code, cli.stderr).toBe(0);
    const id = /recorded as triage run (\d+)/.exec(cli.stdout)![1];

    const page = await open('/triage');
    await heading(page, 'Triage');
    const row = page.locator('table.triage-runs tbody tr', { hasText: `Run ${id}` });
    expect(await text(row)).toMatch(/^Run \d+ .+-seized \(folder\) UI-7 .+ done 7 3 2 1 1$/);
    await row.getByRole('link', { name: `Run ${id}` }).click();
    await page.waitForURL(`**/triage/${id}`);
    await heading(page, `Triage run ${id}`);
    // The heading shows before the run has loaded: wait for the counts.
    await expect
      .poll(() => page.getByRole('list', { name: 'Files per class' }).getByRole('button').allInnerTexts())
      .toEqual(['New (review first): 3', 'Known: 2', 'Not relevant: 1', 'Unreadable: 1', 'All: 7']);
    const items = page.locator('table.triage-items tbody tr');
    await expect
      .poll(async () => (await items.allInnerTexts()).map((t) => t.split('\t')[1]))
      .toEqual(['phone/fresh-0.png', 'usb/fresh-1.png', 'usb/fresh-2.png']);
    await page.getByRole('button', { name: 'usb (2)' }).click();
    await expect.poll(async () => (await items.allInnerTexts()).map((t) => t.split('\t')[1])).toEqual(['usb/fresh-1.png', 'usb/fresh-2.png']);
    await page.locator('button[data-class="known"]').click();
    await expect
      .poll(() => items.allInnerTexts())
      .toEqual([
        expect.stringMatching(/^\d+\tphone\/known\.jpg\tknown\tlegal:unknown\t[^\t]*\t(no|yes)\s+[^\t]+\t[^\t]*\tDEMO_IMAGES \(pdq, distance 0\)/),
        expect.stringMatching(
          /^\d+\tusb\/case\.png\tknown\tvics:1\tUI Harbour\tyes\s+bank UI_CASE, VICS MediaID 77, \d{4}-\d\d-\d\d\tdistributed\s+tags: tag-ui\s+ui note\s+UI_CASE \(md5, distance 0\)/,
        ),
      ]);
    await page.locator('button[data-class="unreadable"]').click();
    await expect.poll(() => items.allInnerTexts()).toEqual([expect.stringMatching(/^\d+\tempty\.jpg\tunreadable\t[^]*empty file \(0 bytes\)/)]);
    expect(await page.locator('img').count()).toBe(0); // no image of anything triaged

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^path,class,classification/);
    expect(csv.split('\n').filter((l) => /,new,/.test(l))).toHaveLength(3);
    await page.context().close();
  });

  it("shows a notice's timeline", async () => {
    const call = (method: string, path: string, body?: unknown) => http(`${server.url}${path}`, token, method, body);
    expect(
      (await call('POST', '/api/v1/notices', { url: 'https://192.0.2.7/a.jpg', evidence: { md5: 'a'.repeat(32) }, legal_basis: 'Illegal content' })).status,
    ).toBe(201);
    const page = await open('/notices');
    await heading(page, 'Notices');
    const row = page.locator('tr', { hasText: 'https://192.0.2.7/a.jpg' });
    await row.waitFor();
    expect(await text(row)).toMatch(/^https:\/\/192\.0\.2\.7\/a\.jpg 192\.0\.2\.7 \(no provider\) open 0 never – Timeline$/);
    await row.getByRole('button', { name: 'Timeline' }).click();
    const created = page.locator('[data-event="created"]');
    await created.waitFor();
    expect(await text(created)).toMatch(/created: host 192\.0\.2\.7: no registered provider yet$/);
    await page.context().close();
  });

  it('shows each subscription with its position, lag and last error, and syncs on demand', async () => {
    // A peer whose node is down, then in maintenance: the subscription's status says why its sync fails.
    let answer: 'hang up' | 'maintenance' = 'hang up';
    const peer = createServer((req, res) =>
      answer === 'hang up' ? req.socket.destroy() : res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"in maintenance"}'),
    );
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    after.push(() => new Promise((r) => peer.close(() => r())));
    const call = (method: string, path: string, body?: unknown) => http(`${server.url}${path}`, token, method, body);
    const key = `ed25519:${Buffer.alloc(32, 7).toString('base64')}`;
    const url = `http://127.0.0.1:${(peer.address() as { port: number }).port}`;
    expect((await call('POST', '/api/v1/peers', { name: 'hotline-down', url, public_key: key, country: 'NL', kind: 'hotline' })).status).toBe(201);
    const sub = (await call('POST', '/api/v1/subscriptions', { peer: 'hotline-down', bank: 'KNOWN' })).json;
    await call('POST', `/api/v1/subscriptions/${sub.id}/sync`);

    const page = await open('/banks');
    await page.getByRole('button', { name: 'Exchange' }).click();
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    await heading(page, 'Subscriptions');
    const row = page.locator(`tr[data-subscription="${sub.id}"]`);
    await row.waitFor();
    expect(await text(row.locator('th'))).toBe('hotline-down / KNOWN');
    expect(await text(row.getByRole('link'))).toBe('HOTLINE_DOWN_KNOWN');
    expect(await text(row.getByTestId('lag'))).toBe('unknown');
    const firstError = await text(row.getByTestId('last-error'));
    expect(firstError).toMatch(/: cannot reach peer hotline-down: /);
    expect(await row.getAttribute('class')).toBe('failing');

    answer = 'maintenance';
    await row.getByRole('button', { name: 'Sync now' }).click();
    await page.waitForFunction((before) => document.querySelector('[data-testid="last-error"]')?.textContent !== before, firstError);
    expect(await text(row.getByTestId('last-error'))).toMatch(/: peer hotline-down answered 503: in maintenance$/);
    await page.context().close();
  });

  it("shows this node's indicators, and builds, narrates, signs and prints a country report with the same figures", async () => {
    const api = (path: string, method = 'GET', body?: unknown) => http(`${server.url}/api/v1${path}`, token, method, body);
    const d = new Date();
    const quarter = `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    await api('/campaigns', 'POST', {
      country: 'DE',
      title: 'Think before you share',
      audience: 'children',
      channel: 'school',
      reach: 4321,
      starts_on: d.toISOString().slice(0, 10),
    });
    const page = await open('/indicators');
    await heading(page, 'Indicators');
    const cell = (id: string) => page.locator(`tr[data-indicator="${id}"] td.value`);
    await cell('victims.identified').waitFor();
    const shown = { victims: await cell('victims.identified').innerText(), reach: await cell('awareness.campaign_reach').innerText() };
    const values = (await api(`/indicators?period=${quarter}`)).json.indicators.values;
    expect(shown).toEqual({ victims: String(values['victims.identified']), reach: values['awareness.campaign_reach'].toLocaleString('en-GB') });
    expect(shown.reach).toBe('4,321');
    await expect.poll(() => page.locator('figure[data-chart]').count()).toBe(4); // the trend loads after the table

    await page.getByRole('button', { name: 'Reporting' }).click();
    await page.getByRole('link', { name: 'Country reports' }).click();
    await heading(page, 'Country reports');
    await page.getByRole('button', { name: 'Build draft' }).click();
    await page.getByLabel('Summary').fill('Our first report from the node.');
    await page.getByRole('button', { name: 'Save narrative' }).click();
    const row = page.locator('table.country-reports tbody tr').first();
    await expect.poll(async () => (await api('/country-reports')).json.reports[0].report.narrative.summary).toBe('Our first report from the node.');
    await row.getByRole('button', { name: 'Sign' }).click();
    // Signing is for good: the dialog says so, Cancel leaves a draft, its own button signs.
    const sign = page.getByRole('dialog', { name: /^Sign the .* report\?$/ });
    await sign.getByRole('button', { name: 'Cancel' }).click();
    expect((await api('/country-reports')).json.reports[0].status).toBe('draft');
    await row.getByRole('button', { name: 'Sign' }).click();
    await sign.getByRole('button', { name: 'Sign the report' }).click();
    await expect.poll(() => text(row.locator('td').first())).toBe('signed');
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'PDF' }).click()]);
    const pdf = (await download.path())!;
    execFileSync('pdftoppm', ['-r', '30', '-png', '-f', '1', '-l', '1', pdf, join(dataDir, 'page')]);
    const pdfText = execFileSync('pdftotext', ['-layout', pdf, '-'])
      .toString()
      .replace(/[ \t]+/g, ' ');
    expect(pdfText).toMatch(new RegExp(`Victims identified ${shown.victims}\\b`));
    expect(pdfText).toMatch(new RegExp(`People reached by campaigns ${shown.reach}\\b`));
    expect(pdfText).toContain('Our first report from the node.');

    // The inputs the node cannot see: a self-assessment rating, a figure with its source, a campaign.
    await page.getByLabel('Phase of capability 7').selectOption('3');
    await page.getByLabel('Evidence for capability 7').fill('Connected to the alliance banks');
    await page.getByRole('button', { name: 'Save self-assessment' }).click();
    await expect.poll(async () => (await api(`/mnr/${quarter}`)).json.capabilities[6]).toMatchObject({ phase: 3, evidence: 'Connected to the alliance banks' });
    await page.getByLabel('Number').fill('12');
    await page.getByLabel('Source').fill('Ministry of Justice');
    await page.getByRole('button', { name: 'Save figure' }).click();
    await page.locator('ul.manual-entries li', { hasText: `${quarter} prosecutions: 12 — Ministry of Justice` }).waitFor();
    const form = page.getByRole('form', { name: 'Record a campaign' });
    await form.getByLabel('Country').fill('de');
    await form.getByLabel('Title').fill('Safer internet day');
    await form.getByLabel('Reach').fill('800');
    await form.getByLabel('Starts on').fill(d.toISOString().slice(0, 10));
    await form.getByRole('button', { name: 'Record campaign' }).click();
    await form.locator('table.campaigns tr', { hasText: 'Safer internet day' }).waitFor();
    expect((await api(`/indicators?period=${quarter}`)).json.indicators.values['awareness.campaign_reach']).toBe(4321 + 800);
    await page.context().close();
  });

  it('shows which messages fall back to English, approves a translation, and fills a help directory placeholder', async () => {
    const api = (path: string, method = 'GET', body?: unknown, t = token) => http(`${server.url}/api/v1${path}`, t, method, body);
    // A curator of another member writes the French deterrence message for adults: the admin reviews it in the UI.
    expect((await api('/members', 'POST', { name: 'ngo-fr', kind: 'ngo' })).status).toBe(201);
    const curator = (await api('/tokens', 'POST', { member: 'ngo-fr', role: 'curator' })).json.token;
    const draft = await api(
      '/messages',
      'POST',
      { context: 'search', audience: 'adult', language: 'fr', title: 'Recherche bloquée', body: 'Texte de test.' },
      curator,
    );
    expect(draft.status, draft.text).toBe(201);
    const page = await open('/awareness');
    await heading(page, 'Messages and help');
    await page.getByLabel('Language').fill('fr');
    await page.getByRole('button', { name: 'Show' }).first().click();
    const table = page.getByRole('table', { name: 'Messages in fr' });
    await table.waitFor();
    expect(await table.getByText('Not translated: falls back to English').count()).toBe(12);
    const row = table.locator('tr[data-message="search/adult"]');
    expect(await text(row.locator('td').nth(3))).toContain('Recherche bloquée');
    await row.getByRole('button', { name: 'Approve v1' }).click();
    await expect.poll(() => text(row.locator('td').nth(2))).toContain('Recherche bloquée v1');
    expect(await table.getByText('Not translated: falls back to English').count()).toBe(11);
    expect((await api('/check/message?context=search&language=fr')).json.message).toMatchObject({
      language: 'fr',
      fallback: false,
      title: 'Recherche bloquée',
    });

    // Belgium's child helpline is a placeholder; a curator fills it here.
    await page.getByLabel('Country').fill('be');
    await page.getByRole('button', { name: 'Show' }).nth(1).click();
    const dir = page.getByRole('table', { name: 'Help directory of BE' });
    await dir.waitFor();
    expect(await dir.getByText('placeholder: to fill').count()).toBe(5);
    await dir.locator('tr', { hasText: 'child helpline' }).getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Help directory entry' });
    await form.getByLabel('Name').fill('Example helpline');
    await form.getByLabel('Languages').fill('nl, fr');
    await form.getByLabel(/^Contacts, one per line/).fill('web https://helpline.example\nphone +32 0 000 00 00');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dir.getByText('placeholder: to fill').count()).toBe(4);
    const help = (await api('/check/message?context=search&audience=child&country=BE&language=fr')).json.help;
    expect(help).toEqual([
      expect.objectContaining({
        kind: 'child_helpline',
        name: 'Example helpline',
        country: 'BE',
        fallback: false,
        channels: [
          { type: 'web', value: 'https://helpline.example' },
          { type: 'phone', value: '+32 0 000 00 00' },
        ],
      }),
    ]);
    // Editing again keeps every contact (the form holds them all).
    await dir.locator('tr', { hasText: 'child helpline' }).getByRole('button', { name: 'Edit' }).click();
    await form.getByLabel('Hours').fill('24/7');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await api('/help-directory?country=BE&kind=child_helpline')).json.entries[0])
      .toMatchObject({ hours: '24/7', channels: [{ type: 'web' }, { type: 'phone' }] });
    await page.context().close();
  });

  describe('the shell: bundle, navigation by job, not-found page', () => {
    /** Strings only React's development build has: the DevTools banner (react-dom) and the JSX dev runtime's jsxDEV. */
    const DEV_MARKERS = ['Download the React DevTools', 'jsxDEV'];

    it("serves React's production build, and the first page's JavaScript is under 250 KB gzipped", async () => {
      // The markers are what a development build has (so their absence below means something).
      const devOut = mkdtempSync(join(tmpdir(), 'alliance-web-dev-'));
      after.push(async () => rmSync(devOut, { recursive: true, force: true }));
      const vite = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
      execFileSync(
        process.execPath,
        [vite, 'build', '--config', join(REPO, 'web', 'vite.config.ts'), '--mode', 'development', '--outDir', devOut, '--emptyOutDir', '--logLevel', 'warn'],
        {
          cwd: REPO,
          stdio: 'pipe',
        },
      );
      const devJs = readdirSync(join(devOut, 'assets'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => readFileSync(join(devOut, 'assets', f), 'utf8'))
        .join('\n');
      for (const marker of DEV_MARKERS) expect(devJs, marker).toContain(marker);

      // Every chunk served (any page's) has none of them.
      const built = readdirSync(join(WEB_ROOT, 'assets')).filter((f) => f.endsWith('.js'));
      expect(built.length, 'one chunk per page').toBeGreaterThan(10);
      for (const f of built)
        for (const marker of DEV_MARKERS) expect(readFileSync(join(WEB_ROOT, 'assets', f), 'utf8'), `${f}: ${marker}`).not.toContain(marker);

      // The JavaScript a browser loads for the first page, as served.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript((t) => sessionStorage.setItem('alliance.token', t), token);
      const page = await context.newPage();
      const scripts: Array<Promise<{ url: string; body: Buffer }>> = [];
      page.on('response', (res) => {
        if (res.request().resourceType() === 'script') scripts.push(res.body().then((body) => ({ url: res.url(), body })));
      });
      await page.goto(`${server.url}/banks`);
      await heading(page, 'Banks');
      await page.locator('tr[data-bank="DEMO_ALLOW"]').waitFor();
      const loaded = await Promise.all(scripts);
      expect(loaded.map((s) => s.url).every((u) => u.startsWith(`${server.url}/assets/`))).toBe(true);
      expect(
        loaded.some((s) => /\/BanksPage-/.test(s.url)),
        'the page is its own chunk',
      ).toBe(true);
      expect(
        loaded.some((s) => /\/(TrendChart|IndicatorsPage|ReviewPage)-/.test(s.url)),
        'other pages are not loaded',
      ).toBe(false);
      for (const { url, body } of loaded) for (const marker of DEV_MARKERS) expect(body.toString('utf8'), `${url}: ${marker}`).not.toContain(marker);
      const gzipped = loaded.reduce((n, s) => n + gzipSync(s.body).length, 0);
      expect(gzipped).toBeLessThan(250 * 1024);
      await context.close();
    });

    it('groups the navigation by job in menus that fit 1280×800 on one line, and work from the keyboard', async () => {
      const page = await open('/banks', true, { width: 1280, height: 800 });
      await heading(page, 'Banks');
      const nav = page.getByRole('navigation', { name: 'Main' });
      const menus = nav.locator('.menu > button');
      // An admin uses every page: all seven menus, Admin's (Members and tokens) last.
      expect(await menus.allTextContents()).toEqual(NAV_GROUPS.filter((g) => NAV_LINKS.some((l) => l.group === g)));
      expect(await menus.allTextContents()).toEqual(['Match & banks', 'Review & act', 'Victim identification', 'Exchange', 'Reporting', 'Awareness', 'Admin']);
      const boxes = await Promise.all((await menus.all()).map((m) => m.boundingBox()));
      expect(new Set(boxes.map((b) => Math.round(b!.y))).size, 'the menus are on one line').toBe(1);
      const header = (await page.locator('header.top').boundingBox())!;
      expect(header.height).toBeLessThan(60);
      // The last menu ends before who is signed in begins: nothing drawn over anything.
      const lastMenu = boxes[boxes.length - 1]!;
      expect(lastMenu.x + lastMenu.width, 'the menus end before the signed-in line').toBeLessThanOrEqual(
        (await page.locator('header.top .who').boundingBox())!.x,
      );
      for (const selector of ['header.top .who', 'header.top > button']) {
        const b = (await page.locator(selector).boundingBox())!;
        expect(b.x + b.width, selector).toBeLessThanOrEqual(1280);
        expect(b.y + b.height, selector).toBeLessThanOrEqual(header.y + header.height);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), 'no horizontal scroll').toBe(true);

      // Keyboard: Tab to a menu, Enter opens it, Tab reaches its links, Enter follows one, Escape closes.
      const review = nav.getByRole('button', { name: 'Review & act' });
      await review.focus();
      await page.keyboard.press('Enter');
      expect(await review.getAttribute('aria-expanded')).toBe('true');
      expect(await nav.locator('#menu-review-act a').allTextContents()).toEqual(['Review', 'Incident reports', 'Notices', 'Rules']);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Incident reports');
      await page.keyboard.press('Escape');
      expect(await review.getAttribute('aria-expanded')).toBe('false');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Review & act');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForURL('**/reports');
      await heading(page, 'Incident reports');
      expect(await review.getAttribute('aria-current')).toBe('true');
      expect(await nav.getByRole('button', { name: 'Match & banks' }).getAttribute('aria-current')).toBeNull();
      expect(await nav.locator('a[aria-current="page"]').allTextContents()).toEqual(['Incident reports']);
      // Tabs inside a page show which one is chosen.
      const tabs = page.getByRole('tablist', { name: 'Direction' });
      const sent = tabs.getByRole('tab', { name: 'Sent', exact: true });
      const received = tabs.getByRole('tab', { name: 'Received', exact: true });
      expect([await sent.getAttribute('aria-selected'), await received.getAttribute('aria-selected')]).toEqual(['true', 'false']);
      const background = (l: Locator) => l.evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(await background(sent)).not.toBe(await background(received));
      // Arrow keys move between the tabs and choose: the panel is the chosen tab's.
      await sent.focus();
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => received.getAttribute('aria-selected')).toBe('true');
      expect(await page.getByRole('tabpanel', { name: 'Received' }).count()).toBe(1);
      await page.context().close();
    });

    it('shows a role only the pages it may use, and lands it on its home page: what needs it now', async () => {
      const me = (await http(`${server.url}/api/v1/whoami`, token)).json as { member: string };
      const tokenOf = async (role: string) => {
        const made = await http(`${server.url}/api/v1/tokens`, token, 'POST', { member: me.member, role, label: `ui ${role}` });
        expect(made.status, made.text).toBe(201);
        return made.json.token as string;
      };
      const navOf = async (page: Page) => {
        const nav = page.getByRole('navigation', { name: 'Main' });
        await nav.locator('.menu').first().waitFor();
        return { menus: await nav.locator('.menu > button').allTextContents(), links: await nav.locator('a').allTextContents() };
      };
      const admin = await open('/banks');
      await heading(admin, 'Banks');
      const all = await navOf(admin);
      await admin.context().close();

      // A matcher looks things up: one menu, one page; its home page has nothing waiting for it (it decides
      // no reviews, sends no notices) and links to the one page it may use.
      const matcher = await open('/', await tokenOf('matcher'));
      await heading(matcher, 'What needs you now');
      expect(matcher.url()).toBe(`${server.url}/`);
      expect(await navOf(matcher)).toEqual({ menus: ['Match & banks'], links: ['Match'] });
      expect(await matcher.locator('[data-attention]').count()).toBe(0);
      expect(await matcher.locator('main').getByRole('link').allTextContents()).toEqual(['Match']);
      await matcher.locator('header', { hasText: /Signed in as .+ \(matcher\)/ }).waitFor();
      // A page it may not use, opened by its address, says so instead of failing call by call.
      await matcher.goto(`${server.url}/rules`);
      await heading(matcher, 'Rules');
      expect(await text(matcher.locator('main'))).toBe('Rules Your role (matcher) cannot use this page: it needs the permission actions.manage.');
      await matcher.context().close();

      // An analyst reviews and reports but manages no rules, subscriptions or messages.
      const analyst = await open('/banks', await tokenOf('analyst'));
      await heading(analyst, 'Banks');
      const seen = await navOf(analyst);
      expect(seen.menus).toEqual(['Match & banks', 'Review & act', 'Victim identification', 'Exchange', 'Reporting']);
      expect(seen.links).toEqual(NAV_LINKS.filter((l) => !['rules', 'awareness', 'members'].includes(l.page)).map((l) => l.label));
      expect(seen.links.length).toBeLessThan(all.links.length);
      // Its home page counts what waits for it, each linking to its page: the demo's reviews and overlaps.
      await analyst.getByRole('link', { name: 'Alliance', exact: true }).click();
      await heading(analyst, 'What needs you now');
      const waiting = analyst.locator('[data-attention]');
      await waiting.first().waitFor();
      expect(await waiting.evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { attention: string } }).dataset.attention))).toEqual([
        'reviews',
        'notices',
        'reports',
        'sources',
        'overlaps',
      ]);
      const pending = (await http(`${server.url}/api/v1/reviews?status=pending&limit=1`, token)).json as { pending: number };
      expect(pending.pending).toBeGreaterThan(0);
      const reviews = analyst.locator('[data-attention="reviews"] a');
      expect(await text(reviews)).toBe(`${pending.pending} Reviews waiting for a verdict`);
      await reviews.click();
      await analyst.waitForURL('**/review');
      await heading(analyst, 'Review');
      await analyst.context().close();
    });

    it("shows the UI's not-found page at an unknown address, signed in or not, while the API keeps its JSON 404", async () => {
      const page = await open('/nope');
      await heading(page, 'Page not found');
      expect(await text(page.locator('main'))).toMatch(/^Page not found There is no page at \/nope\./);
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(1);
      await page.getByRole('link', { name: 'Go to your first page' }).click();
      await page.waitForURL('**/banks');
      await page.context().close();

      const signedOut = await open('/nope/deeper', false);
      const res = await signedOut.goto(`${server.url}/nope/deeper`);
      expect(res?.status()).toBe(404);
      expect(res?.headers()['content-type']).toMatch(/^text\/html/);
      await heading(signedOut, 'Page not found');
      expect(signedOut.url()).toBe(`${server.url}/nope/deeper`);
      expect(await signedOut.locator('body').innerText()).not.toContain('NOT_FOUND');
      await signedOut.context().close();

      const apiRes = await fetch(`${server.url}/api/v1/nope`, { headers: { accept: 'text/html', authorization: `Bearer ${token}` } });
      expect(apiRes.status).toBe(404);
      expect(await apiRes.json()).toEqual({ code: 'NOT_FOUND', message: 'no route GET /api/v1/nope' });
    });
  });
});
