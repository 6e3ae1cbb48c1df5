import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DebateDetailView } from '../../engine/api.ts';
import type { DebateMessageView } from '../../engine/events.ts';
import type { Persona } from '../../personas/types.ts';
import { createFakeArena } from '../fakes/fake-arena.ts';
import { type DashboardBrowser, hasChromium, launchDashboardBrowser, noteSkip, settle } from './chromium.ts';
import { type Harness, startHarness } from './harness.ts';

noteSkip('the transcript browser test');

// Issue #14 items 6 and 16: a finished debate with two evaluations (a refinement loop), one
// unreadable verdict, and a message with Markdown and hostile text. The transcript must say what
// happened per evaluation, with the averages the decisions used, and show whole handles.
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

function debateOf(personas: readonly Persona[]): DebateDetailView {
  const id = randomUUID();
  const by = (handle: string) => personas.find((p) => p.handle === handle)!;
  const [founder, architect, engineer] = [
    by('FirstTimeFounder'),
    by('CautiousArchitect'),
    by('SystematicEngineer'),
  ];
  const messages: DebateMessageView[] = [];
  const at = Date.parse('2026-12-01T10:00:00Z');
  const add = (m: Partial<DebateMessageView> & Pick<DebateMessageView, 'phase' | 'round' | 'type'>) =>
    messages.push({
      id: randomUUID(),
      debateId: id,
      turnIndex: messages.length,
      authorKind: 'system',
      agentId: 'moderator',
      agentName: 'Moderator',
      handle: null,
      color: null,
      content: '',
      references: [],
      model: null,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      metadata: null,
      createdAt: new Date(at + messages.length * 60_000).toISOString(),
      ...m,
    });
  const said = (p: Persona, m: Partial<DebateMessageView> & Pick<DebateMessageView, 'phase' | 'round'>) =>
    add({
      type: 'propose',
      authorKind: 'persona',
      agentId: p.id,
      agentName: p.name,
      handle: p.handle,
      color: p.color,
      ...m,
    });
  const verdict = (p: Persona, cycle: number, score: number | null) =>
    said(p, {
      phase: 'convergence',
      round: cycle,
      type: 'verdict',
      content: score === null ? 'not JSON at all' : `Score ${score}/10`,
      metadata: {
        step: { kind: 'verdict', cycle },
        verdict: score === null ? null : { score, strengths: [], risks: [], decision: 'x' },
        ...(score === null ? { unparseable: true } : {}),
      },
    });
  const decide = (cycle: number, outcome: string, average: number, valid: number, total: number) =>
    add({
      phase: 'convergence',
      round: cycle,
      type: 'summary',
      content: `Outcome: ${outcome}`,
      metadata: {
        step: { kind: 'outcome', cycle, outcome, average },
        decision: { outcome, average, valid, total },
      },
    });

  said(founder, {
    phase: 'divergence',
    round: 1,
    content: `## Risks\n- **Churn** after \`v1\`\n# ${HOSTILE}\nplain # not a heading ${HOSTILE}`,
  });
  said(architect, { phase: 'divergence', round: 2, type: 'challenge', content: 'Too broad.' });
  add({ phase: 'divergence', round: 2, type: 'summary', content: 'Summary one.' });
  verdict(founder, 1, 6);
  verdict(architect, 1, 5);
  verdict(engineer, 1, null);
  decide(1, 'needs_refinement', 5.5, 2, 3);
  said(engineer, { phase: 'divergence', round: 3, type: 'refine', content: 'Narrower scope.' });
  add({ phase: 'divergence', round: 3, type: 'summary', content: 'Summary two.' });
  verdict(founder, 2, 8);
  verdict(architect, 2, 9);
  verdict(engineer, 2, 7);
  decide(2, 'selected', 8, 3, 3);
  said(architect, { phase: 'planning', round: 1, type: 'plan', content: '### Architecture\n- one service' });
  return {
    id,
    ideaId: randomUUID(),
    title: 'Repair café finder',
    status: 'completed',
    pauseReason: null,
    phase: 'planning',
    round: 1,
    totalRounds: 2,
    progress: { done: 6, total: 6 },
    outcome: 'selected',
    lang: 'en',
    messageCount: messages.length,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    startedAt: new Date(at).toISOString(),
    completedAt: new Date(at + 3600_000).toISOString(),
    messages,
    plan: null,
  };
}

describe.skipIf(!hasChromium)('the transcript page', { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: DashboardBrowser;
  let debate: DebateDetailView;

  beforeAll(async () => {
    h = await startHarness({
      makeArena: async ({ bus, personas }) => {
        debate = debateOf(personas);
        const inner = createFakeArena({ bus, personas });
        return {
          arena: {
            ...inner,
            getDebate: async (id) => (id === debate.id ? structuredClone(debate) : inner.getDebate(id)),
          },
        };
      },
    });
    browser = await launchDashboardBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const open = async (viewport = { width: 1440, height: 900 }, locale = 'en-US'): Promise<Page> => {
    const page = await browser.open(`${h.url}/debates/${debate.id}`, { viewport, locale });
    await page.waitForSelector('#page-messages .msg');
    await page.waitForSelector('#page-scores .score-cycle');
    return page;
  };

  /** Each evaluation as shown: its verdict rows and its decisions, in order. */
  const evaluations = (page: Page) =>
    page.$$eval('#page-scores .score-cycle', (cycles) =>
      cycles.map((c) => ({
        cycle: (c as HTMLElement).dataset.cycle,
        rows: [...c.querySelectorAll('.score-row')].map((r) =>
          r.classList.contains('decision')
            ? {
                decision: (r as HTMLElement).dataset.outcome,
                average: r.querySelector('.score-n')?.textContent,
                read: r.querySelector('.score-read')?.textContent,
              }
            : {
                handle: r.querySelector('.badge')?.textContent,
                score: r.querySelector('.score-n')?.textContent,
              },
        ),
      })),
    );

  it('shows each evaluation with its verdicts and the average its decision used', async () => {
    const page = await open();
    expect(await evaluations(page)).toEqual([
      {
        cycle: '1',
        rows: [
          { handle: '@FirstTimeFounder', score: '6.0' },
          { handle: '@CautiousArchitect', score: '5.0' },
          { handle: '@SystematicEngineer', score: 'unreadable' },
          { decision: 'needs_refinement', average: '5.5', read: '2/3 read' },
        ],
      },
      {
        cycle: '2',
        rows: [
          { handle: '@FirstTimeFounder', score: '8.0' },
          { handle: '@CautiousArchitect', score: '9.0' },
          { handle: '@SystematicEngineer', score: '7.0' },
          { decision: 'selected', average: '8.0', read: '3/3 read' },
        ],
      },
    ]);
    expect(await page.textContent('#page-scores')).toContain('→ needs refinement');
  });

  it('says what ran in the header and the phase dividers, not planning 1/2', async () => {
    const page = await open();
    const meta = await page.textContent('#page-meta');
    expect(meta).toContain('PLANNING · sections 6/6');
    expect(meta).not.toMatch(/round/i);
    const dividers = await page.$$eval('.phase-divider', (els) => els.map((e) => e.textContent));
    expect(dividers).toEqual([
      '── DIVERGENCE · Round 1 ──',
      '── DIVERGENCE · Round 2 ──',
      '── CONVERGENCE · EVALUATION 1 ──',
      '── DIVERGENCE · Round 3 ──',
      '── CONVERGENCE · EVALUATION 2 ──',
      '── PLANNING ──',
    ]);
    const ko = await open({ width: 1440, height: 900 }, 'ko-KR');
    expect(await ko.textContent('#page-meta')).toContain('기획 · 섹션 6/6');
  });

  it('shows every handle whole in the score box, on a desktop and on a phone', async () => {
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const page = await open(viewport);
      await page.evaluate(() => document.fonts.ready);
      await settle(page);
      const badges = await page.$$eval('#page-scores .badge', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return {
            text: e.textContent,
            // Drawn whole: nothing clipped inside the badge, and the badge inside the page.
            clipped: e.scrollWidth > e.clientWidth + 1,
            inside: r.left >= 0 && r.right <= document.documentElement.clientWidth,
          };
        }),
      );
      expect(badges.length, `${viewport.width}`).toBe(6);
      for (const b of badges) expect(b, `${viewport.width}`).toMatchObject({ clipped: false, inside: true });
      expect(badges.map((b) => b.text)).toContain('@SystematicEngineer');
    }
  });

  it('renders Markdown headings as headings and hostile text as text', async () => {
    const page = await open();
    const first = `#m-${debate.messages[0]!.id} .msg-body`;
    const shown = await page.$eval(first, (body) => ({
      headings: [...body.querySelectorAll('.md-h')].map((e) => e.textContent),
      bullets: body.querySelectorAll('.md-bullet').length,
      strong: body.querySelector('strong')?.textContent,
      elements: [...body.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()),
      text: body.textContent,
    }));
    expect(shown.headings).toEqual(['Risks', HOSTILE]);
    expect(shown.bullets).toBe(1);
    expect(shown.strong).toBe('Churn');
    // Only the formatting's own elements: no img, no script from the text.
    expect(new Set(shown.elements)).toEqual(new Set(['span', 'strong', 'code']));
    expect(shown.text).not.toContain('##');
    expect(shown.text).toContain(`plain # not a heading ${HOSTILE}`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // The plan section's heading too.
    const plan = `#m-${debate.messages.at(-1)!.id} .msg-body .md-h`;
    expect(await page.textContent(plan)).toBe('Architecture');
  });
});
