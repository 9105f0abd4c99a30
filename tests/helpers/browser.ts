// Headless Chromium (Debian's /usr/bin/chromium) through playwright-core, for the browser tests and bench:web.
// Records console errors, page errors and every request, so callers can assert that nothing left the origin.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-default-apps', '--disable-extensions', '--mute-audio',
];

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (Debian package 'chromium'; .ci/run installs it)`;
}

export async function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  /** Every URL the page and its workers asked for. */
  requests: string[];
  /** Requests whose origin is not `origin`. */
  foreign: () => string[];
}

/** A fresh context and page that record console errors, uncaught errors and requests (workers included). */
export async function watchedPage(browser: Browser, origin: string, viewport = { width: 1280, height: 900 }, options: { acceptDownloads?: boolean; permissions?: string[] } = {}): Promise<Watched> {
  const context = await browser.newContext({ viewport, acceptDownloads: options.acceptDownloads ?? true, permissions: options.permissions ?? [] });
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`worker: ${m.text()}`); }));
  const base = new URL(origin).origin;
  const foreign = () => requests.filter((u) => !u.startsWith('blob:') && !u.startsWith('data:') && new URL(u).origin !== base);
  return { context, page, consoleErrors, requests, foreign };
}
