/**
 * Every page of the web UI, as each role, in Chromium at 1280×800 against a real `alliance serve
 * --demo` (which seeds reviews, reports, notices, rules, a series and deconfliction cases): the
 * role's home page, every page its navigation offers and the detail pages reachable from them (a
 * bank, a series, a triage run). Each page must load without a console error or warning, without
 * a failed request, without horizontal scrolling, and with no serious or critical axe-core
 * violation. A screenshot of every page is written to test-results/<role>/<page>.png (git-ignored);
 * the README's two screenshots (docs/screenshots/) are made here too, as test-results/readme/*.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchUiPath, navFor } from '../../src/api/ui-routes.js';
import { ROLES, permissionsOf, type Role } from '../../src/members/roles.js';
import { REPO } from '../support/paths.js';
import { http, startServer, type ServerProcess } from '../support/server-process.js';

// The browser globals the page functions below use (test/tsconfig.json has no DOM library).
declare const sessionStorage: { setItem(key: string, value: string): void };
declare const document: { documentElement: { scrollWidth: number; clientWidth: number } };
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}
declare const axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };

const AXE = join(REPO, 'node_modules/axe-core/axe.min.js');
const RESULTS = join(REPO, 'test-results');
const VIEWPORT = { width: 1280, height: 800 };

let dataDir: string;
let server: ServerProcess;
let admin: string;
let browser: Browser;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'alliance-every-page-'));
  server = await startServer(['--demo'], { ALLIANCE_DATA_DIR: dataDir, ALLIANCE_FETCH_ALLOWED_HOSTS: '127.0.0.1:9' });
  if (!server.token) throw new Error(`no admin token printed:\n${server.stderr()}`);
  admin = server.token;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function tokenFor(role: Role): Promise<string> {
  if (role === 'admin') return admin;
  const me = (await http(`${server.url}/api/v1/whoami`, admin)).json as { member: string };
  const made = await http(`${server.url}/api/v1/tokens`, admin, 'POST', { member: me.member, role, label: `every page ${role}` });
  expect(made.status, made.text).toBe(201);
  return made.json.token as string;
}

/** The pages a role is shown: home, its navigation's pages, and the detail pages reachable from them. */
async function pagesOf(role: Role): Promise<string[]> {
  const permissions = permissionsOf(role);
  const paths = ['/', ...navFor(permissions).flatMap((g) => g.links.map((l) => l.path))];
  if (permissions.includes('banks.read')) paths.push('/banks/DEMO_HAYSTACK');
  if (permissions.includes('cases')) {
    const series = (await http(`${server.url}/api/v1/series`, admin)).json as { series: Array<{ id: number }> };
    expect(series.series.length, 'the demo seeds a series').toBeGreaterThan(0);
    paths.push(`/series/${series.series[0].id}`);
    const runs = (await http(`${server.url}/api/v1/triage/runs`, admin)).json as { runs: Array<{ id: number }> };
    if (runs.runs.length > 0) paths.push(`/triage/${runs.runs[0].id}`);
    // An operation with a few targets (the demo seeds none): each tab of its page.
    const op = await demoOperation();
    paths.push(...['', '#deconfliction', '#packages', '#picture'].map((tab) => `/operations/${op}${tab}`));
  }
  return paths;
}

/** The operation the every-page run opens (once): three targets the offline IP database places in DE, NL and FR. */
async function demoOperation(): Promise<number> {
  const list = (await http(`${server.url}/api/v1/operations`, admin)).json as { operations: Array<{ id: number }> };
  if (list.operations.length > 0) return list.operations[0].id;
  const made = await http(`${server.url}/api/v1/operations`, admin, 'POST', {
    name: 'Every page operation',
    legal_basis: 'Placeholder act §1',
    owner_agency: 'Demo agency',
    contact_point: 'desk@agency.example',
  });
  expect(made.status, made.text).toBe(201);
  const targets = [
    { ref: 'de1', username: 'every-page-de', ip: '193.99.144.80@2026-03-01T10:00:00Z' },
    { ref: 'nl1', username: 'every-page-nl', ip: '145.97.39.155@2026-03-01T10:00:00Z' },
    { ref: 'fr1', username: 'every-page-fr', ip: '62.210.16.6@2026-03-01T10:00:00Z' },
  ];
  const imported = await http(`${server.url}/api/v1/operations/${made.json.id}/targets`, admin, 'POST', { targets });
  expect(imported.status, imported.text).toBe(201);
  return made.json.id as number;
}

interface Findings {
  console: string[];
  failed: string[];
  violations: string[];
  overflow?: { scrollWidth: number; clientWidth: number };
}

/** Opens one page as a signed-in role, waits for it to settle, checks it and screenshots it. */
async function visit(page: Page, path: string, file: string): Promise<Findings> {
  const found: Findings = { console: [], failed: [], violations: [] };
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === 'error' || m.type() === 'warning') found.console.push(`${m.type()}: ${m.text()}`);
  };
  const onError = (e: Error) => found.console.push(`page error: ${e.message}`);
  const onFailed = (r: { url(): string; failure(): { errorText: string } | null }) => found.failed.push(`${r.url()}: ${r.failure()?.errorText}`);
  const onResponse = (r: { url(): string; status(): number }) => {
    if (r.status() >= 400) found.failed.push(`${r.url()}: HTTP ${r.status()}`);
  };
  page.on('console', onConsole);
  page.on('pageerror', onError);
  page.on('requestfailed', onFailed);
  page.on('response', onResponse);
  try {
    await page.goto(server.url + path);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForLoadState('networkidle');
    // Whatever a page still says it is loading, once the network is quiet, must be gone.
    await page.waitForFunction(
      () => !/Loading|Counting/.test((globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText),
      undefined,
      { timeout: 10_000 },
    );
    const size = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    if (size.scrollWidth > size.clientWidth) found.overflow = size;
    // The header's menus on one line inside the viewport (the nav may shrink: nothing of it may be cut off).
    const menus = await page.locator('.top .menus > li > button').evaluateAll((bs) =>
      bs.map((b) => {
        const r = (b as unknown as { getBoundingClientRect(): { top: number; right: number } }).getBoundingClientRect();
        return { top: Math.round(r.top), right: r.right };
      }),
    );
    if (menus.some((m) => m.right > VIEWPORT.width || m.top !== menus[0].top))
      found.overflow = { scrollWidth: Math.max(...menus.map((m) => m.right)), clientWidth: VIEWPORT.width };
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => (await axe.run(globalThis, { resultTypes: ['violations'] })).violations);
    for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
      found.violations.push(`${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    }
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onError);
    page.off('requestfailed', onFailed);
    page.off('response', onResponse);
  }
  return found;
}

/** A small PNG for the README: the viewport's top, scaled to 960 px wide. */
async function readmeShot(page: Page, name: string) {
  mkdirSync(join(RESULTS, 'readme'), { recursive: true });
  const png = await page.screenshot({ clip: { x: 0, y: 0, ...VIEWPORT } });
  await sharp(png)
    .resize({ width: 960 })
    .png({ compressionLevel: 9, palette: true, quality: 80 })
    .toFile(join(RESULTS, 'readme', `${name}.png`));
}

/** Charts: each either says it has no data yet (no empty grid) or draws its legend and both axis labels. */
async function checkCharts(page: Page, name: string) {
  const charts = page.locator('figure[data-chart]');
  if (name === 'alliance' && (await charts.count()) === 0) {
    // No member has submitted a country report to the demo node: the page says so.
    expect(await page.locator('[data-empty]').innerText()).toMatch(/^No data yet/);
    return;
  }
  expect(await charts.count(), name).toBeGreaterThan(0);
  for (const chart of await charts.all()) {
    if ((await chart.getAttribute('data-empty')) !== null) {
      expect(await chart.locator('.chart-empty').innerText()).toMatch(/^No data yet/);
      expect(await chart.locator('svg.recharts-surface').count()).toBe(0);
    } else {
      await chart.locator('.recharts-legend-item').first().waitFor();
      expect(await chart.locator('.recharts-label').count(), 'both axes labelled').toBe(2);
    }
  }
  if (name === 'notices') {
    // The distribution counts every removed notice once.
    const { notices } = (await http(`${server.url}/api/v1/notices`, admin)).json as { notices: Array<{ hours_to_removal: number | null }> };
    const removed = notices.filter((n) => n.hours_to_removal !== null).length;
    const bins = (await page.locator('figure[data-chart="removal-times"] tr[data-bin] td').allTextContents()).map(Number);
    expect(bins.reduce((a, b) => a + b, 0)).toBe(removed);
  }
}

describe('every page, as each role', () => {
  it('finds what it looks for: an unnamed button, an overflowing page, a failed request, a console error', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT, bypassCSP: true });
    await context.addInitScript((t) => sessionStorage.setItem('alliance.token', t), admin);
    // A page made worse after it has loaded: the checks must see each fault.
    await context.addInitScript(() => {
      const g = globalThis as unknown as {
        addEventListener(e: string, f: () => void): void;
        document: { body: { insertAdjacentHTML(where: string, html: string): void } };
        console: { error(m: string): void };
        fetch(u: string): Promise<unknown>;
      };
      g.addEventListener('load', () => {
        g.document.body.insertAdjacentHTML('beforeend', '<button></button><div style="width:3000px">wide</div>');
        g.console.error('deliberate');
        void g.fetch('/api/v1/nope');
      });
    });
    const page = await context.newPage();
    const found = await visit(page, '/banks', join(RESULTS, 'control.png'));
    await context.close();
    expect(found.violations.some((v) => v.startsWith('critical button-name'))).toBe(true);
    expect(found.overflow?.scrollWidth).toBeGreaterThan(VIEWPORT.width);
    expect(found.console).toContain('error: deliberate');
    expect(found.failed.some((f) => /\/api\/v1\/nope: HTTP 40[14]$/.test(f))).toBe(true);
  });

  for (const role of ROLES) {
    it(`${role}: every page loads clean, fits 1280 px and has no serious accessibility violation`, { timeout: 300_000 }, async () => {
      const token = await tokenFor(role);
      const dir = join(RESULTS, role);
      mkdirSync(dir, { recursive: true });
      // bypassCSP: axe-core is put into the page as a script the node's CSP would refuse.
      const context = await browser.newContext({ viewport: VIEWPORT, bypassCSP: true });
      await context.addInitScript((t) => sessionStorage.setItem('alliance.token', t), token);
      const page = await context.newPage();
      const report: Record<string, Findings> = {};
      const paths = await pagesOf(role);
      // The Admin menu's page is the admin's alone.
      expect(paths.includes('/members'), `${role} is shown Members and tokens`).toBe(role === 'admin');
      for (const path of paths) {
        const [at, tab] = path.split('#');
        const name = `${matchUiPath(at)?.route.page ?? 'missing'}${tab ? `-${tab}` : ''}`;
        const found = await visit(page, path, join(dir, `${name}.png`));
        if (found.console.length || found.failed.length || found.violations.length || found.overflow) report[path] = found;
        if (role === 'analyst' && (name === 'review' || name === 'indicators')) await readmeShot(page, name);
        if (role === 'admin' && ['indicators', 'alliance', 'notices', 'operation-picture'].includes(name)) await checkCharts(page, name);
      }
      await context.close();
      expect(report, `problems on ${role}'s pages`).toEqual({});
      expect(paths.length).toBeGreaterThan(role === 'checker' ? 0 : 1);
    });
  }
});
