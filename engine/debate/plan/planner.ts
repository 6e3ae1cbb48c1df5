import type { DebateOutcome } from '../../../db/schema.ts';
import type { Phase, PlanSection } from '../../../personas/types.ts';
import { type HistoryEntry, isAnswered, nextTurnIndex } from '../history.ts';
import { type Cast, finalPlanAuthor, planWriters } from './cast.ts';
import { chooseTurn, type Reaction } from './dynamics.ts';
import { decideOutcome, type OutcomeDecision } from './outcome.ts';
import { nextDivergenceTurn, roundsOfCycle } from './rounds.ts';

export interface PlanContext {
  /** Seeds every choice; the debate id unless a test pins it. */
  seed: string;
  /** Idea title and summary: what expertise should be relevant to. */
  idea: string;
  rounds: number;
  cast: Cast;
  /**
   * Models the model server has loaded now (the LLM router's view of /api/ps), as data; undefined
   * when unknown (hosted APIs, offline). Known, a divergence round's speakers go model by model,
   * loaded models first (each model loaded once per phase); it never changes who is in a round's
   * lineup or overrides a person's @handle. Unknown: the lineup's order.
   */
  loadedModels?: ReadonlySet<string> | undefined;
  /** The moderator's model: the summary closes the divergence, so a model-aware round keeps it loaded. */
  moderatorModel?: string | undefined;
}

interface StepBase {
  phase: Phase;
  cycle: number;
  round: number;
  /** Turn indexes this step's message answers. */
  refs: number[];
  /** The main message answered (also in refs), or null. */
  targetTurn: number | null;
}

export type Step =
  | (StepBase & { kind: 'turn'; speakerId: string; reaction: Reaction; slot: number | null })
  | (StepBase & { kind: 'summary' })
  | (StepBase & { kind: 'verdict'; speakerId: string })
  | (StepBase & { kind: 'outcome'; decision: OutcomeDecision })
  | (StepBase & { kind: 'section'; speakerId: string; section: PlanSection })
  | (StepBase & { kind: 'final'; speakerId: string })
  | { kind: 'done'; outcome: DebateOutcome | null };

export type ActiveStep = Exclude<Step, { kind: 'done' }>;

/**
 * The next step of a debate, derived only from its committed history: the same history always
 * gives the same step, which is what makes a restart resume exactly where the debate stopped.
 * People come first: a persona asked by name answers next; otherwise the next step answers them.
 */
export function planNextStep(ctx: PlanContext, history: readonly HistoryEntry[]): Step {
  const scheduled = scheduledStep(ctx, history);
  if (scheduled.kind === 'done') return scheduled;
  const humans = history.filter((e) => e.authorKind === 'human');
  for (const human of humans) {
    const speakerId = human.answerers.find((id) => ctx.cast.byId.has(id) && !answeredBy(history, human, id));
    if (speakerId) return extraTurn(ctx, history, scheduled, human, speakerId);
  }
  const waiting = humans.find((h) => !isAnswered(history, h));
  if (!waiting || scheduled.kind === 'outcome') return scheduled;
  if (scheduled.kind === 'turn') return scheduledTurn(ctx, history, scheduled, waiting);
  return { ...scheduled, refs: [...scheduled.refs, waiting.turnIndex], targetTurn: waiting.turnIndex };
}

function answeredBy(history: readonly HistoryEntry[], human: HistoryEntry, personaId: string): boolean {
  return history.some(
    (e) => e.turnIndex > human.turnIndex && e.agentId === personaId && e.refs.includes(human.turnIndex),
  );
}

function extraTurn(
  ctx: PlanContext,
  history: readonly HistoryEntry[],
  at: ActiveStep,
  human: HistoryEntry,
  speakerId: string,
): Step {
  const choice = chooseTurn({
    seed: ctx.seed,
    turnIndex: nextTurnIndex(history),
    round: at.round,
    speaker: ctx.cast.byId.get(speakerId)!,
    discussion: [],
    personas: ctx.cast.byId,
    human,
  });
  const base = { phase: at.phase, cycle: at.cycle, round: at.round };
  return {
    ...base,
    kind: 'turn',
    speakerId,
    slot: null,
    reaction: choice.reaction,
    refs: choice.refs,
    targetTurn: human.turnIndex,
  };
}

function scheduledTurn(
  ctx: PlanContext,
  history: readonly HistoryEntry[],
  step: Extract<Step, { kind: 'turn' }>,
  human?: HistoryEntry,
): Step {
  const discussion = history.filter(
    (e) => e.phase === 'divergence' && e.step?.kind === 'turn' && e.step.cycle === step.cycle,
  );
  const previousOutcome = [...history].reverse().find((e) => e.step?.kind === 'outcome');
  const choice = chooseTurn({
    seed: ctx.seed,
    turnIndex: nextTurnIndex(history),
    round: step.round,
    speaker: ctx.cast.byId.get(step.speakerId)!,
    discussion,
    personas: ctx.cast.byId,
    human,
    fallbackTarget: previousOutcome,
  });
  return {
    ...step,
    reaction: choice.reaction,
    refs: choice.refs,
    targetTurn: choice.target?.turnIndex ?? null,
  };
}

function scheduledStep(ctx: PlanContext, history: readonly HistoryEntry[]): Step {
  const outcomes = history.flatMap((e) => (e.step?.kind === 'outcome' ? [{ entry: e, tag: e.step }] : []));
  // An unreadable outcome decided nothing: its cycle goes on (its evaluators are asked again).
  const decided = outcomes.filter((o) => o.tag.outcome !== 'unreadable');
  const last = decided.at(-1);
  if (last?.tag.outcome === 'rejected') return { kind: 'done', outcome: 'rejected' };
  if (last?.tag.outcome === 'selected') return planningStep(ctx, history, last.entry);
  const cycle = decided.length + 1;

  const turn = nextDivergenceTurn(ctx, history, cycle);
  if (turn) {
    const base = {
      phase: 'divergence' as const,
      cycle,
      refs: [],
      targetTurn: null,
      reaction: 'propose' as const,
    };
    return scheduledTurn(ctx, history, { ...base, kind: 'turn', ...turn });
  }
  const rounds = roundsOfCycle(ctx.rounds, cycle);
  const lastRound = rounds[rounds.length - 1]!;
  if (!history.some((e) => e.step?.kind === 'summary' && e.step.cycle === cycle)) {
    return { kind: 'summary', phase: 'divergence', cycle, round: lastRound, refs: [], targetTurn: null };
  }

  const summary = history.find((e) => e.step?.kind === 'summary' && e.step.cycle === cycle)!;
  const verdicts = latestVerdicts(history, cycle);
  const base = { phase: 'convergence' as const, cycle, round: cycle };
  const evaluator = ctx.cast.convergence.find((p) => !verdicts.has(p.id));
  if (evaluator) {
    return {
      ...base,
      kind: 'verdict',
      speakerId: evaluator.id,
      refs: [summary.turnIndex],
      targetTurn: summary.turnIndex,
    };
  }
  const counted = ctx.cast.convergence.flatMap((p) => verdicts.get(p.id) ?? []);
  const decision = decideOutcome(
    counted.map((v) => v.verdict),
    cycle,
  );
  return { ...base, kind: 'outcome', decision, refs: counted.map((v) => v.turnIndex), targetTurn: null };
}

/**
 * The verdict that counts for each evaluator in a cycle: its latest. An unreadable verdict given
 * before the cycle's latest unreadable outcome was already judged unreadable, so that evaluator is
 * asked again (it is missing from the map); readable verdicts stand.
 */
function latestVerdicts(history: readonly HistoryEntry[], cycle: number): Map<string, HistoryEntry> {
  const retryFrom =
    history.findLast(
      (e) => e.step?.kind === 'outcome' && e.step.cycle === cycle && e.step.outcome === 'unreadable',
    )?.turnIndex ?? -1;
  const latest = new Map<string, HistoryEntry>();
  for (const e of history) {
    if (e.step?.kind !== 'verdict' || e.step.cycle !== cycle) continue;
    if (e.verdict === null && e.turnIndex < retryFrom) continue;
    latest.set(e.agentId, e);
  }
  return latest;
}

function planningStep(ctx: PlanContext, history: readonly HistoryEntry[], outcome: HistoryEntry): Step {
  const base = {
    phase: 'planning' as const,
    cycle: outcome.step?.kind === 'outcome' ? outcome.step.cycle : 1,
    round: 1,
  };
  const written = history.filter((e) => e.step?.kind === 'section');
  const done = (id: string, section: PlanSection) =>
    written.some((e) => e.agentId === id && e.step?.kind === 'section' && e.step.section === section);
  const next = planWriters(ctx.cast).find(({ persona, section }) => !done(persona.id, section));
  if (next) {
    const { persona, section } = next;
    return {
      ...base,
      kind: 'section',
      speakerId: persona.id,
      section,
      refs: [outcome.turnIndex],
      targetTurn: outcome.turnIndex,
    };
  }
  const author = finalPlanAuthor(ctx.cast);
  if (author && !history.some((e) => e.step?.kind === 'final')) {
    const refs = written.map((e) => e.turnIndex);
    return { ...base, kind: 'final', speakerId: author.id, refs, targetTurn: null };
  }
  return { kind: 'done', outcome: 'selected' };
}
