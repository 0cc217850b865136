/**
 * The web UI's complete forms in a real browser (Debian's Chromium through playwright-core)
 * against real `alliance serve` processes: a rule created, edited and dry-run with a
 * classification condition; a subscription to a second node's bank created, paused and resumed;
 * a CSV imported into a bank with its progress and result; a bank searched by hash and by tag.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { heading, launchChromium, openSignedIn, text } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

/** Polls with room for a loaded machine (the default second is too little for a server under load). */
const poll = <T>(f: () => Promise<T> | T) => expect.poll(f, { timeout: 30_000, interval: 200 });

const dirs: string[] = [];
let server: ServerProcess;
let peer: ServerProcess;
let token: string;
let peerToken: string;
let browser: Browser;
const failed: string[] = [];

async function node(name: string): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-forms-${name}-`));
  dirs.push(dir);
  const s = await startServer([], { ALLIANCE_DATA_DIR: dir, ALLIANCE_MEMBER_NAME: name, ALLIANCE_MEMBER_COUNTRY: 'NL', ALLIANCE_SYNC_INTERVAL_MS: '0' });
  if (!s.token) throw new Error(`no admin token printed:\n${s.stderr()}`);
  return s;
}

beforeAll(async () => {
  [server, peer] = await Promise.all([node('hotline-ui'), node('hotline-peer')]);
  token = server.token!;
  peerToken = peer.token!;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.stop(), peer?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) => http(`${server.url}/api/v1${path}`, token, method, body);

const open = (path: string): Promise<Page> => openSignedIn(browser, server.url, path, token, { failed });

describe('web UI forms', () => {
  it('creates, edits and dry-runs a rule with a classification condition', async () => {
    expect((await call('POST', '/banks', { name: 'RULES_BANK' })).status).toBe(201);
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    expect((await call('POST', '/banks/RULES_BANK/content', { signals: [{ signal_type: 'md5', value: a }], classification: 'industry:A1' })).status).toBe(201);
    expect((await call('POST', '/banks/RULES_BANK/content', { signals: [{ signal_type: 'md5', value: b }] })).status).toBe(201);
    // Four submissions: two of the A1 content (from two sources), one of unclassified content, one of nothing known.
    for (const [value, source] of [
      [a, 'upload'],
      [a, 'profile-photo'],
      [b, 'upload'],
      ['c'.repeat(32), 'upload'],
    ])
      expect((await call('POST', '/submissions', { signals: { md5: value }, source })).status).toBe(201);

    const page = await open('/rules');
    await heading(page, 'Rules');
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name', { exact: true }).fill('A1 to review');
    await form.getByLabel('Industry A1').check();
    await form.getByRole('button', { name: 'Dry run' }).click();
    await poll(() => text(form.getByRole('status'))).toBe('Would have matched 2 of the 4 submissions recorded so far (fewer than 1,000).');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const row = page.locator('tr[data-rule="A1 to review"]');
    await row.waitFor();
    expect(await text(row)).toBe('A1 to review classified industry:A1 review Edit Delete');

    await row.getByRole('button', { name: 'Edit rule A1 to review' }).click();
    const edit = page.getByRole('form', { name: 'Edit rule A1 to review' });
    expect(await edit.getByLabel('Industry A1').isChecked()).toBe(true);
    await edit.getByLabel(/^Sources on the platform/).fill('upload');
    await edit.getByRole('button', { name: 'Dry run' }).click();
    await poll(() => text(edit.getByRole('status'))).toBe('Would have matched 1 of the 4 submissions recorded so far (fewer than 1,000).');
    // A refused value is said beside its field.
    await edit.getByLabel('Banks (comma-separated; empty: any)').fill('NO_SUCH_BANK');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    const banks = edit.getByLabel('Banks (comma-separated; empty: any)');
    await poll(() => banks.getAttribute('aria-invalid')).toBe('true');
    expect(await text(edit.locator('#rule-banks-error'))).toMatch(/NO_SUCH_BANK/);
    expect(await text(edit.getByRole('alert'))).toBe('Rule A1 to review was not saved: see the banks field. RULE_INVALID · HTTP 400');
    await banks.fill('RULES_BANK');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await poll(() => text(row)).toBe('A1 to review bank RULES_BANK, classified industry:A1, source upload review Edit Delete');
    const rules = (await call('GET', '/rules')).json.rules as Array<{ name: string; conditions: unknown }>;
    expect(rules.find((r) => r.name === 'A1 to review')?.conditions).toEqual({ banks: ['RULES_BANK'], classifications: ['industry:A1'], sources: ['upload'] });
    // The dry run acted on nothing: still the four submissions, no review queued by it.
    expect((await call('POST', '/rules/dry-run', { conditions: { classifications: ['industry:A1'] } })).json).toEqual({
      matched: 2,
      examined: 4,
      window: 1000,
    });
    await page.context().close();
  });

  it("subscribes to a peer's bank in the UI, pauses and resumes it", async () => {
    const [mine, theirs] = await Promise.all([call('GET', '/identity'), http(`${peer.url}/api/v1/identity`, peerToken)]);
    expect(
      (await call('POST', '/peers', { name: 'hotline-peer', url: peer.url, public_key: theirs.json.public_key, country: 'NL', kind: 'hotline' })).status,
    ).toBe(201);
    const onPeer = (method: string, path: string, body?: unknown) => http(`${peer.url}/api/v1${path}`, peerToken, method, body);
    expect(
      (await onPeer('POST', '/peers', { name: 'hotline-ui', url: server.url, public_key: mine.json.public_key, country: 'NL', kind: 'hotline' })).status,
    ).toBe(201);
    expect((await onPeer('POST', '/banks', { name: 'SHARED' })).status).toBe(201);
    expect((await onPeer('POST', '/banks/SHARED/content', { signals: [{ signal_type: 'md5', value: 'd'.repeat(32) }] })).status).toBe(201);
    expect((await onPeer('PUT', '/banks/SHARED/publication', { recipients: { members: ['hotline-ui'] } })).status).toBe(200);

    const page = await open('/sync');
    await heading(page, 'Subscriptions');
    const form = page.getByRole('form', { name: "Subscribe to a peer's bank" });
    await form.getByLabel('Peer', { exact: true }).selectOption('hotline-peer');
    // A bad bank name is said beside the field.
    await form.getByLabel("Peer's bank").fill('not a bank');
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await poll(() => form.getByLabel("Peer's bank").getAttribute('aria-invalid')).toBe('true');
    expect(await text(form.locator('#subscribe-bank-error'))).toBe('A bank name uses capital letters, digits and underscores, e.g. HOTLINE_2026.');
    await form.getByLabel("Peer's bank").fill('SHARED');
    await form.getByLabel(/^Into local bank/).fill('FROM_PEER');
    await form.getByRole('button', { name: 'Subscribe' }).click();
    const row = page.locator('tr[data-subscription]', { hasText: 'hotline-peer / SHARED' });
    await row.waitFor();
    expect(await text(page.getByRole('status').filter({ hasText: 'Subscribed' }))).toBe('Subscribed to hotline-peer/SHARED, received into FROM_PEER.');
    expect(await text(row.getByTestId('state'))).toBe('active');
    await row.getByRole('button', { name: 'Sync now' }).click();
    await poll(async () => text(row.locator('td').nth(3))).toBe('1'); // Received
    expect((await call('GET', '/banks/FROM_PEER')).json.content_count).toBe(1);

    await row.getByRole('button', { name: 'Pause' }).click();
    await poll(() => text(row.getByTestId('state'))).toBe('paused');
    const sub = () =>
      call('GET', '/subscriptions').then((r) =>
        (r.json.subscriptions as Array<{ remote_bank: string; paused: boolean }>).find((s) => s.remote_bank === 'SHARED'),
      );
    expect((await sub())?.paused).toBe(true);
    // Paused: the sources page shows it disabled.
    const source = async () =>
      ((await call('GET', '/sources')).json.sources as Array<{ name: string; enabled: boolean; state: string }>).find((x) => x.name === 'hotline-peer/SHARED');
    expect(await source()).toMatchObject({ enabled: false, state: 'disabled' });
    await row.getByRole('button', { name: 'Resume' }).click();
    await poll(() => text(row.getByTestId('state'))).toBe('active');
    expect((await sub())?.paused).toBe(false);
    expect(await source()).toMatchObject({ enabled: true, state: 'ok' });
    await page.context().close();
  });

  it('imports a CSV into a bank with progress and its result, says which lines a bad file had wrong, and searches by hash and tag', async () => {
    expect((await call('POST', '/banks', { name: 'IMPORTED' })).status).toBe(201);
    const dir = mkdtempSync(join(tmpdir(), 'alliance-forms-csv-'));
    dirs.push(dir);
    const good = join(dir, 'good.csv');
    const bad = join(dir, 'bad.csv');
    const hex = (n: number) => n.toString(16).padStart(32, '0');
    writeFileSync(
      good,
      ['signal_type,signal,classification,tags', ...Array.from({ length: 30 }, (_, i) => `md5,${hex(i + 1)},,${i < 3 ? 'batch-7' : 'other'}`)].join('\n') +
        '\n',
    );
    writeFileSync(bad, 'signal_type,signal\nmd5,not-a-hash\nmd5,' + hex(99) + '\nnope,x\n');

    const page = await open('/banks/IMPORTED');
    await heading(page, 'IMPORTED');
    const form = page.getByRole('form', { name: 'Import a file' });
    await form.getByLabel('CSV file').setInputFiles(bad);
    await form.getByRole('button', { name: 'Import' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    const reasons = await form.locator('.import-reasons li').allInnerTexts();
    expect(reasons.length).toBe(2);
    expect(reasons[0]).toMatch(/line 2/);
    expect(reasons[1]).toMatch(/line 4/);
    expect(await text(alert)).toMatch(/^The file was not imported: nothing was imported/);
    expect((await call('GET', '/banks/IMPORTED')).json.content_count).toBe(0);

    await form.getByLabel('CSV file').setInputFiles(good);
    await form.getByRole('button', { name: 'Import' }).click();
    await poll(() => text(form.getByRole('status'))).toBe('Imported: 30 content added, 0 skipped.');
    expect(await form.getByRole('progressbar', { name: 'Import progress' }).getAttribute('value')).toBe('1');
    expect((await call('GET', '/banks/IMPORTED')).json.content_count).toBe(30);
    await poll(() => text(page.locator('#content-range'))).toBe('Items 1–20 of 30');

    const search = page.getByRole('search', { name: 'Search this bank' });
    await search.getByLabel('Search by').selectOption('tag');
    await search.getByLabel('Tag to find').fill('batch-7');
    await search.getByRole('button', { name: 'Search' }).click();
    await poll(() => text(page.locator('#content-range'))).toBe('Items 1–3 with the tag batch-7');
    await search.getByLabel('Search by').selectOption('hash');
    await search.getByLabel('Hash to find').fill(hex(17).toUpperCase());
    await search.getByRole('button', { name: 'Search' }).click();
    await poll(() => text(page.locator('#content-range'))).toBe(`Items 1–1 with the hash ${hex(17).toUpperCase()}`);
    expect(await text(page.locator('table.content tbody'))).toContain(hex(17));
    await search.getByLabel('Hash to find').fill(hex(999));
    await search.getByRole('button', { name: 'Search' }).click();
    await poll(() => text(page.locator('section[aria-labelledby="content-heading"]'))).toContain(`No content in this bank with the hash ${hex(999)}.`);
    await search.getByRole('button', { name: 'Show all content' }).click();
    await poll(() => text(page.locator('#content-range'))).toBe('Items 1–20 of 30');
    await page.context().close();
    expect(failed).toEqual([]);
  });
});
