/** Debian's Chromium for the UI tests: headless, offline (no background traffic, no QUIC), one launch for every test file. */
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

declare const sessionStorage: { setItem(key: string, value: string): void };

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface SignedInOptions {
  viewport?: { width: number; height: number };
  /** For axe-core, which goes into the page as a script the node's CSP would refuse. */
  bypassCSP?: boolean;
  /** Every 5xx answer the page gets is pushed here ("500 http://…"), for the test's afterAll to check. */
  failed?: string[];
  permissions?: string[];
}

/** A new browser context signed in with `token` (as the sign-in page leaves it), at `base + path`. */
export async function openSignedIn(browser: Browser, base: string, path: string, token: string, o: SignedInOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 900 }, bypassCSP: o.bypassCSP });
  if (o.permissions) await context.grantPermissions(o.permissions, { origin: base });
  await context.addInitScript((t) => sessionStorage.setItem('alliance.token', t), token);
  const page = await context.newPage();
  const failed = o.failed;
  if (failed)
    page.on('response', (r) => {
      if (r.status() >= 500) failed.push(`${r.status()} ${r.url()}`);
    });
  await page.goto(base + path);
  return page;
}

/** Waits for the page's h1. */
export const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();
/** What a locator shows, its white space collapsed. */
export const text = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ').trim();
