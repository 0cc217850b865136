/**
 * The check SDK in Chromium, on the demo page `alliance serve` serves: the browser's PDQ and
 * SHA-256 (computed in the SDK's WebWorker with the server's PDQ code) equal the server's for
 * every fixture image; a listed search term shows the deterrence message with help; a banked
 * image shows the upload-blocked message — and no request ever carries the image's bytes.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/media/image.js';
import { PdqHasher } from '../../src/signals/pdq/pdq.js';
import { PDQ_IMAGES, SHARED } from '../support/paths.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

declare const window: { allianceDemo: { hash(blob: Blob): Promise<{ pdq: string; quality: number; sha256: string }> } };
const FIXTURES = readFileSync(join(SHARED, 'fixtures', 'pdq', 'expected.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(',')[0]);
const BANKED = 'bridge-mods/aaa-orig.jpg';
const NOT_BANKED = 'misc-images/c.png';

/** The server's hashes of a file: the same decoder and PDQ code `alliance hash` uses. */
async function serverHashes(file: string) {
  const path = join(PDQ_IMAGES, file);
  const { hash, quality } = new PdqHasher().hashImage(await decodeImage(path, { maxImagePixels: 1e8 }));
  return { pdq: hash, quality, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
}

let dataDir: string;
let server: ServerProcess;
let browser: Browser;
let checkToken: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'alliance-sdk-'));
  server = await startServer([], { ALLIANCE_DATA_DIR: dataDir });
  const admin = server.token!;
  const api = (method: string, path: string, body?: unknown) => http(server.url + path, admin, method, body);
  expect((await api('POST', '/api/v1/banks', { name: 'SEARCH_TERMS' })).status).toBe(201);
  expect((await api('POST', '/api/v1/banks/SEARCH_TERMS/content', { signals: [{ signal_type: 'keyword', value: 'forbiddenterm' }] })).status).toBe(201);
  expect((await api('POST', '/api/v1/banks', { name: 'KNOWN_IMAGES' })).status).toBe(201);
  const banked = await serverHashes(BANKED);
  expect((await api('POST', '/api/v1/banks/KNOWN_IMAGES/content', { signals: [{ signal_type: 'pdq', value: banked.pdq }] })).status).toBe(201);
  expect((await api('POST', '/api/v1/members', { name: 'platform-1', kind: 'platform' })).status).toBe(201);
  const t = await api('POST', '/api/v1/tokens', { member: 'platform-1', role: 'checker', label: 'check SDK' });
  expect(t.status, t.text).toBe(201);
  checkToken = t.json.token;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The demo page with the check token, and every request it makes. */
async function openDemo(): Promise<{ page: Page; requests: Request[] }> {
  const page = await browser.newPage();
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  await page.goto(`${server.url}/demo/#token=${checkToken}`);
  await page.getByRole('heading', { level: 1, name: /check SDK/ }).waitFor();
  return { page, requests };
}

describe('check SDK demo page', () => {
  it('hashes every fixture image in the browser exactly as the server does (PDQ and SHA-256)', async () => {
    const { page, requests } = await openDemo();
    expect(page.url()).toBe(`${server.url}/demo/`); // the token left the address bar
    await page.locator('#token-warning[data-checked="checker"]').waitFor({ state: 'attached' }); // a checker's token: nothing more to fear
    expect(await page.locator('#token-warning').isHidden()).toBe(true);
    const mismatches: string[] = [];
    for (const file of FIXTURES) {
      const bytes = readFileSync(join(PDQ_IMAGES, file)).toString('base64');
      const browserHashes = await page.evaluate(async (b64) => {
        const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        return window.allianceDemo.hash(new Blob([bin]));
      }, bytes);
      const expected = await serverHashes(file);
      if (browserHashes.pdq !== expected.pdq || browserHashes.quality !== expected.quality || browserHashes.sha256 !== expected.sha256) {
        mismatches.push(`${file}: browser ${JSON.stringify(browserHashes)} server ${JSON.stringify(expected)}`);
      }
    }
    expect(FIXTURES.length).toBeGreaterThanOrEqual(40);
    expect(mismatches).toEqual([]);
    // Hashing asked nothing of the node (the page only asked who its token is).
    expect(requests.filter((r) => r.url().includes('/api/')).map((r) => r.url())).toEqual([`${server.url}/api/v1/whoami`]);
    expect(requests.some((r) => r.url().endsWith('/demo/sdk/alliance-check-worker.js'))).toBe(true);
    await page.close();
  });

  it('warns when the page holds a token that can do more than check', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/demo/#token=${server.token}`);
    await page
      .locator('#token-warning')
      .getByText(/role admin\) can do more than check/)
      .waitFor();
    await page.close();
  });

  it('shows the deterrence message with help for a listed term, and nothing for other searches', async () => {
    const { page } = await openDemo();
    await page.getByLabel('Search for').fill('where is the F0RB1DD3N-TERM stuff');
    await page.getByRole('button', { name: 'Search' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getByRole('heading', { level: 2 }).innerText()).toBe('This search may be looking for illegal material');
    const help = alert.getByRole('navigation', { name: 'Where to get help' });
    expect(await help.getByRole('listitem').count()).toBe(2);
    expect(await help.getByRole('link').first().getAttribute('href')).toMatch(/^https:\/\//);
    expect(await page.locator('#search-status').innerText()).toBe('This search is stopped.');
    await page.getByLabel('Search for').fill('forbidden terminal velocity');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No warning for this search').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    // A teen asking in French: the English message (flagged, in French) and the child helpline.
    await page.getByLabel('Language', { exact: true }).fill('fr');
    await page.locator('#audience').selectOption('teen');
    await page.getByLabel('Search for').fill('forbiddenterm');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.locator('.alliance-message-fallback').innerText()).toBe("Ce message n'est pas encore disponible dans votre langue.");
    expect(await page.locator('.alliance-message-text').getAttribute('lang')).toBe('en');
    expect(await page.locator('.alliance-help-entry').first().getAttribute('data-kind')).toBe('child_helpline');
    await page.close();
  });

  it("shows a directory entry's text as text, never as markup", async () => {
    const name = '<img src=x onerror="window.__xss=1">Example service';
    const r = await http(`${server.url}/api/v1/help-directory`, server.token, 'POST', {
      country: 'BE',
      kind: 'offender_prevention',
      name,
      channels: [{ type: 'phone', value: '+32 0 000 00 00' }],
    });
    expect(r.status, r.text).toBe(201);
    const { page } = await openDemo();
    await page.locator('#country').selectOption('BE');
    await page.getByLabel('Search for').fill('forbiddenterm');
    await page.getByRole('button', { name: 'Search' }).click();
    const entry = page.locator('.alliance-help-entry[data-kind="offender_prevention"]');
    await entry.waitFor();
    expect(await entry.locator('.alliance-help-name').innerText()).toBe(name);
    expect(await page.locator('#search-message img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await entry.getByRole('link').getAttribute('href')).toBe('tel:+3200000000');
    await page.close();
  });

  it('blocks a banked image with the upload-blocked message, sending only its hashes', async () => {
    const { page, requests } = await openDemo();
    await page.locator('#image').setInputFiles(join(PDQ_IMAGES, BANKED));
    await page.getByText('Upload blocked.').waitFor();
    const alert = page.getByRole('alert');
    expect(await alert.getAttribute('data-context')).toBe('upload-blocked');
    expect(await alert.getByRole('heading', { level: 2 }).innerText()).toBe('This upload was blocked');
    const expected = await serverHashes(BANKED);
    expect(await page.locator('#hash-pdq').innerText()).toBe(expected.pdq);
    await page.locator('#image').setInputFiles(join(PDQ_IMAGES, NOT_BANKED));
    await page.getByText('Upload allowed').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    // No request carried image bytes: every body is small JSON without any 32-byte run of either file.
    const bodies = requests.map((r) => ({ url: r.url(), body: r.postDataBuffer() ?? Buffer.alloc(0) }));
    const uploads = bodies.filter((b) => b.url.endsWith('/api/v1/check/upload'));
    expect(uploads).toHaveLength(2);
    expect(JSON.parse(uploads[0].body.toString())).toEqual({ sha256: expected.sha256, pdq: expected.pdq, country: null, language: 'en', audience: 'adult' });
    for (const file of [BANKED, NOT_BANKED]) {
      const image = readFileSync(join(PDQ_IMAGES, file));
      for (const { url, body } of bodies) {
        expect(body.length, url).toBeLessThan(1024);
        for (let at = 0; at + 32 <= image.length; at += 4096) expect(body.includes(image.subarray(at, at + 32)), url).toBe(false);
      }
    }
    await page.close();
  });
});
