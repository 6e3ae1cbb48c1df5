import { beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../engine/debate/history.ts';
import { stepEntry } from '../../engine/debate/message.ts';
import { createCast } from '../../engine/debate/plan/cast.ts';
import { type ActiveStep, type PlanContext, planNextStep } from '../../engine/debate/plan/planner.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { humanEntry } from '../helpers/history.ts';

// Model-aware divergence order: with a local model server, a round's speakers go model by model,
// loaded models first and models the rest of the phase needs last, so each model loads once per
// phase; a person's @handle and the lineup (who speaks: personality coverage) always win.

let personas: readonly Persona[];
let base: Omit<PlanContext, 'seed'>;
beforeAll(async () => {
  personas = await builtinCatalog();
  base = { idea: 'a wallet app for DAOs', rounds: 2, cast: createCast(personas) };
});

const byId = (id: string) => personas.find((p) => p.id === id)!;
const MODERATOR = 'qwen2.5:14b';
const SEEDS = Array.from({ length: 24 }, (_, i) => `seed-${i}`);

/**
 * A GPU that holds `fit` models at once, least recently used out first: the models loaded before
 * each turn, and how many loads the debate's divergence (its turns, then the summary) made.
 */
function lruGpu(fit: number) {
  let loaded: string[] = [];
  let loads = 0;
  /** Loads per round and model. */
  const byRound = new Map<string, number>();
  const use = (model: string, round = 0) => {
    if (!loaded.includes(model)) {
      loads++;
      byRound.set(`${round} ${model}`, (byRound.get(`${round} ${model}`) ?? 0) + 1);
      if (loaded.length === fit) loaded.shift();
    } else loaded = loaded.filter((m) => m !== model);
    loaded.push(model);
  };
  return {
    view: (history: readonly HistoryEntry[]) => {
      const last = history.at(-1);
      if (last) use(byId(last.agentId).model, last.round);
      return new Set(loaded);
    },
    loadsWithSummary: () => {
      use(MODERATOR);
      return loads;
    },
    maxLoadsOfAModelInARound: () => Math.max(0, ...byRound.values()),
  };
}

function turnEntry(step: ActiveStep, turnIndex: number): HistoryEntry {
  if (step.kind !== 'turn') throw new Error(`expected a divergence turn, got ${step.kind}`);
  return stepEntry(step, turnIndex, { content: `${step.speakerId} says something` });
}

const human = (turnIndex: number, answerers: string[]) =>
  humanEntry(turnIndex, `@${answerers[0]} what about custody?`, answerers);

/** The divergence turns of a debate, each planned with the loaded models `loaded(history)` gives. */
function divergence(
  seed: string,
  loaded: (history: readonly HistoryEntry[]) => ReadonlySet<string> | undefined,
) {
  const history: HistoryEntry[] = [];
  for (;;) {
    const step = planNextStep(
      { ...base, seed, loadedModels: loaded(history), moderatorModel: MODERATOR },
      history,
    );
    if (step.kind !== 'turn') return history;
    history.push(turnEntry(step, history.length));
  }
}

const speakersByRound = (history: readonly HistoryEntry[]) => {
  const rounds = new Map<number, string[]>();
  for (const e of history) rounds.set(e.round, [...(rounds.get(e.round) ?? []), e.agentId]);
  return rounds;
};

describe('model-aware divergence order', () => {
  it('without a model server (loaded models unknown), the order is the lineup order', () => {
    for (const seed of ['a', 'b', 'c']) {
      const unknown = divergence(seed, () => undefined);
      const absent = (() => {
        const history: HistoryEntry[] = [];
        for (;;) {
          const step = planNextStep({ ...base, seed }, history);
          if (step.kind !== 'turn') return history;
          history.push(turnEntry(step, history.length));
        }
      })();
      expect(unknown.map((e) => e.agentId)).toEqual(absent.map((e) => e.agentId));
    }
  });

  it('a loaded model goes first: the next speaker uses a loaded model whenever one is left in the round', () => {
    let checked = 0;
    for (const seed of SEEDS) {
      const plain = divergence(seed, () => undefined);
      for (let n = 1; n < plain.length; n++) {
        const history = plain.slice(0, n);
        const round = plain[n]!.round;
        if (history.at(-1)!.round !== round) continue;
        const spoken = new Set(history.filter((e) => e.round === round).map((e) => e.agentId));
        const left = plain.filter((e) => e.round === round && !spoken.has(e.agentId)).map((e) => e.agentId);
        // Load the model of the round's last speaker only: the planner must bring that speaker forward.
        const target = left.at(-1)!;
        if (left.some((id) => id !== target && byId(id).model === byId(target).model)) continue;
        if (byId(plain[n]!.agentId).model === byId(target).model) continue;
        const step = planNextStep(
          { ...base, seed, loadedModels: new Set([byId(target).model]), moderatorModel: MODERATOR },
          history,
        );
        expect(step.kind).toBe('turn');
        expect((step as Extract<ActiveStep, { kind: 'turn' }>).speakerId).toBe(target);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('on a GPU that holds two models, each model loads at most once per round and fewer times than in lineup order', () => {
    let lineupLoads = 0;
    let awareLoads = 0;
    for (const seed of SEEDS) {
      const plain = lruGpu(2);
      divergence(seed, (h) => {
        plain.view(h);
        return undefined;
      });
      lineupLoads += plain.loadsWithSummary();
      const gpu = lruGpu(2);
      divergence(seed, gpu.view);
      awareLoads += gpu.loadsWithSummary();
      expect(gpu.maxLoadsOfAModelInARound()).toBeLessThanOrEqual(1);
    }
    expect(awareLoads).toBeLessThan(lineupLoads);
  });

  it('never overrides a person’s @handle', () => {
    const seed = 'handle';
    const first = planNextStep({ ...base, seed }, []);
    if (first.kind !== 'turn') throw new Error('expected a turn');
    const history = [turnEntry(first, 0)];
    // Ask a persona whose model is not loaded, with every other model loaded.
    const asked = base.cast.divergence.find((p) => p.id !== first.speakerId && p.model === 'qwen2.5:32b')!;
    history.push(human(1, [asked.id]));
    const others = new Set(personas.map((p) => p.model).filter((m) => m !== asked.model));
    const step = planNextStep({ ...base, seed, loadedModels: others, moderatorModel: MODERATOR }, history);
    expect(step.kind).toBe('turn');
    expect((step as Extract<ActiveStep, { kind: 'turn' }>).speakerId).toBe(asked.id);
  });

  it('never changes who speaks in a round (personality coverage), only the order', () => {
    const models = [...new Set(base.cast.divergence.map((p) => p.model))];
    for (const seed of SEEDS.slice(0, 12)) {
      const plain = speakersByRound(divergence(seed, () => undefined));
      // Whatever is loaded (a rotating model, or what a small GPU holds), each round's speakers are the lineup's.
      for (const loaded of [
        (h: readonly HistoryEntry[]) => new Set([models[h.length % models.length]!]),
        lruGpu(2).view,
        () => new Set<string>(),
      ]) {
        const history = divergence(seed, loaded);
        const rounds = speakersByRound(history);
        expect([...rounds.keys()]).toEqual([...plain.keys()]);
        for (const [round, speakers] of plain) {
          expect([...rounds.get(round)!].sort()).toEqual([...speakers].sort());
        }
        // Still no persona twice in a row.
        for (let i = 1; i < history.length; i++)
          expect(history[i]!.agentId).not.toBe(history[i - 1]!.agentId);
      }
    }
  });
});
