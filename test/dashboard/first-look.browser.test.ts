import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardBrowser,
  hasChromium,
  launchDashboardBrowser,
  noteSkip,
  paletteCommands,
  settle,
} from './chromium.ts';
import { COMPONENTS, type Harness, startHarness } from './harness.ts';

// What a newcomer sees in the first seconds: the top of the page, real glyphs in the design's
// fonts, readable empty states, and a palette that follows the debate.
const TOKEN = 'first-look-token-51aa';
noteSkip('first-look browser tests');

describe.skipIf(!hasChromium)('dashboard, first look', { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: DashboardBrowser;
  let components = COMPONENTS;

  beforeAll(async () => {
    h = await startHarness({ config: { token: TOKEN }, components: () => components });
    browser = await launchDashboardBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const open = (
    viewport = { width: 1440, height: 900 },
    locale = 'en-US',
    prepare?: (p: Page) => Promise<void>,
  ) => browser.open(h.url, { viewport, locale, ...(prepare ? { prepare } : {}) });

  it('opens at the top of the page on every desktop size', async () => {
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 1440, height: 900 },
      { width: 1920, height: 1080 },
    ]) {
      const page = await open(viewport);
      await settle(page);
      expect(await page.evaluate(() => window.scrollY), `${viewport.width}x${viewport.height}`).toBe(0);
      // The palette moving its selection scrolls its own list, never the page.
      await page.focus('#term-input');
      await page.keyboard.press('ArrowDown');
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.keyboard.press('ArrowDown');
      await settle(page);
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
    }
  });

  it('draws Latin in JetBrains Mono and Korean in Pretendard, served by the dashboard', async () => {
    const fontRequests: string[] = [];
    const page = await open({ width: 1440, height: 900 }, 'ko-KR', async (p) => {
      p.on('requestfinished', (r) => {
        if (r.url().includes('/fonts/')) fontRequests.push(new URL(r.url()).pathname);
      });
    });
    expect(await page.textContent('#panel-debate .panel-title')).toBe('실시간 토론');
    await page.evaluate(() => document.fonts.ready);
    await settle(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const fontsOf = async (selector: string) => {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      return fonts;
    };
    // Every Hangul glyph of the title comes from the served Pretendard, none from a system font.
    const title = await fontsOf('#panel-debate .panel-title');
    const pretendard = title.find((f) => /Pretendard/.test(f.familyName));
    expect(pretendard?.isCustomFont).toBe(true);
    expect(pretendard?.glyphCount).toBe('실시간토론'.length);
    // Korean text in a message body (the sans face) too.
    await page.evaluate(() => {
      const p = document.createElement('div');
      p.className = 'msg-body';
      p.id = 'korean-probe';
      p.textContent = '동네가게예약';
      document.querySelector('#live-messages')!.append(p);
    });
    await page.evaluate(() => document.fonts.ready);
    const body = await fontsOf('#korean-probe');
    expect(body.map((f) => [f.familyName, f.isCustomFont, f.glyphCount])).toEqual([
      ['Pretendard Variable', true, 6],
    ]);
    // (A decoration drawn by CSS may come from a system font; the name itself may not.)
    const latin = await fontsOf('.brand-name');
    const mono = latin.find((f) => f.familyName === 'JetBrains Mono');
    expect(mono?.isCustomFont).toBe(true);
    expect(mono?.glyphCount).toBe('AGENTIC ARENA'.length);
    // Only the subsets the page uses are fetched, from this server.
    expect(fontRequests.some((p) => p.startsWith('/fonts/pretendard/woff2-dynamic-subset/'))).toBe(true);
    expect(fontRequests.some((p) => p.startsWith('/fonts/jetbrains-mono/files/'))).toBe(true);
    expect(fontRequests.filter((p) => p.endsWith('.woff2')).length).toBeLessThan(30);
    await cdp.detach();
  });

  it('shows the SIGNALS empty state as a sentence, in English and in Korean', async () => {
    const empty = async (p: Page) => {
      await p.route('**/api/state', async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.signals = { sources: [], latest: [] };
        await route.fulfill({ response, json: body });
      });
    };
    for (const locale of ['en-US', 'ko-KR']) {
      const page = await open({ width: 1440, height: 900 }, locale, empty);
      // Measured in one go: the live stream's frames re-render the list every second.
      const box = await page.evaluate(() => {
        const el = document.querySelector('#signal-sources li.empty')!;
        const list = el.parentElement!.getBoundingClientRect();
        const r = el.getBoundingClientRect();
        const line = Number.parseFloat(getComputedStyle(el).lineHeight);
        return { width: r.width, listWidth: list.width, lines: Math.round(r.height / line) };
      });
      expect(box.width, locale).toBeGreaterThan(box.listWidth * 0.9);
      expect(box.lines, locale).toBeLessThanOrEqual(2);
    }
  });

  it('adds say, pause and stop to the palette as soon as a debate goes live', async () => {
    const page = await open();
    const commands = () => paletteCommands(page);
    expect(await commands()).not.toContain('say');
    const { debateId } = await h.arena.startDebate({ idea: 'A shared pantry app', origin: 'cli' });
    await page.waitForFunction(() => document.querySelector('#cmd-list [data-cmd="say"]') !== null);
    expect(await commands()).toEqual(expect.arrayContaining(['say', 'pause', 'stop']));
    await h.arena.stop(debateId);
    await page.waitForFunction(() => document.querySelector('#cmd-list [data-cmd="say"]') === null);
  });

  it('brings LIVE DEBATE into view when a debate starts from the palette', async () => {
    const page = await open({ width: 1280, height: 600 });
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.click('#term-input');
    await page.keyboard.type('start');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#panel-terminal.asking');
    await page.keyboard.type('Bike repair at home');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => (document.querySelector('#term-input') as HTMLInputElement).type === 'password',
    );
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('#term-feedback')?.getAttribute('data-kind') === 'ok',
    );
    await settle(page);
    const top = await page.$eval('#panel-debate', (el) => el.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(600 / 2);
    const [d] = await h.arena.listDebates({ status: 'active' });
    if (d) await h.arena.stop(d.id);
  });

  it('brings LIVE DEBATE into view when a debate starts elsewhere (the terminal, chat)', async () => {
    const page = await open({ width: 1280, height: 600 });
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    expect(await page.$eval('#panel-debate', (el) => el.getBoundingClientRect().top)).toBeLessThan(0);
    const { debateId } = await h.arena.startDebate({ idea: 'A repair café finder', origin: 'cli' });
    try {
      await page.waitForSelector(`#panel-debate[data-debate="${debateId}"]`);
      await settle(page);
      const top = await page.$eval('#panel-debate', (el) => el.getBoundingClientRect().top);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(top).toBeLessThan(600 / 2);
    } finally {
      await h.arena.stop(debateId);
    }
  });

  it('shows Markdown headings and bullets in messages as formatting, not as raw marks', async () => {
    const page = await open();
    // A string, so the test runner does not rewrite the browser's dynamic import.
    const shown = await page.evaluate(`import('/js/markdown.js').then(({ markdown }) => {
      const div = document.createElement('div');
      div.append(...markdown('## Risks\\n- **Churn** after \`v1\`\\nplain # not a heading'));
      return {
        text: div.textContent,
        heading: div.querySelector('.md-h')?.textContent,
        strong: div.querySelector('strong')?.textContent,
        code: div.querySelector('code')?.textContent,
      };
    })`);
    expect(shown).toEqual({
      text: 'Risks\n• Churn after v1\nplain # not a heading',
      heading: 'Risks',
      strong: 'Churn',
      code: 'v1',
    });
  });

  it('shows an LLM outage: DEGRADED in the header, the failing row with its last error and since when', async () => {
    const page = await open({ width: 1440, height: 900 });
    expect(await page.getAttribute('#status', 'data-status')).toBe('online');
    const since = new Date(Date.now() - 3 * 60_000);
    const error = 'Ollama at http://127.0.0.1:11434 is unreachable: connect ECONNREFUSED 127.0.0.1:11434';
    components = COMPONENTS.map((c) =>
      c.id === 'llm' ? { ...c, status: 'error', lastError: error, since: since.toISOString() } : c,
    );
    try {
      // No reload: the live stream's next frame brings it.
      await page.waitForSelector('#status[data-status="degraded"]', { timeout: 30_000 });
      await page.waitForSelector('#proc-rows tr[data-id="llm"].st-error');
      await settle(page);
      const row = await page.$eval('#proc-rows tr[data-id="llm"]', (tr) => {
        const whole = (e: Element | null) =>
          e !== null && e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1;
        const err = tr.querySelector('.proc-err');
        const when = tr.querySelector('.proc-since') as HTMLElement | null;
        return {
          status: tr.querySelector('.proc-status')?.textContent?.trim(),
          error: err?.textContent,
          errorWhole: whole(err),
          since: when?.dataset.since,
          sinceText: when?.textContent,
          sinceWhole: whole(when),
        };
      });
      const hhmm = `${String(since.getHours()).padStart(2, '0')}:${String(since.getMinutes()).padStart(2, '0')}`;
      expect(row).toMatchObject({
        status: '✕ ERR',
        error,
        errorWhole: true,
        since: since.toISOString(),
        sinceWhole: true,
      });
      expect(row.sinceText).toContain(`since ${hhmm}`);
      expect(await page.textContent('#status-text')).toBe('DEGRADED');
    } finally {
      components = COMPONENTS;
    }
    await page.waitForSelector('#status[data-status="online"]', { timeout: 30_000 });
  });
});
