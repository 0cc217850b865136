/**
 * The web UI's design system at work, in Chromium against a real `alliance serve`: a table sorts
 * by a numeric column when its header is clicked (aria-sort says which way) and shows a page at a
 * time; a toast, in a live region, follows an action (polite when it worked, assertive when not); a VICS 2.0 file is imported into a bank
 * with its progress (items imported of the total) and its items land; and the notices page shows
 * each host's notices on a timeline (sent, reminders, removal confirmed, time to removal).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heading, launchChromium, openSignedIn, text } from '../support/chromium.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

/** Polls with room for a loaded machine (the default second is too little for a server under load). */
const poll = <T>(f: () => Promise<T> | T) => expect.poll(f, { timeout: 30_000, interval: 200 });

// The browser globals the page functions below use (test/tsconfig.json has no DOM library).
declare function getComputedStyle(element: unknown): { textAlign: string; fontVariantNumeric: string };

const CONTEXT = 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media';
const hex = (n: number, len = 32) => n.toString(16).padStart(len, '0');

let dir: string;
let server: ServerProcess;
let host: Server;
let token: string;
let browser: Browser;
const failed: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alliance-design-system-'));
  // The hosting provider's abuse endpoint: takes every notice (and its reminders) and answers 200.
  host = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  const port = (host.address() as { port: number }).port;
  server = await startServer([], {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: 'hotline-ds',
    ALLIANCE_MEMBER_COUNTRY: 'NL',
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ALLIANCE_FETCH_ALLOWED_HOSTS: `127.0.0.1:${port}`,
    // Reminders come quickly, so the timeline has some to show.
    ALLIANCE_NOTICE_RESEND_MS: '300',
  });
  if (!server.token) throw new Error(`no admin token printed:\n${server.stderr()}`);
  token = server.token;
  expect(
    (await call('POST', '/providers', { name: 'Example Hosting', domains: ['hosting.example'], abuse_url: `http://127.0.0.1:${port}/abuse`, country: 'NL' }))
      .status,
  ).toBe(201);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((r) => (host ? host.close(() => r()) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
  expect(failed).toEqual([]);
});

function call(method: string, path: string, body?: unknown) {
  return http(`${server.url}/api/v1${path}`, token, method, body);
}

const open = (path: string): Promise<Page> => openSignedIn(browser, server.url, path, token, { failed });

describe('the design system', () => {
  it('sorts a table by a numeric column on a header click, both ways, and says so with aria-sort', async () => {
    // Three banks of 1, 3 and 2 contents: by name they are not in the order of their size.
    for (const [name, n] of [
      ['SORT_A', 1],
      ['SORT_B', 3],
      ['SORT_C', 2],
    ] as const) {
      expect((await call('POST', '/banks', { name })).status).toBe(201);
      for (let i = 0; i < n; i++)
        expect((await call('POST', `/banks/${name}/content`, { signals: [{ signal_type: 'md5', value: hex(n * 100 + i) }] })).status).toBe(201);
    }
    const page = await open('/banks');
    await heading(page, 'Banks');
    await page.locator('tr[data-bank="SORT_C"]').waitFor();
    const order = async () => await page.locator('tbody tr[data-bank^="SORT_"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-bank')));
    expect(await order()).toEqual(['SORT_A', 'SORT_B', 'SORT_C']);
    const header = page.getByRole('columnheader', { name: /^Content/ });
    expect(await header.getAttribute('aria-sort')).toBeNull();
    const numeric = page.locator('tr[data-bank="SORT_B"] td.num');
    expect(await numeric.evaluate((el) => [getComputedStyle(el).textAlign, getComputedStyle(el).fontVariantNumeric])).toEqual(['right', 'tabular-nums']);

    await header.getByRole('button').click();
    await poll(() => header.getAttribute('aria-sort')).toBe('ascending');
    expect(await order()).toEqual(['SORT_A', 'SORT_C', 'SORT_B']);
    await header.getByRole('button').click();
    await poll(() => header.getAttribute('aria-sort')).toBe('descending');
    expect(await order()).toEqual(['SORT_B', 'SORT_C', 'SORT_A']);
    // One column is sorted at a time.
    expect(await page.locator('th[aria-sort]').count()).toBe(1);
    await page.context().close();
  });

  it('imports a VICS 2.0 file into a bank with its progress, and a toast says it worked; the items land', async () => {
    expect((await call('POST', '/banks', { name: 'VICS_UI' })).status).toBe(201);
    const items = 20_000;
    const file = join(dir, 'case-export.json');
    writeFileSync(
      file,
      JSON.stringify({ '@odata.context': CONTEXT, value: Array.from({ length: items }, (_, i) => ({ MediaID: i + 1, Category: 1, MD5: hex(1_000_000 + i) })) }),
    );
    const page = await open('/banks/VICS_UI');
    await heading(page, 'VICS_UI');
    // The heading is there before the bank has loaded; the form comes with the bank.
    await page.locator('form[aria-labelledby="import-heading"] [role="status"]').waitFor({ state: 'attached' });
    // Every text the import's status line shows, as it changes (the running state is seen between the job's polls).
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        seen: string[];
        document: { querySelector(s: string): unknown };
        MutationObserver: new (f: () => void) => { observe(n: unknown, o: unknown): void };
      };
      g.seen = [];
      const status = g.document.querySelector('form[aria-labelledby="import-heading"] [role="status"]') as { textContent: string };
      new g.MutationObserver(() => g.seen.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
    });
    const form = page.getByRole('form', { name: 'Import a file' });
    await form.getByLabel('CSV file').setInputFiles(file);
    // The file's name chose the format; the person may change it.
    expect(await form.getByLabel('Format').inputValue()).toBe('vics');
    await form.getByLabel('VICS 2.0 JSON file').waitFor();
    await form.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => text(form.getByRole('status')), { timeout: 60_000 }).toBe(`Imported 20,000 of 20,000 items: 20,000 added, 0 updated, 0 deleted.`);
    const seen = (await page.evaluate(() => (globalThis as unknown as { seen: string[] }).seen)).filter(Boolean);
    expect(seen.some((s) => /^Uploading: [\d.,]+ KB of [\d.,]+ KB\.$/.test(s))).toBe(true);
    expect(
      seen.some((s) => /^Importing: [\d,]+ of 20,000 items imported\.$/.test(s)),
      seen.join(' | '),
    ).toBe(true);
    expect(await form.getByRole('progressbar', { name: 'Import progress' }).getAttribute('value')).toBe('1');
    // A toast, in the polite live region, outside the page's main content.
    const toast = page.locator('[data-toast="success"]', { hasText: 'Imported case-export.json into VICS_UI.' });
    await toast.waitFor();
    expect(
      await toast.evaluate((el) =>
        (el as unknown as { closest(s: string): { getAttribute(n: string): string | null } | null }).closest('[aria-live]')?.getAttribute('aria-live'),
      ),
    ).toBe('polite');
    expect(await page.locator('main [data-toast]').count()).toBe(0);
    // The items landed: the bank counts them and lists them a page at a time.
    expect((await call('GET', '/banks/VICS_UI')).json).toMatchObject({ content_count: items, signal_counts: { md5: items } });
    await poll(() => text(page.locator('#content-range'))).toBe('Items 1–20 of 20,000');
    await page.getByRole('button', { name: 'Dismiss notification' }).first().click();
    await poll(() => toast.count()).toBe(0);
    await page.context().close();
  });

  it('says a failed action in an error toast, assertively, with the catalogue code, and changes nothing else', async () => {
    const made = await call('POST', '/rules', { name: 'gone meanwhile', conditions: {}, actions: ['review'] });
    expect(made.status, made.text).toBe(201);
    const page = await open('/rules');
    await heading(page, 'Rules');
    const row = page.locator('tr[data-rule="gone meanwhile"]');
    await row.waitFor();
    // Someone else deletes it; this page still shows it, and its delete fails.
    expect((await call('DELETE', `/rules/${made.json.id}`)).status).toBe(200);
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete rule gone meanwhile?' }).getByRole('button', { name: 'Delete the rule' }).click();
    const toast = page.locator('[data-toast="error"]');
    await toast.waitFor();
    expect(await text(toast.locator('p'))).toMatch(/^Rule gone meanwhile was not deleted: .+ \(RULE_NOT_FOUND\)$/);
    expect(
      await toast.evaluate((el) =>
        (el as unknown as { closest(s: string): { getAttribute(n: string): string | null } | null }).closest('[aria-live]')?.getAttribute('aria-live'),
      ),
    ).toBe('assertive');
    // The page's own error line says it too, and no success toast was shown.
    expect(await text(page.getByRole('alert'))).toMatch(/^Rule gone meanwhile was not deleted: .+ RULE_NOT_FOUND · HTTP 404$/);
    expect(await page.locator('[data-toast="success"]').count()).toBe(0);
    await page.context().close();
  });

  it("shows a page of a long table at a time, and each host's notices on a timeline", async () => {
    // Three notices to a host with a provider (sent, then reminded), 27 to a host with none (never sent).
    const sent: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', '/notices', {
        url: `https://hosting.example/item-${i}.jpg`,
        evidence: { md5: hex(500 + i) },
        legal_basis: 'Illegal content',
      });
      expect(r.status, r.text).toBe(201);
      sent.push(r.json.id as number);
    }
    for (let i = 0; i < 27; i++)
      expect(
        (await call('POST', '/notices', { url: `https://192.0.2.9/n-${i}.jpg`, evidence: { md5: hex(600 + i) }, legal_basis: 'Illegal content' })).status,
      ).toBe(201);
    const notice = async (id: number) => (await call('GET', `/notices/${id}`)).json as { sends: number; status: string };
    await expect.poll(async () => (await notice(sent[0])).sends, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    expect((await call('POST', `/notices/${sent[0]}/removed`, { note: 'the host wrote back' })).status).toBe(200);

    const page = await open('/notices');
    await heading(page, 'Notices');
    const table = page.getByRole('table', { name: 'Notices', exact: true });
    await table.locator('tbody tr').first().waitFor();
    expect(await table.locator('tbody tr').count()).toBe(25);
    const pager = page.getByRole('navigation', { name: 'Notices: pages' });
    expect(await text(pager.locator('.pager-range'))).toBe('Rows 1–25 of 30 · page 1 of 2');
    expect(await pager.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Next page' }).click();
    await poll(() => text(pager.locator('.pager-range'))).toBe('Rows 26–30 of 30 · page 2 of 2');
    expect(await table.locator('tbody tr').count()).toBe(5);
    expect(await pager.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);

    const provider = page.getByRole('region', { name: 'Timeline of host hosting.example' });
    expect(await text(provider.locator('h3'))).toBe('hosting.example (Example Hosting)');
    expect(await text(provider.getByTestId('host-summary'))).toMatch(/^3 notices: 1 removed, 2 open; median time to removal \d+(\.\d)? (min|h)\.$/);
    const removed = provider.locator(`[data-notice-track="${sent[0]}"]`);
    const steps = await removed.locator('.notice-steps li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-step')));
    expect(steps).toEqual(['created', 'sent', 'reminder', 'removed', 'took']);
    expect(await text(removed.locator('.notice-steps li[data-step="reminder"]'))).toMatch(/^\d+ reminders?, the last /);
    expect(await text(removed.locator('.notice-steps li[data-step="removed"]'))).toMatch(/^removal confirmed .+ \(by host\)$/);
    expect(await text(removed.locator('.notice-steps li[data-step="took"]'))).toMatch(/^\d+(\.\d)? (min|h) to removal$/);
    // The marks sit on the host's time axis, in order.
    const left = async (step: string) =>
      Number(
        (await removed.locator(`.mark[data-step="${step}"]`).evaluate((el) => (el as unknown as { style: { left: string } }).style.left)).replace('%', ''),
      );
    expect(await left('created')).toBeLessThanOrEqual(await left('sent'));
    expect(await left('sent')).toBeLessThanOrEqual(await left('removed'));
    const open2 = provider.locator(`[data-notice-track="${sent[1]}"] .notice-steps li`);
    expect(await open2.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-step')))).toEqual(expect.arrayContaining(['created', 'sent', 'next']));

    const bare = page.getByRole('region', { name: 'Timeline of host 192.0.2.9' });
    expect(await text(bare.getByTestId('host-summary'))).toBe('27 notices: 0 removed, 27 open; median time to removal –.');
    expect(await bare.locator('.notice-steps li[data-step="not-sent"]').count()).toBe(27);
    await page.context().close();
  });
});
