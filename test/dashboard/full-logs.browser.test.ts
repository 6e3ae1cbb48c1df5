import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertLogs } from '../../db/repositories/logs.ts';
import { type DashboardBrowser, hasChromium, launchDashboardBrowser, noteSkip } from './chromium.ts';
import { type Harness, startHarness } from './harness.ts';

noteSkip('the View Full Logs browser test');

// The seed (helpers.ts) stores 1 info and 1 warn row; these add 70 errors and 50 warnings.
async function addLogs(h: Harness) {
  const t0 = Date.now() - 3600_000;
  await insertLogs(
    h.t.db,
    Array.from({ length: 120 }, (_, i) => ({
      level: i < 70 ? ('error' as const) : ('warn' as const),
      source: i < 70 ? 'jobs' : 'feeds',
      message: i === 0 ? 'sent to https://user:hunter2@example.com/hook' : `line ${i}`,
      now: new Date(t0 + i * 1000),
    })),
  );
}

describe('GET /api/logs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({});
    await addLogs(h);
  }, 180_000);
  afterAll(async () => h?.close());
  const get = (q: string) => h.dashboard.handle(new Request(`${h.url}/api/logs${q}`));

  it('pages the stored rows newest first and filters by level', async () => {
    const first = await (await get('?limit=50')).json();
    expect(first.total).toBe(122);
    expect(first.logs).toHaveLength(50);
    expect(first.hasMore).toBe(true);
    const times = first.logs.map((l: { at: string }) => l.at);
    expect([...times].sort().reverse()).toEqual(times);

    const errors = await (await get('?level=error&limit=50&offset=50')).json();
    expect(errors.total).toBe(70);
    expect(errors.logs).toHaveLength(20);
    expect(errors.hasMore).toBe(false);
    expect(new Set(errors.logs.map((l: { level: string }) => l.level))).toEqual(new Set(['error']));
    // The oldest error holds a credential in a URL: it never leaves the server.
    const oldest = errors.logs.at(-1);
    expect(oldest.message).toBe('sent to https://user:***@example.com/hook');
    expect(oldest.source).toBe('jobs');
  });

  it('refuses a bad level or page with a clear 400', async () => {
    for (const q of ['?level=loud', '?limit=0', '?limit=501', '?offset=-1']) {
      const res = await get(q);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error.code).toBe('invalid_query');
    }
  });
});

describe.skipIf(!hasChromium)('View Full Logs in a browser', { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: DashboardBrowser;

  beforeAll(async () => {
    h = await startHarness({});
    await addLogs(h);
    browser = await launchDashboardBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const open = (locale: string): Promise<Page> => browser.open(h.url, { locale });
  const range = (p: Page) => p.textContent('#logs-range');

  it('opens from the OUTPUT panel, filters by level and pages through the stored rows', async () => {
    const page = await open('en-US');
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.click('#output-full');
    await page.waitForSelector('#logs-list');
    expect(await page.$$eval('#logs-list li', (els) => els.length)).toBe(50);
    expect(await range(page)).toBe('1–50 of 122');
    expect(await page.isDisabled('#logs-newer')).toBe(true);

    await page.click('.log-level[data-level="error"]');
    await page.waitForFunction(() => document.querySelector('#logs-range')?.textContent === '1–50 of 70');
    const levels = await page.$$eval('#logs-list li', (els) =>
      els.map((e) => (e as HTMLElement).dataset.level),
    );
    expect(new Set(levels)).toEqual(new Set(['error']));
    expect(await page.getAttribute('.log-level[data-level="error"]', 'aria-pressed')).toBe('true');

    await page.click('#logs-older');
    await page.waitForFunction(() => document.querySelector('#logs-range')?.textContent === '51–70 of 70');
    expect(await page.$$eval('#logs-list li', (els) => els.length)).toBe(20);
    expect(await page.isDisabled('#logs-older')).toBe(true);
    expect(await page.textContent('#logs-list')).toContain('https://user:***@example.com/hook');

    await page.click('#logs-newer');
    await page.waitForFunction(() => document.querySelector('#logs-range')?.textContent === '1–50 of 70');
    expect(problems).toEqual([]);
  });

  it('speaks Korean like the rest of the page', async () => {
    const page = await open('ko-KR');
    await page.click('#output-full');
    await page.waitForSelector('#logs-list');
    expect(await page.textContent('.log-level[data-level="error"]')).toBe('오류');
    expect(await range(page)).toBe('122개 중 1–50');
  });
});
