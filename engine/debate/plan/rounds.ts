import { PARTICIPANTS_PER_ROUND, REFINEMENT_ROUNDS } from '../../constants.ts';
import type { HistoryEntry } from '../history.ts';
import type { Cast } from './cast.ts';
import { chooseLineup, nextInLineup } from './lineup.ts';
import type { PlanContext } from './planner.ts';

// Divergence scheduling: which rounds a cycle has, who speaks in each, and who speaks next.

/** Who speaks next in the divergence of a cycle, in which round and lineup slot; null when its rounds are over. */
export function nextDivergenceTurn(
  ctx: PlanContext,
  history: readonly HistoryEntry[],
  cycle: number,
): { round: number; speakerId: string; slot: number } | null {
  const turns = history.flatMap((e) =>
    e.phase === 'divergence' && e.step?.kind === 'turn' ? [{ e, tag: e.step }] : [],
  );
  const lastPersona = [...history].reverse().find((e) => e.authorKind === 'persona')?.agentId;
  const rounds = lineups(ctx, history, cycle);
  for (const [i, { round, lineup }] of rounds.entries()) {
    // A round is over once anything later was committed, whatever is left of its lineup.
    const closed =
      turns.some(({ tag }) => tag.round > round) ||
      history.some((e) => e.step?.kind === 'summary' && e.step.round >= round);
    if (closed) continue;
    const spoken = new Set(turns.filter(({ tag }) => tag.round === round).map(({ e }) => e.agentId));
    // No persona twice in a row; one who just answered a person has had their say this round.
    const open = lineup.filter((id) => !spoken.has(id) && id !== lastPersona);
    if (open.length === 0) continue;
    // With a local model server, the round goes model by model (never another lineup).
    const speakerId = nextInLineup({
      open: open.map((id) => ctx.cast.byId.get(id)!),
      loadedModels: ctx.loadedModels,
      laterModels: laterModels(ctx, rounds.slice(i + 1)),
    }).id;
    return { round, speakerId, slot: lineup.indexOf(speakerId) };
  }
  return null;
}

/** Models the divergence needs after the current round: the later rounds' speakers, then the summary's. */
function laterModels(ctx: PlanContext, later: readonly RoundLineup[]): Set<string> {
  const models = new Set(later.flatMap(({ lineup }) => lineup.map((id) => ctx.cast.byId.get(id)!.model)));
  if (ctx.moderatorModel) models.add(ctx.moderatorModel);
  return models;
}

type RoundLineup = { readonly round: number; readonly lineup: readonly string[] };

// Every step plans again from the committed history, but a cycle's lineups depend only on the seed,
// the idea, the round count, the cast and the evaluators' concerns of earlier cycles: they are
// chosen once per those, not at every step of every debate (chooseLineup and its scoring were ~8%
// of the process's CPU at 100 debates). Bounded, oldest dropped first: a few hundred bytes each.
const LINEUP_MEMO_SIZE = 1024;
const lineupMemo = new WeakMap<Cast, Map<string, readonly RoundLineup[]>>();

/** Lineups of this cycle's rounds, each depending on the ones of every round before it. */
function lineups(ctx: PlanContext, history: readonly HistoryEntry[], cycle: number): readonly RoundLineup[] {
  const texts = [ctx.idea];
  for (let c = 2; c <= cycle; c++) texts.push(`${ctx.idea}\n${concerns(history, c - 1)}`);
  let memo = lineupMemo.get(ctx.cast);
  if (!memo) {
    memo = new Map();
    lineupMemo.set(ctx.cast, memo);
  }
  const key = [ctx.seed, ctx.rounds, ...texts].join('\u0000');
  const known = memo.get(key);
  if (known) return known;
  const chosen = chooseLineups(ctx, texts);
  if (memo.size >= LINEUP_MEMO_SIZE) memo.delete(memo.keys().next().value!);
  memo.set(key, chosen);
  return chosen;
}

/** Chooses the lineups of every cycle's rounds in turn (`relevanceTexts[c - 1]` for cycle c); returns the last cycle's. */
function chooseLineups(ctx: PlanContext, relevanceTexts: readonly string[]): RoundLineup[] {
  const out: RoundLineup[] = [];
  const spokenBefore = new Set<string>();
  let previousLast: string | null = null;
  for (const [i, relevanceText] of relevanceTexts.entries()) {
    const c = i + 1;
    for (const round of roundsOfCycle(ctx.rounds, c)) {
      const lineup = chooseLineup({
        seed: ctx.seed,
        relevanceText,
        candidates: ctx.cast.divergence,
        size: PARTICIPANTS_PER_ROUND,
        round,
        spokenBefore,
        previousLast,
      });
      if (c === relevanceTexts.length) out.push({ round, lineup });
      for (const id of lineup) spokenBefore.add(id);
      previousLast = lineup.at(-1) ?? previousLast;
    }
  }
  return out;
}

/** The evaluators' risks and conditions of a cycle: what a refinement round must address. */
function concerns(history: readonly HistoryEntry[], cycle: number): string {
  return history
    .filter((e) => e.step?.kind === 'verdict' && e.step.cycle === cycle && e.verdict)
    .flatMap((e) => [...e.verdict!.risks, ...e.verdict!.conditions])
    .join('\n');
}

/** Divergence rounds of a cycle: 1..rounds first, then the refinement rounds numbered after them. */
export function roundsOfCycle(rounds: number, cycle: number): number[] {
  const count = cycle === 1 ? rounds : REFINEMENT_ROUNDS;
  const first = cycle === 1 ? 1 : rounds + (cycle - 2) * REFINEMENT_ROUNDS + 1;
  return Array.from({ length: count }, (_, i) => first + i);
}
