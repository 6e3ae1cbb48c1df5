import { beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../engine/debate/history.ts';
import { createCast } from '../../engine/debate/plan/cast.ts';
import { type ActiveStep, type PlanContext, planNextStep } from '../../engine/debate/plan/planner.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { interaction } from '../../personas/interaction.ts';
import type { Persona } from '../../personas/types.ts';

// The divergence tie-breaker: among equally good next speakers, one whose model is already loaded
// goes first; a person's @handle and the lineup (personality coverage) always win.

let personas: readonly Persona[];
let base: Omit<PlanContext, 'seed'>;
beforeAll(async () => {
  personas = await builtinCatalog();
  base = { idea: 'a wallet app for DAOs', rounds: 2, cast: createCast(personas) };
});

const byId = (id: string) => personas.find((p) => p.id === id)!;

function turnEntry(step: ActiveStep, turnIndex: number): HistoryEntry {
  if (step.kind !== 'turn') throw new Error(`expected a divergence turn, got ${step.kind}`);
  return {
    id: `m${turnIndex}`,
    turnIndex,
    authorKind: 'persona',
    agentId: step.speakerId,
    agentName: step.speakerId,
    type: step.reaction,
    phase: step.phase,
    round: step.round,
    content: `${step.speakerId} says something`,
    refs: step.refs,
    step: { kind: 'turn', cycle: step.cycle, round: step.round, slot: step.slot },
    verdict: null,
    answerers: [],
  };
}

function human(turnIndex: number, answerers: string[]): HistoryEntry {
  return {
    id: `m${turnIndex}`,
    turnIndex,
    authorKind: 'human',
    agentId: 'discord:1',
    agentName: 'Jane',
    type: 'human',
    phase: 'divergence',
    round: 1,
    content: `@${answerers[0]} what about custody?`,
    refs: [],
    step: null,
    verdict: null,
    answerers,
  };
}

/** The divergence turns of a debate, each planned with the loaded models `loaded(history)` gives. */
function divergence(seed: string, loaded: (history: readonly HistoryEntry[]) => ReadonlySet<string>) {
  const history: HistoryEntry[] = [];
  for (;;) {
    const step = planNextStep({ ...base, seed, loadedModels: loaded(history) }, history);
    if (step.kind !== 'turn') return history;
    history.push(turnEntry(step, history.length));
  }
}

const speakersByRound = (history: readonly HistoryEntry[]) => {
  const rounds = new Map<number, string[]>();
  for (const e of history) rounds.set(e.round, [...(rounds.get(e.round) ?? []), e.agentId]);
  return rounds;
};

describe('divergence tie-breaker: loaded models', () => {
  it('without loaded models, the order is the lineup order (no change for hosted APIs and offline)', () => {
    for (const seed of ['a', 'b', 'c']) {
      const none = divergence(seed, () => new Set());
      const absent = (() => {
        const history: HistoryEntry[] = [];
        for (;;) {
          const step = planNextStep({ ...base, seed }, history);
          if (step.kind !== 'turn') return history;
          history.push(turnEntry(step, history.length));
        }
      })();
      expect(none.map((e) => e.agentId)).toEqual(absent.map((e) => e.agentId));
    }
  });

  it('prefers an equally good speaker whose model is loaded over the default one', () => {
    // Find committed positions where the default next speaker's model is not loaded and another
    // speaker left in the round is as good a follow-up (same interaction score) with another model.
    let checked = 0;
    for (const seed of Array.from({ length: 40 }, (_, i) => `seed-${i}`)) {
      const plain = divergence(seed, () => new Set());
      for (let n = 1; n < plain.length; n++) {
        const history = plain.slice(0, n);
        const next = plain[n]!;
        const previous = history.at(-1)!;
        if (next.round !== previous.round) continue;
        const spoken = new Set(history.filter((e) => e.round === next.round).map((e) => e.agentId));
        const left = plain
          .filter((e) => e.round === next.round && !spoken.has(e.agentId))
          .map((e) => e.agentId);
        const score = (id: string) => interaction(byId(previous.agentId), byId(id)).length;
        const tied = left.filter((id) => id !== next.agentId && score(id) === score(next.agentId));
        const other = tied.find((id) => byId(id).model !== byId(next.agentId).model);
        if (!other) continue;
        const loaded = new Set([byId(other).model]);
        const step = planNextStep({ ...base, seed, loadedModels: loaded }, history);
        expect(step.kind).toBe('turn');
        const chosen = (step as Extract<ActiveStep, { kind: 'turn' }>).speakerId;
        expect(loaded.has(byId(chosen).model)).toBe(true);
        expect(left).toContain(chosen);
        expect(score(chosen)).toBe(score(next.agentId));
        // The default speaker's model loaded too: the lineup's order stands.
        const both = planNextStep(
          { ...base, seed, loadedModels: new Set([...loaded, byId(next.agentId).model]) },
          history,
        );
        expect((both as Extract<ActiveStep, { kind: 'turn' }>).speakerId).toBe(next.agentId);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
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
    const step = planNextStep({ ...base, seed, loadedModels: others }, history);
    expect(step.kind).toBe('turn');
    expect((step as Extract<ActiveStep, { kind: 'turn' }>).speakerId).toBe(asked.id);
  });

  it('never changes who speaks in a round (personality coverage), only the order', () => {
    const models = [...new Set(base.cast.divergence.map((p) => p.model))];
    for (const seed of Array.from({ length: 12 }, (_, i) => `cover-${i}`)) {
      const plain = speakersByRound(divergence(seed, () => new Set()));
      const inLineups = new Set([...plain.values()].flat());
      // Models only personas outside every lineup use, plus a rotating one: whatever is loaded, the
      // speakers of each round are the lineup's.
      const outside = new Set(base.cast.divergence.filter((p) => !inLineups.has(p.id)).map((p) => p.model));
      const history = divergence(seed, (h) => new Set([...outside, models[h.length % models.length]!]));
      const rounds = speakersByRound(history);
      expect([...rounds.keys()]).toEqual([...plain.keys()]);
      for (const [round, speakers] of plain) {
        expect([...rounds.get(round)!].sort()).toEqual([...speakers].sort());
      }
      // Still no persona twice in a row.
      for (let i = 1; i < history.length; i++) expect(history[i]!.agentId).not.toBe(history[i - 1]!.agentId);
    }
  });
});
