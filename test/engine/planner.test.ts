import { beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../engine/debate/history.ts';
import { stepEntry } from '../../engine/debate/message.ts';
import { createCast } from '../../engine/debate/plan/cast.ts';
import { chooseLineup } from '../../engine/debate/plan/lineup.ts';
import { answerersFor, mentionedPersonas } from '../../engine/debate/plan/mentions.ts';
import { decideOutcome } from '../../engine/debate/plan/outcome.ts';
import {
  type ActiveStep,
  type PlanContext,
  planNextStep,
  type Step,
} from '../../engine/debate/plan/planner.ts';
import { parseVerdict } from '../../engine/debate/verdict.ts';
import { AXIS_NAMES, builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { humanEntry as human } from '../helpers/history.ts';

let personas: readonly Persona[];
let ctx: PlanContext;
beforeAll(async () => {
  personas = await builtinCatalog();
  ctx = { seed: 'seed-1', idea: 'a wallet app for DAOs', rounds: 2, cast: createCast(personas) };
});

/** The entry a committed step would leave, as the engine writes it. */
function entryOf(step: ActiveStep, turnIndex: number, score: (id: string) => number | null): HistoryEntry {
  const speaker = 'speakerId' in step ? step.speakerId : 'moderator';
  const s = step.kind === 'verdict' ? score(speaker) : null;
  return stepEntry(step, turnIndex, {
    content: `${speaker} ${step.kind}`,
    verdict:
      s === null
        ? null
        : { score: s, strengths: [], risks: ['custody of DAO keys'], conditions: ['a security audit'] },
  });
}

/** Plays a whole debate through the planner alone; `before(n)` may add people's messages. */
function simulate(
  opts: {
    score?: (id: string) => number | null;
    before?: (history: HistoryEntry[]) => HistoryEntry | undefined;
  } = {},
) {
  const history: HistoryEntry[] = [];
  const steps: ActiveStep[] = [];
  for (let i = 0; i < 200; i++) {
    const extra = opts.before?.(history);
    if (extra) history.push(extra);
    const step: Step = planNextStep(ctx, history);
    if (step.kind === 'done') return { history, steps, outcome: step.outcome };
    steps.push(step);
    history.push(entryOf(step, history.length, opts.score ?? (() => 8)));
  }
  throw new Error('debate did not end');
}

describe('round lineups', () => {
  it('cover both poles of every personality axis and favour relevant expertise', () => {
    const lineup = chooseLineup({
      seed: 's',
      relevanceText: 'a wallet app for DAOs',
      candidates: ctx.cast.divergence,
      size: 5,
      round: 1,
      spokenBefore: new Set(),
      previousLast: null,
    });
    expect(lineup).toHaveLength(5);
    expect(new Set(lineup).size).toBe(5);
    const chosen = lineup.map((id) => ctx.cast.byId.get(id)!);
    for (const axis of AXIS_NAMES) expect(new Set(chosen.map((p) => p.personality[axis])).size).toBe(2);
    expect(lineup).toContain('chain_maximalist');
  });

  it('never opens a round with the speaker who closed the previous one', () => {
    for (const seed of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const input = {
        seed,
        relevanceText: 'x',
        candidates: ctx.cast.divergence,
        size: 5,
        round: 2,
        spokenBefore: new Set<string>(),
      };
      const free = chooseLineup({ ...input, previousLast: null });
      expect(chooseLineup({ ...input, previousLast: free[0]! })[0]).not.toBe(free[0]);
    }
  });
});

describe('planNextStep', () => {
  it('walks divergence rounds, a summary, 8 verdicts, the outcome and the plan sections in order', () => {
    const { steps, outcome } = simulate();
    expect(outcome).toBe('selected');
    const kinds = steps.map((s) => (s.kind === 'turn' ? `turn/${s.round}` : s.kind));
    expect(kinds).toEqual([
      ...Array(5).fill('turn/1'),
      ...Array(5).fill('turn/2'),
      'summary',
      ...Array(8).fill('verdict'),
      'outcome',
      ...Array(10).fill('section'),
      'final',
    ]);
    const sections = steps.flatMap((s) => (s.kind === 'section' ? [s.section] : []));
    expect([...new Set(sections)]).toEqual([
      'prd',
      'architecture',
      'user_research',
      'business_model',
      'project_plan',
    ]);
  });

  it('never lets a persona speak twice in a row, and every turn after the first answers something', () => {
    for (const seed of ['s1', 's2', 's3', 's4']) {
      ctx = { ...ctx, seed };
      const { steps } = simulate();
      const turns = steps.filter((s) => s.kind === 'turn');
      for (let i = 1; i < turns.length; i++) {
        expect(turns[i]!.speakerId).not.toBe(turns[i - 1]!.speakerId);
        expect(turns[i]!.refs.length).toBeGreaterThan(0);
      }
      expect(turns[0]!.reaction).toBe('propose');
      expect(turns[0]!.refs).toEqual([]);
    }
    ctx = { ...ctx, seed: 'seed-1' };
  });

  it('is deterministic: the same history always gives the same step', () => {
    const a = simulate();
    const b = simulate();
    expect(b.steps).toEqual(a.steps);
    for (let n = 0; n < a.history.length; n += 3) {
      expect(planNextStep(ctx, a.history.slice(0, n))).toEqual(a.steps[n]);
    }
  });

  it('plans the same steps when lineups are remembered across debates sharing a cast', () => {
    // Lineups are chosen once per seed, idea, rounds and earlier concerns for a cast: debates that
    // differ in any of those, planned interleaved on one cast, must plan as they do on a fresh one.
    const shared = createCast(personas);
    const variants: PlanContext[] = [
      { seed: 'seed-a', idea: 'a wallet app for DAOs', rounds: 2, cast: shared },
      { seed: 'seed-b', idea: 'a wallet app for DAOs', rounds: 2, cast: shared },
      { seed: 'seed-a', idea: 'a clinic booking tool for rural vets', rounds: 2, cast: shared },
      { seed: 'seed-a', idea: 'a wallet app for DAOs', rounds: 3, cast: shared },
    ];
    const plays = variants.map(() => ({
      history: [] as HistoryEntry[],
      steps: [] as ActiveStep[],
      done: false,
    }));
    for (let i = 0; i < 200 && plays.some((p) => !p.done); i++) {
      for (const [v, play] of plays.entries()) {
        if (play.done) continue;
        const step = planNextStep(variants[v]!, play.history);
        if (step.kind === 'done') {
          play.done = true;
          continue;
        }
        play.steps.push(step);
        // Scores of 6 ask for a refinement cycle, whose lineups depend on the verdicts' concerns.
        play.history.push(entryOf(step, play.history.length, () => (v === 1 ? 6 : 8)));
      }
    }
    for (const [v, play] of plays.entries()) {
      const alone = { ...variants[v]!, cast: createCast(personas) };
      const history: HistoryEntry[] = [];
      const steps: ActiveStep[] = [];
      for (
        let step = planNextStep(alone, history);
        step.kind !== 'done';
        step = planNextStep(alone, history)
      ) {
        steps.push(step);
        history.push(entryOf(step, history.length, () => (v === 1 ? 6 : 8)));
      }
      expect(play.steps).toEqual(steps);
    }
    expect(plays[0]!.steps).not.toEqual(plays[1]!.steps);
  });

  it('loops back to one refinement round on needs_refinement, then resolves', () => {
    const { steps, outcome } = simulate({ score: () => 6 });
    const outcomes = steps.flatMap((s) => (s.kind === 'outcome' ? [s.decision.outcome] : []));
    expect(outcomes).toEqual(['needs_refinement', 'selected']);
    const refinement = steps.filter((s) => s.kind === 'turn' && s.round === 3);
    expect(refinement).toHaveLength(5);
    expect(outcome).toBe('selected');
    // The refinement round opens on the evaluators' outcome.
    const first = steps.find((s) => s.kind === 'turn' && s.round === 3)!;
    expect(first.refs).toHaveLength(1);
  });

  it('rejects on low scores and plans nothing', () => {
    const { steps, outcome } = simulate({ score: () => 3 });
    expect(outcome).toBe('rejected');
    expect(steps.some((s) => s.phase === 'planning')).toBe(false);
  });

  it('makes a persona named by @handle answer next, even in convergence, then carries on', () => {
    const { steps, history } = simulate({
      before: (h) =>
        h.length === 13
          ? human(13, '@securityparanoid what about sybil attacks?', ['security_paranoid'])
          : undefined,
    });
    const at = history.findIndex((e) => e.authorKind === 'human');
    const answer = history[at + 1]!;
    expect(answer.phase).toBe('convergence');
    expect(answer.agentId).toBe('security_paranoid');
    expect(answer.refs).toEqual([at]);
    expect(steps.filter((s) => s.kind === 'verdict')).toHaveLength(8);
  });

  it('has the next step answer a person nobody was asked to answer for', () => {
    const { history } = simulate({
      before: (h) => (h.length === 3 ? human(3, 'Could it work offline?') : undefined),
    });
    const next = history[4]!;
    expect(next.authorKind).toBe('persona');
    expect(next.refs).toEqual([3]);
    expect(next.round).toBe(1);
  });
});

describe('outcome thresholds', () => {
  const v = (score: number) => ({ score, strengths: [], risks: [], conditions: [] });
  it('selects, rejects or asks for refinement by average, and resolves after the loop', () => {
    expect(decideOutcome([v(8), v(7), v(7)], 1).outcome).toBe('selected');
    expect(decideOutcome([v(4), v(5), v(4)], 1).outcome).toBe('rejected');
    expect(decideOutcome([v(6), v(6), v(6)], 1).outcome).toBe('needs_refinement');
    expect(decideOutcome([v(6), v(6), v(6)], 2).outcome).toBe('selected');
    expect(decideOutcome([v(5.5), v(5.5), v(5.5)], 2).outcome).toBe('rejected');
  });
  it('decides nothing on too few readable verdicts: neither refinement nor rejection', () => {
    expect(decideOutcome([v(9), v(9), null, null], 1)).toMatchObject({
      outcome: 'unreadable',
      valid: 2,
      total: 4,
      average: 9,
    });
    expect(decideOutcome([null, null, null], 2).outcome).toBe('unreadable');
  });
});

describe('verdict parsing', () => {
  it('reads JSON inside fences and chatter, coerces a numeric string, wraps a lone string', () => {
    const r = parseVerdict(
      'Sure!\n```json\n{"score": "7", "strengths": "clear need", "risks": ["fees"], "conditions": []}\n```',
    );
    expect(r).toEqual({
      ok: true,
      verdict: { score: 7, strengths: ['clear need'], risks: ['fees'], conditions: [] },
    });
  });
  it('refuses what is not a verdict, saying why', () => {
    expect(parseVerdict('I think it is great')).toEqual({ ok: false, error: 'no JSON object found' });
    expect(parseVerdict('{"score": 11}')).toMatchObject({
      ok: false,
      error: expect.stringContaining('score'),
    });
    expect(parseVerdict('{"score": 7,')).toMatchObject({ ok: false });
  });
});

describe('mentions', () => {
  it('finds @handles case-insensitively, in order, but not inside e-mail addresses', () => {
    const found = mentionedPersonas(
      '@SECURITYPARANOID and @OptimisticDev, mail me at x@OptimisticDev.com',
      personas,
    );
    expect(found.map((p) => p.id)).toEqual(['security_paranoid', 'dev_optimistic']);
    expect(answerersFor('what do you think?', 'dev_cautious', personas)).toEqual(['dev_cautious']);
    expect(answerersFor('@CryptoVC?', 'dev_cautious', personas)).toEqual(['vc_aggressive', 'dev_cautious']);
  });
});
