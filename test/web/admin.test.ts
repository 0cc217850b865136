/**
 * The web UI's irreversible actions in a real browser (Debian's Chromium through playwright-core)
 * against a real `alliance serve`: the Admin menu's Members and tokens page creates a token (its
 * secret shown once) and revokes one through a confirmation dialog (Cancel leaves it working, the
 * deliberate second action makes the API refuse it); the bank page deletes content and the bank
 * through dialogs (the bank's only once its name is typed), then says so in a toast on /banks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { heading, launchChromium, openSignedIn, text } from '../support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

declare const navigator: { clipboard: { readText(): Promise<string> } };

let dir: string;
let server: ServerProcess;
let token: string;
let browser: Browser;
const failed: string[] = [];
/** The content of ADMIN_BANK (made in one test, deleted with the bank in the next). */
const ids: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alliance-admin-ui-'));
  server = await startServer([], {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: 'hotline-admin',
    ALLIANCE_MEMBER_COUNTRY: 'NL',
    ALLIANCE_SYNC_INTERVAL_MS: '0',
  });
  if (!server.token) throw new Error(`no admin token printed:\n${server.stderr()}`);
  token = server.token;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown, as = token) => http(`${server.url}/api/v1${path}`, as, method, body);

const open = (path: string, as = token): Promise<Page> =>
  openSignedIn(browser, server.url, path, as, { failed, permissions: ['clipboard-read', 'clipboard-write'] });

describe('web UI: irreversible actions ask first', () => {
  it('creates a token from the Admin menu, shows its secret once, and revokes it only on the second action', async () => {
    const page = await open('/');
    await page.getByRole('button', { name: 'Admin' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members and tokens' }).click();
    await heading(page, 'Members and tokens');
    expect(await text(page.getByRole('table', { name: 'Members' }))).toContain('hotline-admin');

    const form = page.getByRole('form', { name: 'New token' });
    await form.getByLabel('Role').selectOption('analyst');
    await form.getByLabel('Label (what uses it)').fill('intake robot');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secretBox = page.locator('[data-secret]');
    await secretBox.waitFor();
    expect(await text(secretBox)).toContain('it will not be shown again');
    const secret = (await secretBox.getByLabel('The new token').innerText()).trim();
    expect(secret.length).toBeGreaterThan(20);
    expect((await call('GET', '/whoami', undefined, secret)).json).toMatchObject({ member: 'hotline-admin', role: 'analyst' });
    await secretBox.getByRole('button', { name: 'Copy the token' }).click();
    await secretBox.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const listed = (await call('GET', '/tokens')).json.tokens as Array<{ id: number; label: string; prefix: string }>;
    const made = listed.find((t) => t.label === 'intake robot')!;
    expect(made).toBeDefined();
    const row = page.locator(`tr[data-token="${made.id}"]`);
    await row.waitFor();
    expect(await text(row)).toMatch(/intake robot.*hotline-admin analyst .* active/);

    // Once: hidden, or after a reload, the secret is nowhere on the page; the list shows its prefix only.
    await secretBox.getByRole('button', { name: 'Done: hide it' }).click();
    await secretBox.waitFor({ state: 'detached' });
    await page.reload();
    await heading(page, 'Members and tokens');
    await row.waitFor();
    expect(await page.locator('body').innerText()).not.toContain(secret);
    expect(await text(row)).toContain(made.prefix);

    // Revoke: Cancel first — the token still works.
    await row.getByRole('button', { name: /^Revoke token/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Revoke token/ });
    await dialog.waitFor();
    expect(await text(dialog)).toContain('(role analyst, of hotline-admin) stops working at once; anything using it is refused');
    expect(await text(dialog)).not.toContain('signed out');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await call('GET', '/whoami', undefined, secret)).status).toBe(200);
    expect(await text(row)).toContain('active');

    // Then the deliberate second action: the API refuses the token at once.
    await row.getByRole('button', { name: /^Revoke token/ }).click();
    await dialog.getByRole('button', { name: 'Revoke the token' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'revoked' }).waitFor();
    expect((await call('GET', '/whoami', undefined, secret)).status).toBe(401);
    await row.getByText(/revoked/).waitFor();
    expect(await row.getByRole('button', { name: /^Revoke/ }).count()).toBe(0);

    // Its own token: the dialog says revoking it signs this browser out (and Cancel keeps it).
    const own = (await call('GET', '/whoami')).json.token_id as number;
    const ownRow = page.locator(`tr[data-token="${own}"]`);
    expect(await text(ownRow)).toContain('(this session)');
    await ownRow.getByRole('button', { name: /^Revoke token/ }).click();
    const ownDialog = page.getByRole('dialog', { name: /^Revoke token/ });
    await ownDialog.waitFor();
    expect(await text(ownDialog)).toContain('It is the token this browser is signed in with: you will be signed out.');
    await ownDialog.getByRole('button', { name: 'Cancel' }).click();
    await ownDialog.waitFor({ state: 'hidden' });
    expect((await call('GET', '/whoami')).status).toBe(200);
    await page.context().close();
  });

  it('shows the Admin menu only to a role that manages members, and deletions only to one that writes banks', async () => {
    expect((await call('POST', '/banks', { name: 'READ_ONLY_BANK' })).status).toBe(201);
    expect((await call('POST', '/banks/READ_ONLY_BANK/content', { signals: [{ signal_type: 'md5', value: 'd'.repeat(32) }] })).status).toBe(201);
    const analyst = (await call('POST', '/tokens', { member: 'hotline-admin', role: 'analyst' })).json.token as string;
    const page = await open('/banks/READ_ONLY_BANK', analyst);
    await heading(page, 'READ_ONLY_BANK');
    await page.locator('tr[data-content]').first().waitFor();
    expect(await page.getByRole('button', { name: 'Admin' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    await page.context().close();
  });

  it('deletes content through its dialog: Cancel keeps it, the second action deletes it', async () => {
    expect((await call('POST', '/banks', { name: 'ADMIN_BANK' })).status).toBe(201);
    for (const v of ['a', 'b', 'c']) {
      const r = await call('POST', '/banks/ADMIN_BANK/content', { signals: [{ signal_type: 'md5', value: v.repeat(32) }] });
      expect(r.status, r.text).toBe(201);
      ids.push(r.json.id as number);
    }
    const page = await open('/banks/ADMIN_BANK');
    await heading(page, 'ADMIN_BANK');
    const row = page.locator(`tr[data-content="${ids[0]}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: `Delete content ${ids[0]}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete content ${ids[0]}?` });
    await dialog.waitFor();
    expect(await text(dialog)).toContain(`Content ${ids[0]} is deleted from bank ADMIN_BANK with its signal (md5)`);
    expect(await text(dialog)).toContain('Peers subscribed to ADMIN_BANK see the deletion in its feed');
    expect(await text(dialog)).toContain('This cannot be undone.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await call('GET', `/content/${ids[0]}`)).status).toBe(200);
    expect(await row.count()).toBe(1);

    await row.getByRole('button', { name: `Delete content ${ids[0]}` }).click();
    await dialog.getByRole('button', { name: 'Delete the content' }).click();
    await page.locator('[data-toast="success"]', { hasText: `Content ${ids[0]} deleted from ADMIN_BANK` }).waitFor();
    await row.waitFor({ state: 'detached' });
    expect((await call('GET', `/content/${ids[0]}`)).status).toBe(404);
    expect((await call('GET', `/content/${ids[1]}`)).status).toBe(200);
    // The bank's counts follow.
    await page.locator('.facts dd', { hasText: /^2$/ }).waitFor();
    await page.context().close();
  });

  it('deletes a bank only once its name is typed, then shows /banks with a toast', async () => {
    const page = await open('/banks/ADMIN_BANK');
    await heading(page, 'ADMIN_BANK');
    await page.getByRole('button', { name: 'Delete bank ADMIN_BANK…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete bank ADMIN_BANK?' });
    await dialog.waitFor();
    expect(await text(dialog)).toContain('Bank ADMIN_BANK is deleted with its 2 content items and 2 signals (md5 2)');
    expect(await text(dialog)).toContain('This cannot be undone.');
    const danger = dialog.getByRole('button', { name: 'Delete the bank' });
    expect(await danger.isDisabled()).toBe(true);
    const name = dialog.getByLabel(/Type the bank's name/);
    await name.fill('ADMIN_BAN');
    expect(await danger.isDisabled()).toBe(true);
    await name.fill('admin_bank');
    expect(await danger.isDisabled()).toBe(true);

    // Cancel: nothing happens.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await call('GET', '/banks/ADMIN_BANK')).status).toBe(200);

    await page.getByRole('button', { name: 'Delete bank ADMIN_BANK…' }).click();
    expect(await danger.isDisabled()).toBe(true); // what was typed before is gone
    await name.fill('ADMIN_BANK');
    expect(await danger.isEnabled()).toBe(true);
    await danger.click();
    await page.waitForURL(`${server.url}/banks`);
    await heading(page, 'Banks');
    await page.locator('[data-toast="success"]', { hasText: 'Bank ADMIN_BANK deleted, with 2 signals.' }).waitFor();
    expect((await call('GET', '/banks/ADMIN_BANK')).status).toBe(404);
    for (const id of ids) expect((await call('GET', `/content/${id}`)).status).toBe(404);
    await page.context().close();
    expect(failed).toEqual([]);
  });
});
