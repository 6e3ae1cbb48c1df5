import { beforeAll, describe, expect, it } from 'vitest';
import { createOfflineProvider, shortPhrase } from '../../engine/llm/offline.ts';
import type { ChatRequest, LlmProvider } from '../../engine/llm/types.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';

describe('offline provider', () => {
  let personas: readonly Persona[];
  let offline: LlmProvider;
  const security = () => personas.find((p) => p.id === 'security_paranoid')!;

  beforeAll(async () => {
    personas = await builtinCatalog();
    offline = createOfflineProvider({ personas });
  });

  const turn = (over: Partial<NonNullable<ChatRequest['metadata']>> = {}): ChatRequest => ({
    model: 'qwen2.5:32b',
    messages: [
      { role: 'system', content: 'You are Chris Oh.' },
      { role: 'user', content: 'Debate: a wallet app for DAOs' },
    ],
    metadata: {
      personaId: 'security_paranoid',
      task: 'turn',
      lang: 'en',
      phase: 'divergence',
      reaction: 'challenge',
      targetText: 'Ada: We should let every member sign transactions from their phone. It is simple.',
      targetAuthor: 'Ada',
      idea: 'A wallet app for DAOs',
      turnIndex: 3,
      ...over,
    },
  });

  it('is deterministic, labelled offline, and streams its text in chunks', async () => {
    const deltas: string[] = [];
    const a = await offline.chat(turn(), (d) => deltas.push(d));
    const b = await offline.chat(turn());
    expect(a.text).toBe(b.text);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(a.text);
    expect(a).toMatchObject({ model: 'offline', provider: 'offline' });
    // No model read or wrote anything: no tokens to count, nothing charged to the budget.
    expect(a.completionTokens).toBe(0);
    expect(a.promptTokens).toBe(0);
    expect(await offline.models()).toEqual(['offline']);
    const other = await offline.chat(turn({ turnIndex: 4, targetText: 'Bo: Gas fees will kill adoption.' }));
    expect(other.text).not.toBe(a.text);
  });

  it('speaks as the persona: quotes the target, uses its role, expertise and catchphrase', async () => {
    const { text } = await offline.chat(turn());
    const p = security();
    expect(text).toContain('We should let every member sign transactions');
    expect(text).toContain(p.catchphrase.en);
    const mentions = [p.role.en, ...p.expertise].filter((x) => text.includes(x));
    expect(mentions.length).toBeGreaterThan(0);
    // A challenge reads as one in every seed
    for (let i = 0; i < 6; i++) {
      const t = (await offline.chat(turn({ turnIndex: i }))).text;
      expect(t).toMatch(/challenge|not convinced|missing/);
    }
  });

  it('writes Korean when asked', async () => {
    const { text } = await offline.chat(
      turn({
        lang: 'ko',
        reaction: 'support',
        targetText: '모든 멤버가 휴대폰으로 서명할 수 있어야 합니다.',
      }),
    );
    expect(text).toContain(security().catchphrase.ko);
    expect(text).toContain('모든 멤버가 휴대폰으로 서명할 수 있어야 합니다');
    expect(text).toMatch(/[\uac00-\ud7a3]/);
  });

  it('returns a valid verdict JSON for convergence, scores within 1..10', async () => {
    const evaluators = personas.filter((p) => p.phase === 'convergence');
    expect(evaluators.length).toBeGreaterThan(0);
    for (const p of evaluators) {
      const r = await offline.chat({
        model: p.model,
        messages: [{ role: 'user', content: 'Score the idea' }],
        options: { json: true },
        metadata: {
          personaId: p.id,
          task: 'verdict',
          lang: 'en',
          phase: 'convergence',
          idea: 'A wallet app for DAOs',
        },
      });
      const v = JSON.parse(r.text) as {
        score: number;
        strengths: string[];
        risks: string[];
        conditions: string[];
      };
      expect(Number.isInteger(v.score) && v.score >= 1 && v.score <= 10).toBe(true);
      expect(v.strengths.length).toBeGreaterThan(0);
      expect(v.risks.length).toBeGreaterThan(0);
      expect(v.conditions.length).toBeGreaterThan(0);
      expect(v.strengths.join(' ')).toContain(p.expertise[0]);
    }
  });

  it('writes a markdown plan section for planners', async () => {
    const planner = personas.find((p) => p.planSection === 'architecture')!;
    const r = await offline.chat({
      model: planner.model,
      messages: [{ role: 'user', content: 'Write it' }],
      metadata: {
        personaId: planner.id,
        task: 'plan',
        lang: 'en',
        phase: 'planning',
        idea: 'DAO wallet',
        planSection: 'architecture',
      },
    });
    expect(r.text).toMatch(/^## technical architecture: DAO wallet/);
    expect(r.text).toMatch(/\n1\. /);
  });

  it('summarises the transcript in the prompt by speaker', async () => {
    const transcript = [
      'Idea:\nA wallet app for DAOs',
      '[#1] Chris Oh (@SecurityParanoid) · challenge → #0\nKeys on phones will be stolen. We need hardware signing.',
      '[#2] Ada · human\n> Can we start with a 2-of-3 multisig?',
      'Summarise the discussion so far.',
    ].join('\n\n');
    const r = await offline.chat({
      model: 'x',
      messages: [{ role: 'user', content: transcript }],
      metadata: { personaId: 'moderator', task: 'summary', lang: 'en', idea: 'A wallet app for DAOs' },
    });
    expect(r.text).toBe(
      'Summary — A wallet app for DAOs\n- Chris Oh: "Keys on phones will be stolen"\n- Ada: "Can we start with a 2-of-3 multisig?"',
    );
  });

  it('works without metadata and stops on abort', async () => {
    const r = await offline.chat({ model: 'x', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(r.text.length).toBeGreaterThan(10);
    const err = await offline.chat({ ...turn(), signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'LlmError', code: 'aborted' });
  });

  it('quotes a short phrase', () => {
    expect(shortPhrase('Ada: one two three four five six seven eight nine ten. Next.')).toBe(
      'one two three four five six seven eight…',
    );
    expect(shortPhrase('Short point! And more.')).toBe('Short point');
  });
});

describe('shortPhrase', () => {
  it('never nests quotation marks when the quoted message opens with a quote', () => {
    const phrase = shortPhrase(
      '"Let me put a concrete proposal on the…" — that is the part I would challenge. More.',
    );
    expect(phrase).toBe('that is the part I would challenge');
    expect(shortPhrase('I am not convinced by "Let me put…". As a Senior')).not.toMatch(/["“”]/);
  });
});

describe('offline debate text', () => {
  it('answers its target by name and never nests quotes, however long the chain of replies', async () => {
    const personas = await builtinCatalog();
    const offline = createOfflineProvider({ personas });
    const speakers = personas.filter((p) => p.phase === 'divergence').slice(0, 6);
    let previous = { author: '', text: '' };
    for (let i = 0; i < 12; i++) {
      const p = speakers[i % speakers.length]!;
      const reaction = i === 0 ? 'propose' : (['support', 'challenge', 'refine', 'merge'] as const)[i % 4];
      const { text } = await offline.chat({
        model: p.model,
        messages: [{ role: 'user', content: 'Debate: a tool library for neighbours' }],
        metadata: {
          personaId: p.id,
          task: 'turn',
          lang: 'en',
          reaction,
          idea: 'A tool library for neighbours',
          turnIndex: i,
          ...(i > 0 ? { targetText: previous.text, targetAuthor: previous.author } : {}),
        },
      });
      // At most one quotation per turn, and no quotation inside it.
      expect(text.match(/"/g)?.length ?? 0, text).toBeLessThanOrEqual(2);
      if (i > 0) expect(text, text).toContain(previous.author);
      previous = { author: p.name, text };
    }
  });

  it('paces a call over OFFLINE_TURN_DELAY_MS so a debate can be watched streaming', async () => {
    const personas = await builtinCatalog();
    // The pauses are recorded, not slept: the pacing is checked as behaviour, not as wall time.
    const timeline: Array<number | string> = [];
    const paced = createOfflineProvider({
      personas,
      turnDelayMs: 400,
      sleep: async (ms) => {
        timeline.push(ms);
      },
    });
    const result = await paced.chat(
      {
        model: 'x',
        messages: [{ role: 'user', content: 'Debate: a tool library' }],
        metadata: { personaId: personas[0]!.id, task: 'turn', lang: 'en', idea: 'A tool library' },
      },
      (delta) => timeline.push(delta),
    );
    const pauses = timeline.filter((x): x is number => typeof x === 'number');
    const deltas = timeline.filter((x): x is string => typeof x === 'string');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(result.text);
    // Spread over the call: one equal pause before each chunk, adding up to the turn delay, never
    // one wait and then everything at once.
    expect(timeline.map((x) => typeof x)).toEqual(deltas.flatMap(() => ['number', 'string']));
    expect(new Set(pauses).size).toBe(1);
    expect(pauses.reduce((a, b) => a + b, 0)).toBeCloseTo(400, 6);
  });

  it('streams at once without a turn delay', async () => {
    const personas = await builtinCatalog();
    const pauses: number[] = [];
    const fast = createOfflineProvider({ personas, sleep: async (ms) => void pauses.push(ms) });
    await fast.chat(
      {
        model: 'x',
        messages: [{ role: 'user', content: 'Debate: a tool library' }],
        metadata: { personaId: personas[0]!.id, task: 'turn', lang: 'en', idea: 'A tool library' },
      },
      () => {},
    );
    expect(pauses).toEqual([]);
  });
});
