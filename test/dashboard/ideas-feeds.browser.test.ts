import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFeedFetch } from '../../db/repositories/feed-health.ts';
import { arenaUnderTest } from './arena-under-test.ts';
import {
  paletteCommands as commandIds,
  type DashboardBrowser,
  hasChromium,
  launchDashboardBrowser,
  noteSkip,
} from './chromium.ts';
import { type Harness, startHarness } from './harness.ts';
import { BROKEN_FEED, seedFeedHealth } from './helpers.ts';

noteSkip('the idea add / feed health browser test');

describe.skipIf(!hasChromium)('idea add and feed health in a browser', { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: DashboardBrowser;

  beforeAll(async () => {
    // Loopback without a token: actions are open to the page itself.
    h = await startHarness({ makeArena: arenaUnderTest });
    await seedFeedHealth(h.t.db);
    browser = await launchDashboardBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const open = (locale: string): Promise<Page> => browser.open(h.url, { locale });

  it('adds an idea typed as `idea add <text>`: OUTPUT says so, the backlog lists it', async () => {
    const page = await open('en-US');
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    const pendingBefore = Number(await page.textContent('[data-status="pending"] .idea-n'));

    await page.click('#term-input');
    await page.keyboard.type('idea add Repair café finder for small towns');
    expect(await commandIds(page)).toEqual(['ideaAdd']);
    expect(await page.textContent('#cmd-list .cmd .cmd-label')).toBe(
      'idea add “Repair café finder for small towns”',
    );
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('#term-feedback')?.getAttribute('data-kind') === 'ok',
    );
    expect(await page.textContent('#term-feedback')).toBe('Idea added: Repair café finder for small towns');
    await page.waitForFunction(() =>
      document.querySelector('#output-lines')?.textContent?.includes('idea added: "Repair café finder'),
    );
    await page.waitForFunction(
      (n) => Number(document.querySelector('[data-status="pending"] .idea-n')?.textContent) === n,
      pendingBefore + 1,
    );
    await page.click('#ideas-backlog');
    await page.waitForSelector('#view-body td:text-is("Repair café finder for small towns")');

    // The same idea again: refused, said in the prompt, not added twice.
    await page.keyboard.press('Escape');
    await page.click('#term-input');
    await page.keyboard.type('idea add repair cafe finder for small towns!');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('#term-feedback')?.getAttribute('data-kind') === 'err',
    );
    expect(await page.textContent('#term-feedback')).toContain('Too close to the existing idea');
    const rows = await h.t.db
      .selectFrom('ideas')
      .select('title')
      .where('title', 'like', '%finder for small towns%')
      .execute();
    expect(rows).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('asks for the text when `idea add` is chosen bare, in Korean too', async () => {
    const page = await open('ko-KR');
    await page.click('#term-input');
    await page.keyboard.type('idea add');
    expect(await commandIds(page)).toEqual(['ideaAdd']);
    expect(await page.textContent('#cmd-list .cmd .cmd-desc')).toBe(
      '백로그에 아이디어 추가: idea add <내용>',
    );
    await page.keyboard.press('Enter');
    await page.waitForSelector('#panel-terminal.asking');
    expect(await page.textContent('#term-prompt')).toBe('새 아이디어>');
    await page.keyboard.type('동네 공구 대여 앱');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('#term-feedback')?.getAttribute('data-kind') === 'ok',
    );
    expect(await page.textContent('#term-feedback')).toBe('아이디어 추가됨: 동네 공구 대여 앱');
  });

  it('shows feed health in SIGNALS: a failing feed marked with its reason, then healthy live', async () => {
    const page = await open('en-US');
    await page.waitForSelector('#signal-feeds-block:not([hidden])');
    const broken = '#signal-feeds li[data-feed="Broken Feed"]';
    expect(await page.getAttribute(broken, 'class')).toBe('feed failing');
    expect(await page.textContent(`${broken} .feed-glyph`)).toBe('✕');
    expect(await page.textContent(`${broken} .feed-err`)).toBe(
      'failing ×2 · malformed XML: unexpected close tag at line 3 (https://bob:***@x.example/)',
    );
    expect(await page.textContent(`${broken} .feed-ok`)).toBe('never ok');
    const hn = '#signal-feeds li[data-feed="Hacker News"]';
    expect(await page.getAttribute(hn, 'class')).toBe('feed ok');
    expect(await page.textContent(`${hn} .feed-items`)).toBe('30 items');
    // Fetched 5 minutes before the set-up; a loaded machine may take a minute or more to get here.
    expect(await page.textContent(`${hn} .feed-ok`)).toMatch(/^ok [5-9]m$/);
    expect(await page.textContent(`${hn} .feed-next`)).toMatch(/^next \d\d:\d\d$/);
    expect(await page.$(`${hn} .feed-err`)).toBeNull();
    // The error stays readable in full on hover even when the line is cut.
    expect(await page.getAttribute(`${broken} .feed-err`, 'title')).toContain('malformed XML');

    // The next fetch succeeds: the live stream brings the new health without a reload.
    await recordFeedFetch(
      h.t.db,
      BROKEN_FEED,
      { status: 'ok', items: 9, added: 9, etag: null, lastModified: null },
      { now: new Date(), nextFetchAt: new Date(Date.now() + 30 * 60_000) },
    );
    await page.waitForSelector(`${broken}.ok`, { timeout: 30_000 });
    expect(await page.textContent(`${broken} .feed-items`)).toBe('9 items');
    expect(await page.$(`${broken} .feed-err`)).toBeNull();
  });

  it('speaks Korean in the feed lines too', async () => {
    await recordFeedFetch(
      h.t.db,
      BROKEN_FEED,
      { status: 'error', error: 'HTTP 503' },
      { now: new Date(), nextFetchAt: new Date(Date.now() + 10 * 60_000) },
    );
    const page = await open('ko-KR');
    const broken = '#signal-feeds li[data-feed="Broken Feed"]';
    await page.waitForSelector(`${broken}.failing`);
    expect(await page.textContent('#signal-feeds-block .sub-title')).toBe('피드');
    expect(await page.textContent(`${broken} .feed-err`)).toBe('실패 ×1 · HTTP 503');
    expect(await page.textContent(`${broken} .feed-items`)).toBe('9건');
  });
});
