/**
 * The operations pages in a real browser (Debian's Chromium through playwright-core) against two
 * real `alliance serve` processes on 127.0.0.1: a US authority opens an operation in the UI (a
 * refused date said beside its field), imports a generated target file (IP addresses the offline
 * database places in DE, NL and FR — data only, never contacted) and sees each target attributed
 * with its reasons; a malformed file imports nothing; an analyst moves a target to another
 * country with a reason; deconfliction holds the two targets a local case has, one is released
 * through the dialog with a reason; packages are built with a handling restriction and sent through
 * a dialog that says which authority receives what. The German authority's node shows the package
 * in its lead inbox: acknowledged, accepted, assigned, outcomes recorded (an arrest, a charge,
 * victims safeguarded with a count), a forward to a country with no authority refused; a supplement
 * for the target released later is declined through a dialog with a reason. The US node's package
 * view and its picture show all of it exactly, and the downloaded PDF verifies.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heading, launchChromium, openSignedIn, text } from '../support/chromium.js';
import { REPO } from '../support/paths.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

declare const axe: {
  run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }> }>;
};
const AXE = join(REPO, 'node_modules/axe-core/axe.min.js');

/** The page's serious and critical axe-core violations (the every-page test cannot reach pages that need received packages). */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => (await axe.run(globalThis, { resultTypes: ['violations'] })).violations);
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

const KEY = 'feed'.repeat(16);
const dirs: string[] = [];
type Node = ServerProcess & { call: (method: string, path: string, body?: unknown) => ReturnType<typeof http> };
let US: Node;
let DE: Node;
let browser: Browser;
const failed: string[] = [];

async function node(name: string, country: string): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `alliance-op-ui-${name}-`));
  dirs.push(dir);
  const s = await startServer([], {
    ALLIANCE_DATA_DIR: dir,
    ALLIANCE_MEMBER_NAME: name,
    ALLIANCE_MEMBER_KIND: 'authority',
    ALLIANCE_MEMBER_COUNTRY: country,
    ALLIANCE_SYNC_INTERVAL_MS: '0',
    ALLIANCE_DECONFLICTION_KEY: KEY,
  });
  if (!s.token) throw new Error(`no admin token printed:\n${s.stderr()}`);
  return Object.assign(s, { call: (method: string, path: string, body?: unknown) => http(`${s.url}/api/v1${path}`, s.token, method, body) });
}

async function link(a: Node, b: Node): Promise<void> {
  const id = (await b.call('GET', '/identity')).json;
  const res = await a.call('POST', '/peers', { name: id.member, url: b.url, public_key: id.public_key, country: id.country, kind: id.kind });
  expect(res.status, res.text).toBe(201);
}

// Generated targets: five in Germany, three in the Netherlands, two in France (by their IP address at the time).
const rows = [
  ...[1, 2, 3, 4, 5].map((i) => `de${i},board-de-${i},de-${i}@mail.example.de,193.99.144.80@2026-03-0${i}T10:00:00Z`),
  ...[1, 2, 3].map((i) => `nl${i},board-nl-${i},,145.97.39.155@2026-03-01T11:00:00Z`),
  ...[1, 2].map((i) => `fr${i},board-fr-${i},,62.210.16.6@2026-03-01T12:00:00Z`),
];
const CSV = `ref,username,email,ip\n${rows.join('\n')}\n`;

beforeAll(async () => {
  [US, DE] = await Promise.all([node('fbi-us', 'US'), node('police-de', 'DE')]);
  await link(US, DE);
  await link(DE, US);
  expect((await US.call('PUT', '/routing/DE', { peer: 'police-de' })).status).toBe(200);
  // A case of the US node's own already holds two of the German targets' usernames.
  const kase = await US.call('POST', '/cases', { reference: 'CASE-DE-7', contact_point: 'desk-7@case.example' });
  expect(kase.status, kase.text).toBe(201);
  const reg = await US.call('POST', `/cases/${kase.json.id}/targets`, {
    targets: [
      { kind: 'username', value: 'board-de-1' },
      { kind: 'username', value: 'board-de-2' },
    ],
  });
  expect(reg.status, reg.text).toBe(200);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([US?.stop(), DE?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const open = (n: Node, path: string): Promise<Page> => openSignedIn(browser, n.url, path, n.token!, { bypassCSP: true, failed });

/** Polls with room for a loaded machine (the default second is too little for a server under load). */
const poll = <T>(f: () => Promise<T> | T) => expect.poll(f, { timeout: 60_000, interval: 250 });
const cells = async (row: Locator) => (await row.locator('th, td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());

describe('the operations pages', () => {
  let op: number;
  let us: Page;

  it('opens an operation in the UI: a refused date is said beside its field, then it opens', async () => {
    us = await open(US, '/operations');
    await heading(us, 'Operations');
    await us.getByText('No operation yet: open the first one below.').waitFor();
    const form = us.getByRole('form', { name: 'Open an operation' });
    await form.getByLabel('Name').fill('Operation Placeholder');
    await form.getByLabel('Legal basis').fill('Placeholder act §1');
    await form.getByLabel('Owner agency').fill('Agency US');
    await form.getByLabel('Contact point').fill('desk@agency.example');
    await form.getByLabel('Starts').fill('2026-03-01');
    await form.getByLabel('Ends').fill('2026-02-01');
    await form.getByLabel('Restricted notes').fill('RESTRICTED-NOTE-never-sent');
    await form.getByRole('button', { name: 'Open operation' }).click();
    const ends = form.getByLabel('Ends');
    await poll(() => ends.getAttribute('aria-invalid')).toBe('true');
    expect(await text(form.locator('#op-ends-at-error'))).toBe('The end date must be a date, on or after the start date.');
    expect(await text(form.getByRole('alert'))).toBe('The operation was not opened: see the end date field. OPERATION_INVALID · HTTP 400');
    expect((await US.call('GET', '/operations')).json.operations).toEqual([]);

    await ends.fill('2026-12-31');
    await form.getByRole('button', { name: 'Open operation' }).click();
    await heading(us, 'Operation Operation Placeholder');
    op = Number(/\/operations\/(\d+)$/.exec(us.url())![1]);
    const facts = await text(us.locator('dl.facts'));
    expect(facts).toContain('Legal basis Placeholder act §1 Owner agency Agency US Contact point desk@agency.example Dates 2026-03-01 to 2026-12-31 Targets 0');
    expect(facts).toContain('Restricted notes RESTRICTED-NOTE-never-sent (never leave this node)');
    // The list shows it too.
    expect((await US.call('GET', '/operations')).json.operations.map((o: { name: string }) => o.name)).toEqual(['Operation Placeholder']);
  });

  it('imports a target file with its result per country; a malformed file imports nothing', async () => {
    expect(await us.getByRole('tab', { name: 'Targets' }).getAttribute('aria-selected')).toBe('true');
    const form = us.getByRole('form', { name: 'Import targets' });
    // A bad address on line 3: the whole file is refused, naming the line.
    await form.getByLabel('Target file').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('ref,username,ip\nok1,someone,193.99.144.80\nbad1,other,999.1.1.1\n'),
    });
    await form.getByRole('button', { name: 'Import' }).click();
    await poll(() => text(form.getByRole('alert'))).toBe(
      'The target file was not imported (nothing of it was kept): line 3: ip: "999.1.1.1" is not an IPv4 or IPv6 address. OPERATION_INVALID · HTTP 400',
    );
    expect((await US.call('GET', `/operations/${op}`)).json.targets).toBe(0);

    await form.getByLabel('Target file').setInputFiles({ name: 'targets.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await form.getByRole('button', { name: 'Import' }).click();
    await poll(() => text(form.getByRole('status'))).toBe('Imported 10 targets.');
    expect(await form.getByRole('list', { name: "The operation's targets per country now" }).locator('li').allInnerTexts()).toEqual([
      'DE: 5 (5 high, 0 medium, 0 low)',
      'NL: 3 (3 high, 0 medium, 0 low)',
      'FR: 2 (2 high, 0 medium, 0 low)',
    ]);
    await poll(() => text(us.locator('dd[data-targets]'))).toBe('10');
    const lines = us.locator('table.op-countries tbody tr');
    await poll(async () => (await lines.all()).length).toBe(3);
    expect(await cells(lines.nth(0))).toEqual(['DE', '5', '5', '0', '0', '0', '0', '0']);
    const de1 = us.locator('tr[data-target="de1"]');
    expect(await cells(de1)).toEqual([
      'de1',
      'users: board-de-1 e-mail: de-1@mail.example.de IP: 193.99.144.80',
      'DE',
      'high',
      'DE: IP address 193.99.144.80 at 2026-03-01T10:00:00.000Z DE: e-mail domain mail.example.de',
      '—',
      'not checked yet',
      'Change country of de1',
    ]);
    expect(await us.locator('table.op-targets tbody tr[data-target]').count()).toBe(10);
  });

  it("overrides a target's country with a reason (a reason is required)", async () => {
    const row = us.locator('tr[data-target="fr2"]');
    await row.getByRole('button', { name: 'Change country of fr2' }).click();
    const form = us.getByRole('form', { name: 'Country of target fr2' });
    await form.getByLabel('Country').fill('XX');
    await form.getByLabel('Reason').fill('seen at a Dutch address');
    await form.getByRole('button', { name: 'Save country' }).click();
    await poll(() => form.getByLabel('Country').getAttribute('aria-invalid')).toBe('true');
    expect(await text(form.locator('.field-error'))).toBe('The country is a two-letter ISO 3166 code (DE, NL, FR), or empty for the attributed one.');
    await form.getByLabel('Country').fill('nl');
    await form.getByRole('button', { name: 'Save country' }).click();
    await poll(async () => (await cells(row))[2]).toMatch(/^NL set by fbi-us\/\S+: seen at a Dutch address \(attributed FR\)$/);
    expect((await cells(row))[3]).toBe('set by an analyst');
    const target = (await US.call('GET', `/operations/${op}/targets/fr2`)).json;
    expect([target.country, target.override.reason, target.attributed.country]).toEqual(['NL', 'seen at a Dutch address', 'FR']);
  });

  it('runs deconfliction: two targets held with the other case’s contact point; one released through the dialog with a reason', async () => {
    await us.getByRole('tab', { name: 'Deconfliction' }).click();
    expect(us.url()).toMatch(/#deconfliction$/);
    await poll(() => text(us.locator('[data-unchecked]'))).toBe('10 not checked yet.');
    await us.getByRole('button', { name: 'Run the deconfliction check' }).click();
    await poll(() => text(us.getByRole('status').first())).toBe('Checked 10 targets: 2 held by an overlap with another case.');
    const held = us.locator('tr[data-held]');
    await poll(() => held.count()).toBe(2);
    const de1 = us.locator('tr[data-held="de1"]');
    expect((await cells(de1)).slice(0, 2)).toEqual(['de1', 'DE']);
    expect(await text(de1.locator('[data-col="contact"]'))).toBe('desk-7@case.example');
    const overlaps = (await US.call('GET', `/operations/${op}/targets/de1`)).json.deconfliction.overlaps;
    expect(overlaps.map((o: { kind: string; other_contact: string }) => [o.kind, o.other_contact])).toEqual([['username', 'desk-7@case.example']]);
    expect(await text(de1.locator('td').nth(1))).toBe(`username ${overlaps[0].hint}: case ${overlaps[0].other_case} of fbi-us`);

    // Cancel keeps it held; the confirm button waits for a reason.
    await us.getByRole('button', { name: 'Release de2' }).click();
    const dialog = us.getByRole('dialog', { name: 'Release target de2?' });
    expect(await text(dialog)).toContain('despite the overlap with desk-7@case.example (fbi-us)');
    expect(await dialog.getByRole('button', { name: 'Release the target' }).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await US.call('GET', `/operations/${op}/targets/de2`)).json.deconfliction.held).toBe(true);
    await us.getByRole('button', { name: 'Release de2' }).click();
    await dialog.getByLabel('Why it is released').fill('Spoke to desk 7: they agree');
    await dialog.getByRole('button', { name: 'Release the target' }).click();
    await poll(() => held.count()).toBe(1);
    await poll(() => text(us.locator('tr[data-released="de2"] td').last())).toMatch(/^Spoke to desk 7: they agree \(fbi-us\/\S+, /);
    const de2 = (await US.call('GET', `/operations/${op}/targets/de2`)).json.deconfliction;
    expect([de2.held, de2.released.reason]).toEqual([false, 'Spoke to desk 7: they agree']);
  });

  it('builds packages with a handling restriction and sends them through a dialog that says who receives what', async () => {
    await us.getByRole('tab', { name: 'Packages' }).click();
    await us.getByText('No package built yet.').waitFor();
    const form = us.getByRole('form', { name: 'Build lead packages' });
    await form.getByLabel('No direct contact with the targets before').fill('2026-06-01');
    await form.getByRole('checkbox', { name: /Intelligence only/ }).check();
    await form.getByRole('button', { name: 'Build packages' }).click();
    await poll(() => text(us.getByRole('status').first())).toBe('Built 3 packages: DE 4 targets, FR 1 target, NL 4 targets. Left out — DE: 1 held.');
    const pkg = (c: string) => us.locator(`tr[data-package="${c}"]`);
    await pkg('DE').waitFor();
    expect((await cells(pkg('DE'))).slice(1, 6)).toEqual([
      'DE',
      'police-de',
      '4',
      'no direct contact with the target before 2026-06-01; intelligence only: not to be used as evidence without the sender’s consent',
      'built, not sent',
    ]);

    await us.getByRole('button', { name: 'Send the packages not sent yet (3)' }).click();
    const dialog = us.getByRole('dialog', { name: 'Send 3 lead packages?' });
    const lines = await dialog.locator('li').allInnerTexts();
    expect(lines[0]).toBe('sends 4 targets to the authority for DE (police-de)');
    expect(lines[1]).toMatch(/^1 target for FR wait: no receiving authority registered for FR and no fall-back contact/);
    expect(lines[2]).toMatch(/^4 targets for NL wait: no receiving authority registered for NL and no fall-back contact/);
    expect(lines).toHaveLength(3);
    await dialog.getByRole('button', { name: 'Send the packages' }).click();
    await poll(() => text(us.getByRole('status').first())).toBe('Queued for delivery: DE to police-de. Waiting for a receiving authority: FR, NL.');
    await poll(async () => {
      await us.getByRole('button', { name: 'Refresh' }).click();
      return pkg('DE').getAttribute('data-state');
    }).toBe('delivered');
    expect(await text(pkg('DE').locator('[data-col="status"]'))).toBe('received');
    expect(await text(pkg('DE').locator('[data-col="delivery"]'))).toMatch(/^delivered .* receipt: received/);
  });

  it('the German authority acknowledges, accepts, assigns and records outcomes in its lead inbox', async () => {
    const de = await open(DE, '/lead-inbox');
    await heading(de, 'Lead inbox');
    const row = de.locator('tr[data-inbox]');
    await row.waitFor();
    expect((await cells(row)).slice(1, 5)).toEqual(['fbi-us', 'Operation Placeholder Agency US', '4', 'received']);
    await row.getByRole('link').click();
    await heading(de, /^Lead package #\d+ from fbi-us$/);
    expect(await text(de.locator('dd[data-handling]'))).toMatch(/^no direct contact with the target before 2026-06-01; intelligence only/);
    expect(await de.locator('tr[data-target]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-target')))).toEqual(['de2', 'de3', 'de4', 'de5']);
    expect(await text(de.locator('main'))).not.toContain('RESTRICTED-NOTE');

    await de.getByRole('button', { name: 'Acknowledge' }).click();
    await poll(() => text(de.locator('dd[data-state]'))).toBe('acknowledged');
    await de.getByRole('button', { name: 'Accept' }).click();
    await poll(() => text(de.locator('dd[data-state]'))).toBe('accepted');
    const assign = de.getByRole('form', { name: 'Assign the package' });
    await assign.getByLabel('Assign to').fill('LKA unit 7');
    await assign.getByRole('button', { name: 'Assign' }).click();
    await poll(() => text(de.getByRole('status'))).toBe('Assigned to LKA unit 7.');

    const record = async (target: string, outcome: string, count?: number) => {
      const form = de.getByRole('form', { name: `Outcome for ${target}` });
      await form.getByLabel('Outcome').selectOption(outcome);
      if (count !== undefined) await form.getByLabel('How many').fill(String(count));
      await form.getByRole('button', { name: `Record the outcome for ${target}` }).click();
    };
    await record('de2', 'arrested');
    await poll(() => text(de.locator('tr[data-target="de2"] [data-col="outcomes"] li'))).toMatch(/^arrested /);
    await record('de2', 'charged');
    await poll(() => de.locator('tr[data-target="de2"] [data-col="outcomes"] li').count()).toBe(2);
    await record('de3', 'victims_safeguarded', 2);
    await poll(() => text(de.locator('tr[data-target="de3"] [data-col="outcomes"] li'))).toMatch(/^victims safeguarded \(2\) /);
    const pkg = (await DE.call('GET', '/lead-inbox')).json.packages[0];
    expect(
      Object.fromEntries(
        Object.entries(pkg.outcomes as Record<string, Array<{ outcome: string; count: number | null }>>).map(([k, v]) => [
          k,
          v.map((o) => [o.outcome, o.count]),
        ]),
      ),
    ).toEqual({
      de2: [
        ['arrested', null],
        ['charged', null],
      ],
      de3: [['victims_safeguarded', 2]],
    });
    expect(await violations(de), 'a received package with outcomes').toEqual([]);

    // Re-referral: a target found to be in a third country goes on only through a dialog, and only to a registered authority.
    const forward = de.getByRole('form', { name: 'Forward to a third country' });
    await forward.getByRole('checkbox', { name: 'de4' }).check();
    await forward.getByLabel('Country').fill('nl');
    await forward.getByRole('button', { name: 'Forward…' }).click();
    const dialog = de.getByRole('dialog', { name: 'Forward 1 target to NL?' });
    expect(await text(dialog)).toMatch(/^Forward 1 target to NL\? Sends de4 to the receiving authority for NL .* back to fbi-us\. It cannot be recalled\./);
    await dialog.getByRole('button', { name: 'Forward the targets' }).click();
    await poll(() => text(forward.getByRole('alert'))).toMatch(
      /^The targets were not forwarded: no receiving authority registered for NL and no fall-back contact .*; nothing was forwarded\. LEAD_INVALID · HTTP 400$/,
    );
    expect((await DE.call('GET', `/lead-inbox/${pkg.id}`)).json.forwards).toEqual([]);
    await de.context().close();
  });

  it("the US node's package view shows what the German authority said, per target", async () => {
    const row = us.locator('tr[data-package="DE"]').first();
    await poll(async () => {
      await us.getByRole('button', { name: 'Refresh' }).click();
      return text(row.locator('[data-col="outcomes"]'));
    }).toBe('de2: arrested, charged de3: victims safeguarded (2)');
    expect(await text(row.locator('[data-col="status"]'))).toMatch(/^accepted assigned to LKA unit 7 acknowledged .* accepted /);
    expect(await violations(us), 'packages with their receivers’ outcomes').toEqual([]);
  });

  it('a supplement for the target released later goes to the German authority, which declines it through a dialog with a reason', async () => {
    await us.getByRole('tab', { name: 'Deconfliction' }).click();
    await us.getByRole('button', { name: 'Release de1' }).click();
    const release = us.getByRole('dialog', { name: 'Release target de1?' });
    await release.getByLabel('Why it is released').fill('Case 7 closed its work on this account');
    await release.getByRole('button', { name: 'Release the target' }).click();
    await us.getByText('No target is held.').waitFor();

    await us.getByRole('tab', { name: 'Packages' }).click();
    await us.getByRole('form', { name: 'Build lead packages' }).getByRole('button', { name: 'Build packages' }).click();
    await poll(() => text(us.getByRole('status').first())).toBe('Built 1 package: DE 1 target (supplement).');
    // The Dutch and French packages still wait for an authority: sending again tries them too.
    await us.getByRole('button', { name: 'Send the packages not sent yet (3)' }).click();
    const send = us.getByRole('dialog', { name: 'Send 3 lead packages?' });
    const lines = await send.locator('li').allInnerTexts();
    expect(lines.map((l) => l.slice(0, 18))).toEqual(['1 target for FR wa', '4 targets for NL w', 'sends 1 target to ']);
    expect(lines[2]).toBe('sends 1 target to the authority for DE (police-de), a supplement');
    await send.getByRole('button', { name: 'Send the packages' }).click();
    const supplement = us.locator('tr[data-package="DE"]').nth(1);
    await poll(async () => {
      await us.getByRole('button', { name: 'Refresh' }).click();
      return supplement.getAttribute('data-state');
    }).toBe('delivered');
    const first = (await US.call('GET', `/operations/${op}/packages`)).json.packages.find((p: { country: string }) => p.country === 'DE');
    expect(await text(supplement.locator('th'))).toContain(`supplements ${first.uid}`);

    const received = (await DE.call('GET', '/lead-inbox')).json.packages.find((p: { prior_uid: string | null }) => p.prior_uid !== null);
    expect(received.targets.map((t: { ref: string }) => t.ref)).toEqual(['de1']);
    const de = await open(DE, `/lead-inbox/${received.id}`);
    await heading(de, `Lead package #${received.id} from fbi-us`);
    // Cancel declines nothing; the dialog's button waits for the reason.
    await de.getByRole('button', { name: 'Decline…' }).click();
    const decline = de.getByRole('dialog', { name: `Decline package #${received.id}?` });
    expect(await decline.getByRole('button', { name: 'Decline the package' }).isDisabled()).toBe(true);
    await decline.getByRole('button', { name: 'Cancel' }).click();
    expect((await DE.call('GET', `/lead-inbox/${received.id}`)).json.state).toBe('received');
    await de.getByRole('button', { name: 'Decline…' }).click();
    await decline.getByLabel('Why it is declined').fill('Outside our jurisdiction');
    await decline.getByRole('button', { name: 'Decline the package' }).click();
    await poll(() => text(de.locator('dd[data-state]'))).toBe('declined: Outside our jurisdiction');
    expect(await de.getByRole('form', { name: 'Outcome for de1' }).count()).toBe(0);
    await de.context().close();

    await poll(async () => {
      await us.getByRole('button', { name: 'Refresh' }).click();
      return text(supplement.locator('[data-col="status"]'));
    }).toMatch(/^declined reason: Outside our jurisdiction acknowledged /);
  });

  it('the picture shows the counts per country exactly, times not known yet where nothing was measured, a timeline, and the exports', async () => {
    await us.getByRole('tab', { name: 'Picture' }).click();
    const line = (c: string) => us.locator(`tr[data-picture="${c}"]`);
    await line('DE').waitFor();
    const api = (await US.call('GET', `/operations/${op}/picture`)).json;
    const de = api.countries.find((l: { country: string }) => l.country === 'DE');
    // The medians are measured (seconds here: everything happened in this test), shown with the API's two decimals.
    const fixed = (x: number) => x.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect([de.median_hours_to_acknowledge, de.median_days_to_first_action, de.median_days_to_charge].every((x) => typeof x === 'number')).toBe(true);
    //           country authority  targets held referred ack accepted declined victims
    expect(await cells(line('DE'))).toEqual([
      'DE',
      'police-de',
      '5',
      '0',
      '5',
      '5',
      '4',
      '1',
      '2',
      fixed(de.median_hours_to_acknowledge),
      fixed(de.median_days_to_first_action),
      fixed(de.median_days_to_charge),
    ]);
    const nothing = ['not known yet', 'not known yet', 'not known yet'];
    expect(await cells(line('NL'))).toEqual(['NL', 'none yet', '4', '0', '0', '0', '0', '0', '0', ...nothing]);
    expect(await cells(line('FR'))).toEqual(['FR', 'none yet', '1', '0', '0', '0', '0', '0', '0', ...nothing]);
    expect((await cells(line('total'))).slice(0, 9)).toEqual(['All countries', '', '10', '0', '5', '5', '4', '1', '2']);
    //                                          identified searched arrested charged convicted acquitted nfa
    expect(await cells(us.locator('tr[data-outcomes="DE"]'))).toEqual(['DE', '0', '0', '1', '1', '0', '0', '0']);
    expect(await cells(us.locator('tr[data-outcomes="total"]'))).toEqual(['All countries', '0', '0', '1', '1', '0', '0', '0']);

    // The timeline: one day (today, UTC) with 5 referred and acknowledged, 4 accepted, 2 first actions, 1 charge; legend and both axes labelled.
    const chart = us.locator('figure[data-chart="operation-timeline"]');
    expect(await chart.getAttribute('data-empty')).toBeNull();
    await chart.locator('.recharts-legend-item').first().waitFor();
    expect(await chart.locator('.recharts-legend-item').allInnerTexts()).toEqual(['Referred', 'Acknowledged', 'Accepted', 'First actions', 'Charged']);
    expect(await chart.locator('.recharts-label').count()).toBe(2);
    const today = new Date().toISOString().slice(0, 10);
    expect(api.timeline).toEqual([{ date: today, referred: 5, acknowledged: 5, accepted: 4, first_actions: 2, charged: 1 }]);
    expect(await cells(chart.locator(`tr[data-date="${today}"]`))).toEqual([today, '5', '5', '4', '2', '1']);

    // The exports are the API's own files.
    const saved = async (button: string) => {
      const [download] = await Promise.all([us.waitForEvent('download'), us.getByRole('button', { name: button }).click()]);
      return { name: download.suggestedFilename(), body: readFileSync((await download.path())!) };
    };
    const csv = await saved('Download CSV');
    expect(csv.name).toBe(`operation-${op}-picture.csv`);
    expect(csv.body.toString('utf8')).toBe((await US.call('GET', `/operations/${op}/picture.csv`)).text);
    const pdf = await saved('Download the signed PDF');
    expect(pdf.name).toBe(`operation-${op}-picture.pdf`);
    expect(pdf.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const sig = JSON.parse((await saved('Its signature')).body.toString('utf8'));
    expect(sig.sha256).toBe(createHash('sha256').update(pdf.body).digest('hex'));
    const verified = await US.call('POST', '/operation-pictures/verify', {
      pdf: pdf.body.toString('base64'),
      signature: sig.signature,
      key: sig.key,
      signed_by: sig.signed_by,
    });
    expect([verified.status, verified.json.valid]).toEqual([200, true]);
    expect(await violations(us), 'the picture with its chart').toEqual([]);
    expect(failed).toEqual([]);
  });
});
