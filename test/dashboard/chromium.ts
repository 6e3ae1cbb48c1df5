import { existsSync } from 'node:fs';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

// One headless Chromium set-up for every dashboard browser test: where the browser is, how it is
// launched, and a fresh context per page (no storage, cookies or scroll carried between tests).

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

/** Says once, in the test output, why a browser suite is skipped. */
export function noteSkip(what: string): void {
  if (!hasChromium)
    console.warn(`[skip] ${CHROMIUM_PATH} is missing: ${what} is skipped (apt-get install chromium)`);
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  locale?: string;
  /** Anything else for the browser context (device scale, touch…). */
  context?: BrowserContextOptions;
  /** Runs in the page before any of its scripts. */
  initScript?: string;
  /** Called with the page before it navigates (routes, listeners). */
  prepare?: (page: Page) => Promise<void> | void;
}

export interface DashboardBrowser {
  /** A new page in a fresh context; the previous page's context is closed. */
  page(opts?: PageOptions): Promise<Page>;
  /** `page()`, then loads `url` and waits until the dashboard says it is ready. */
  open(url: string, opts?: PageOptions): Promise<Page>;
  close(): Promise<void>;
}

export async function launchDashboardBrowser(): Promise<DashboardBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let current: { close(): Promise<void> } | null = null;
  const page = async (opts: PageOptions = {}) => {
    await current?.close();
    const context = await browser.newContext({
      viewport: opts.viewport ?? { width: 1440, height: 900 },
      locale: opts.locale ?? 'en-US',
      ...opts.context,
    });
    current = context;
    if (opts.initScript) await context.addInitScript(opts.initScript);
    const p = await context.newPage();
    await opts.prepare?.(p);
    return p;
  };
  return {
    page,
    async open(url, opts) {
      const p = await page(opts);
      await p.goto(url);
      await waitReady(p);
      return p;
    },
    async close() {
      await current?.close().catch(() => {});
      await browser.close();
    },
  };
}

/** The dashboard has loaded its snapshot and rendered every panel. */
export function waitReady(page: Page): Promise<unknown> {
  return page.waitForSelector('body[data-ready="true"]');
}

/** A frame and a short pause: lets scroll, layout and fonts settle before measuring. */
export function settle(page: Page): Promise<unknown> {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 150))));
}

/** The command ids the palette lists now. */
export function paletteCommands(page: Page): Promise<Array<string | undefined>> {
  return page.$$eval('#cmd-list .cmd', (els) => els.map((e) => (e as HTMLElement).dataset.cmd));
}
