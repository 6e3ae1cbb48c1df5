import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../helpers/db.ts';
import { arenaUnderTest, type Gate } from './arena-under-test.ts';
import {
  type DashboardBrowser,
  hasChromium,
  launchDashboardBrowser,
  noteSkip,
  type PageOptions,
  paletteCommands,
  waitReady,
} from './chromium.ts';
import { type Harness, startHarness } from './harness.ts';

const TOKEN = 'browser-test-token-7c1d';
noteSkip('dashboard browser tests');

// What the page records about itself: every phase/round/budget value it showed, and stream opens.
const RECORDER = `
  window.__seen = { phases: [], rounds: [], budget: [], opens: 0, streamed: 0 };
  const NativeES = window.EventSource;
  window.EventSource = class extends NativeES {
    constructor(...a) { super(...a); this.addEventListener('open', () => window.__seen.opens++); }
  };
  const note = (list, v) => { if (v && list[list.length - 1] !== v) list.push(v); };
  new MutationObserver(() => {
    const phase = document.querySelector('#live-phase');
    note(window.__seen.phases, phase && phase.dataset.phase);
    const round = document.querySelector('#live-round');
    note(window.__seen.rounds, round && round.dataset.round);
    const today = document.querySelector('#budget-today');
    note(window.__seen.budget, today && today.dataset.pct);
    const s = document.querySelector('#live-messages .msg.streaming .msg-body');
    if (s && s.textContent.length > window.__seen.streamed) window.__seen.streamed = s.textContent.length;
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
`;

// Whole debates run in these tests; a loaded CI machine gets room beyond the default minute.
describe.skipIf(!hasChromium)('dashboard in a browser', { timeout: 180_000 }, () => {
  let h: Harness;
  let gate: Gate;
  let browser: DashboardBrowser;
  let page: Page;
  let problems: string[] = [];

  const watch = (p: Page) => {
    p.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
    p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    p.on('requestfailed', (r) => {
      // Loads a reload or navigation cancels, and event streams the server's maxStreamMs ends, are
      // expected; nothing else may fail.
      if (r.failure()?.errorText === 'net::ERR_ABORTED' || r.url().includes('/api/events')) return;
      problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
    });
  };

  const open = async (p: Page, url = h.url) => {
    await p.goto(url);
    await waitReady(p);
  };

  const storedIds = async (debateId: string) =>
    (await h.arena.getDebate(debateId))!.messages.map((m) => m.id);
  const shownIds = (p: Page) =>
    p.$$eval('#live-messages .msg:not(.streaming)', (els) => els.map((e) => (e as HTMLElement).dataset.id));
  /** Waits until the LIVE DEBATE panel follows `debateId` and shows at least `n` of its persona messages. */
  const waitMessages = (p: Page, debateId: string, n: number) =>
    p.waitForFunction(
      ([id, count]) =>
        document.querySelector('#panel-debate')?.getAttribute('data-debate') === id &&
        document.querySelectorAll('#live-messages .msg.persona:not(.streaming)').length >= (count as number),
      [debateId, n] as const,
      { timeout: 120_000 },
    );
  /**
   * A persona is visibly writing: its turn is held back until the streamed text shows. (Tests never
   * write into the repository; the README pictures come from `npm run screenshots`.)
   */
  const seeWriting = async (p: Page) => {
    gate.close();
    try {
      await p.waitForFunction(
        () =>
          (document.querySelector('#live-messages .msg.streaming .msg-body')?.textContent ?? '').length > 80,
        null,
        { timeout: 30_000 },
      );
    } finally {
      gate.open();
    }
  };
  const waitDone = (p: Page, debateId: string) =>
    p.waitForFunction(
      (id) =>
        document.querySelector('#panel-debate')?.getAttribute('data-debate') === id &&
        document.querySelector('#live-status')?.getAttribute('data-status') === 'completed',
      debateId,
      { timeout: 120_000 },
    );

  beforeAll(async () => {
    h = await startHarness({
      // One run, on the production dialect when CI provides it (the HTTP suite covers both dialects).
      dialect: TEST_DATABASE_URL ? 'postgres' : 'pglite',
      // Streams end every 1.5 s, so every debate below also exercises Last-Event-ID reconnection.
      config: { token: TOKEN, maxStreamMs: 1500 },
      makeArena: async (p) => {
        const under = await arenaUnderTest(p);
        gate = under.gate;
        return under;
      },
    });
    browser = await launchDashboardBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const fresh = async (viewport = { width: 1440, height: 900 }, extra: PageOptions = {}) => {
    page = await browser.page({ viewport, initScript: RECORDER, prepare: watch, ...extra });
    return page;
  };
  afterEach(() => {
    const seen = problems;
    problems = [];
    expect(seen).toEqual([]);
  });
  /** Takes an expected browser complaint off the list (e.g. the 401 of a wrong token). */
  const expectProblem = (part: string) => {
    const i = problems.findIndex((p) => p.includes(part));
    expect(i, `expected a console message containing "${part}"`).toBeGreaterThanOrEqual(0);
    problems.splice(i, 1);
  };

  it('loads with no console errors and every panel shows data from the database', async () => {
    await fresh();
    await open(page);
    expect(await page.textContent('#version')).toBe('v0.1.0');
    expect(await page.textContent('#codename')).toContain('Signal Storm');
    expect(await page.textContent('#mem')).toMatch(/^\d+(MB|\.\dGB)$/);
    expect(await page.textContent('#cpu')).toMatch(/^\d+%$/);
    expect(await page.getAttribute('#status', 'data-status')).toBe('online');
    const sources = await page.$$eval('#signal-sources li', (els) =>
      els.map((e) => (e as HTMLElement).dataset.source),
    );
    expect(sources).toEqual(['github', 'news', 'rss', 'social']);
    const latest = await page.$$eval('#signal-latest .sig-title', (els) => els.map((e) => e.textContent));
    expect(latest[0]).toBe('Small local models now beat last year’s giants');
    // Feed text is text: the seeded "<img onerror>" title shows as characters, never as an element.
    expect(latest).toContain('<img src=x onerror=alert(1)> whale movement');
    expect(await page.$$('#panel-signals img')).toHaveLength(0);
    const procs = await page.$$eval('#proc-rows tr', (els) => els.map((e) => (e as HTMLElement).dataset.id));
    expect(procs).toEqual([
      'engine',
      'llm',
      'discord',
      'slack',
      'job:signal-fetch',
      'job:retention',
      'dashboard',
    ]);
    expect(await page.textContent('#budget-today .budget-amount')).toBe('$1.25 / $50');
    expect(await page.textContent('[data-status="pending"] .idea-n')).toBe('2');
    expect(await page.textContent('[data-status="planned"] .idea-n')).toBe('1');
    expect(await page.textContent('#output-lines')).toContain('RSS batch processed: 6 signals');
    const commands = await paletteCommands(page);
    expect(commands).toEqual(
      expect.arrayContaining(['start', 'signals', 'debate', 'budget', 'ideas', 'config']),
    );
    // Every panel has content: no panel body is empty.
    for (const id of [
      'signal-sources',
      'signal-latest',
      'proc-rows',
      'output-lines',
      'budget-body',
      'ideas-counts',
    ]) {
      expect(await page.$eval(`#${id}`, (e) => e.children.length), id).toBeGreaterThan(0);
    }
  });

  it('starts a debate from the command palette with the token and shows it live', async () => {
    await fresh();
    await open(page);
    const budgetBefore = Number(await page.getAttribute('#budget-today', 'data-pct'));
    await page.click('#term-input');
    await page.keyboard.type('start');
    expect(await paletteCommands(page)).toEqual(['start']);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#panel-terminal.asking');
    await page.keyboard.type('A wallet app for DAOs with shared spending limits');
    await page.keyboard.press('Enter');
    // First a wrong token: refused, asked again, nothing started.
    await page.waitForFunction(
      () => (document.querySelector('#term-input') as HTMLInputElement).type === 'password',
    );
    await page.keyboard.type('not-the-token');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('#term-feedback')?.getAttribute('data-kind') === 'err',
    );
    expect(await h.arena.listDebates()).toHaveLength(0);
    expectProblem('status of 401');
    await page.waitForFunction(
      () => (document.querySelector('#term-input') as HTMLInputElement).type === 'password',
    );
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('#term-feedback')?.getAttribute('data-kind') === 'ok',
    );
    expect(await page.evaluate(() => sessionStorage.getItem('arena.token'))).toBe(TOKEN);
    const [debate] = await h.arena.listDebates();
    expect(debate).toBeDefined();
    await page.waitForSelector(`#panel-debate[data-debate="${debate!.id}"]`);

    // Mid-debate: a few persona messages and text streaming in.
    await waitMessages(page, debate!.id, 4);
    // The idea being debated has moved from pending to in debate.
    await page.waitForSelector('[data-status="in_debate"] .idea-n:text("1")');
    await seeWriting(page);

    await waitDone(page, debate!.id);
    const seen = await page.evaluate(() => (window as unknown as { __seen: Record<string, unknown> }).__seen);
    // Phases advance as the engine moves (a refinement loop may go back to divergence once).
    const phases = seen.phases as string[];
    const final = (await h.arena.getDebate(debate!.id))!;
    expect(phases[0]).toBe('divergence');
    expect(phases).toContain('convergence');
    expect(phases.at(-1)).toBe(final.phase);
    const allowed = new Set(['divergence>convergence', 'convergence>divergence', 'convergence>planning']);
    for (let i = 1; i < phases.length; i++) {
      expect(allowed.has(`${phases[i - 1]}>${phases[i]}`), `${phases[i - 1]}>${phases[i]}`).toBe(true);
    }
    expect((seen.rounds as string[]).slice(0, 2)).toEqual(['1', '2']);
    const budget = (seen.budget as string[]).map(Number);
    expect(budget[0]).toBe(budgetBefore);
    expect(Math.max(...budget)).toBeGreaterThan(budgetBefore);
    expect(seen.streamed as number).toBeGreaterThan(0);
    // The stream was cut and resumed during the debate, and still every message is there once, in order.
    expect(seen.opens as number).toBeGreaterThan(1);
    expect(await shownIds(page)).toEqual(await storedIds(debate!.id));

    // Handles and colours match the personas.
    const badges = await page.$$eval('#live-messages .msg.persona', (els) =>
      els.map((e) => {
        const b = e.querySelector('.badge') as HTMLElement;
        return {
          handle: (e as HTMLElement).dataset.handle,
          text: b.textContent,
          color: getComputedStyle(b).color,
        };
      }),
    );
    const stored = (await h.arena.getDebate(debate!.id))!.messages.filter((m) => m.authorKind === 'persona');
    expect(badges).toHaveLength(stored.length);
    badges.forEach((b, i) => {
      const persona = h.personas.find((p) => p.handle === stored[i]!.handle)!;
      expect(b.text).toBe(`@${persona.handle}`);
      expect(b.handle).toBe(persona.handle);
      expect(b.color).toBe(rgb(persona.color));
    });
  });

  it('loses no message when the page reloads mid-debate', async () => {
    await fresh();
    await open(page);
    const { debateId } = await h.arena.startDebate({
      idea: 'Offline-first meeting notes',
      origin: 'cli',
      rounds: 1,
    });
    await waitMessages(page, debateId, 2);
    await page.reload();
    await waitReady(page);
    expect(await page.getAttribute('#panel-debate', 'data-debate')).toBe(debateId);
    await waitDone(page, debateId);
    const ids = await shownIds(page);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(await storedIds(debateId));
  });

  it('switches every panel label between English and Korean and remembers the choice', async () => {
    await fresh();
    await open(page);
    const labels = () =>
      page.$$eval('[data-i18n]', (els) =>
        els
          .filter((e) => (e as HTMLElement).offsetParent !== null || e.closest('.panel'))
          .map((e) => ({
            key: (e as HTMLElement).dataset.i18n!,
            text: e.textContent,
          })),
      );
    const LANGS = (await page.evaluate("import('/js/i18n.js').then((m) => m.LANGS)")) as Record<
      'en' | 'ko',
      Record<string, string>
    >;
    const en = await labels();
    for (const l of en) expect(l.text, l.key).toBe(LANGS.en[l.key]);
    await page.click('[data-lang="ko"]');
    const ko = await labels();
    for (const l of ko) expect(l.text, l.key).toBe(LANGS.ko[l.key]);
    const titles = await page.$$eval('.panel-title', (els) => els.map((e) => e.textContent));
    expect(titles).toEqual(
      expect.arrayContaining(['시그널', '실시간 토론', '프로세스', '출력', '예산', '아이디어', '터미널']),
    );
    // Rendered data labels switch too: ideas, budget, processes, command descriptions.
    expect(await page.textContent('[data-status="pending"] .idea-label')).toBe('대기');
    expect(await page.textContent('#budget-today .budget-label')).toBe('오늘');
    expect(await page.textContent('#proc-rows [data-id="engine"] .proc-status')).toContain('실행');
    expect(await page.textContent('#cmd-list [data-cmd="signals"] .cmd-desc')).toBe('현재 신호 분석 보기');
    expect(await page.getAttribute('html', 'lang')).toBe('ko');
    // Every English label has a Korean one.
    expect(Object.keys(LANGS.ko).sort()).toEqual(Object.keys(LANGS.en).sort());
    await page.reload();
    await waitReady(page);
    expect(await page.textContent('#panel-debate .panel-title')).toBe('실시간 토론');
    await page.click('[data-lang="en"]');
    expect(await page.textContent('#panel-debate .panel-title')).toBe('LIVE DEBATE');
  });

  it('shows the transcript page with phases, reactions, references, scores and the plan', async () => {
    const [debate] = await h.arena.listDebates({ status: 'completed' });
    await fresh();
    await open(page, `${h.url}/debates/${debate!.id}`);
    await page.waitForSelector('#page-messages .msg');
    expect(await page.isHidden('#grid')).toBe(true);
    const phases = await page.$$eval('.phase-divider', (els) => [
      ...new Set(els.map((e) => (e as HTMLElement).dataset.phase)),
    ]);
    expect(phases).toEqual(['divergence', 'convergence', 'planning']);
    const types = await page.$$eval(
      '#page-messages .msg-type',
      (els) => new Set(els.map((e) => e.textContent)).size,
    );
    expect(types).toBeGreaterThan(2);
    const stored = (await h.arena.getDebate(debate!.id))!;
    expect(await page.$$eval('#page-messages .msg', (els) => els.length)).toBe(stored.messages.length);
    // Clicking a reference jumps to the message it answers.
    const ref = await page.$('#page-messages .msg-refs a.ref');
    const target = await ref!.getAttribute('data-ref');
    await ref!.click();
    await page.waitForSelector(`#m-${target}.flash`);
    expect(
      await page.$eval(`#m-${target}`, (e) => {
        const r = e.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      }),
    ).toBe(true);
    // Convergence scores, per evaluation: every verdict (an unreadable one says so), then each
    // decision with the average the engine used for it.
    const verdicts = stored.messages.filter((m) => m.type === 'verdict');
    expect(verdicts.length).toBeGreaterThan(0);
    expect(
      await page.$$eval('#page-scores .score-row:not(.decision) .score-n', (els) =>
        els.map((e) => e.textContent),
      ),
    ).toEqual(verdicts.map((m) => scoreOf(m.metadata)?.toFixed(1) ?? 'unreadable'));
    const decisions = stored.messages.flatMap((m) => {
      const step = m.metadata?.step as { kind?: string; average?: number | null } | undefined;
      return step?.kind === 'outcome' ? [step.average == null ? '—' : step.average.toFixed(1)] : [];
    });
    expect(decisions.length).toBeGreaterThan(0);
    expect(
      await page.$$eval('#page-scores .decision .score-n', (els) => els.map((e) => e.textContent)),
    ).toEqual(decisions);
    if (stored.plan)
      expect(await page.$$eval('#page-plan .plan-sec', (els) => els.length)).toBeGreaterThan(0);
    await page.click('.page-head a.link');
    await page.waitForSelector('#grid:not([hidden])');
  });

  it('fits a phone: tabs, a command bar, and the palette as a sheet', async () => {
    await fresh(
      { width: 390, height: 844 },
      { locale: 'ko-KR', context: { deviceScaleFactor: 2, isMobile: true, hasTouch: true } },
    );
    await open(page);
    // The phone follows the browser language: Korean labels, Korean debate.
    expect(await page.getAttribute('html', 'lang')).toBe('ko');
    const { debateId } = await h.arena.startDebate({
      idea: '동네 가게를 위한 오프라인 우선 예약 앱',
      origin: 'cli',
      rounds: 2,
      lang: 'ko',
    });
    await waitMessages(page, debateId, 3);
    expect(await page.isVisible('.tabs')).toBe(true);
    expect(await page.$$eval('.tabs button', (els) => els.map((e) => e.textContent))).toEqual([
      '시그널',
      '토론',
      '출력',
    ]);
    expect(await page.isVisible('#command-bar')).toBe(true);
    expect(await page.isVisible('#panel-terminal')).toBe(false);
    expect(await page.isVisible('#panel-debate')).toBe(true);
    expect(await page.isVisible('#panel-signals')).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await seeWriting(page);
    await page.tap('[data-tab-button="signals"]');
    expect(await page.isVisible('#panel-signals')).toBe(true);
    expect(await page.isVisible('#panel-debate')).toBe(false);
    await page.tap('#command-bar');
    expect(await page.isVisible('#panel-terminal')).toBe(true);
    expect(await page.isVisible('#cmd-list')).toBe(true);
    await page.tap('#cmd-list [data-cmd="budget"]');
    await page.waitForSelector('#overlay:not([hidden])');
    await page.keyboard.press('Escape');
    expect(await page.isHidden('#overlay')).toBe(true);
  });
});

function scoreOf(metadata: Record<string, unknown> | null): number | undefined {
  const verdict = metadata?.verdict as { score?: unknown } | null | undefined;
  return typeof verdict?.score === 'number' ? verdict.score : undefined;
}

function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
