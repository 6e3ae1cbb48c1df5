import { claimTurn } from '../../../db/repositories/debate-leases.ts';
import type { Engine } from '../engine.ts';
import { type HistoryEntry, nextTurnIndex, withEntry } from '../history.ts';
import { LABELS } from '../labels.ts';
import type { Draft } from '../message.ts';
import { messageRow } from '../message.ts';
import { planGroup } from '../plan/group.ts';
import { type ActiveStep, planNextStep } from '../plan/planner.ts';
import { toMessageView } from '../views.ts';
import { commitStep } from './commit.ts';
import { takeGroupTurns } from './group-turn.ts';
import { settleAlone } from './llm-call.ts';
import { completeRun, pauseRun } from './run-end.ts';
import { type DebateRun, modelAware, refreshRun } from './run-state.ts';
import { draftStep } from './step-call.ts';

/** How a runner's work on a debate ended. */
export type RunEnd = 'completed' | 'paused' | 'inactive' | 'lease_lost' | 'stopped' | 'not_claimed';

/**
 * One step of a debate: plan it from the committed history, claim its turn index, make the call,
 * commit the message in one transaction, then announce it. Returns the run to continue with, or
 * how the run ended.
 */
export async function takeTurn(
  engine: Engine,
  run: DebateRun,
  signal: AbortSignal,
): Promise<DebateRun | RunEnd> {
  // A turn claimed before a crash is replayed from the history it was planned on.
  const inFlight = run.session.turn_in_flight;
  const basis = inFlight === null ? run.history : run.history.filter((e) => e.turnIndex < inFlight);
  // Loaded models order a divergence round model by model (as data: the planner stays pure).
  const step = planNextStep(modelAware(engine, run), basis);
  if (step.kind === 'done') return completeRun(engine, run, step.outcome);

  const turnIndex = inFlight ?? Math.max(nextTurnIndex(run.history), run.session.next_turn);
  const reserved = await claimTurn(engine.db, {
    id: run.id,
    owner: engine.instanceId,
    now: engine.clock.now(),
    ttlMs: engine.settings.leaseMs,
    turnIndex,
    speaker: 'speakerId' in step ? step.speakerId : null,
    set: { phase: step.phase, round_number: step.round },
  });
  if (!reserved.ok) {
    // 'moved': a person's message took the index; plan again with it in the history.
    if (reserved.reason === 'moved') return refreshRun(engine, run);
    return reserved.reason === 'lease_lost' ? 'lease_lost' : 'inactive';
  }
  await announcePhase(engine, run, step, basis);
  // Verdicts and plan sections do not depend on each other: run them at once, commit them in order.
  const group = planGroup(run.plan, basis, step, turnIndex);
  if (group.length > 1) {
    return takeGroupTurns(engine, { ...run, session: reserved.session }, group, turnIndex, basis, signal);
  }

  const called =
    step.kind === 'outcome'
      ? outcomeDraft(run, step)
      : await draftStep(engine, {
          debateId: run.id,
          lang: run.lang,
          idea: run.idea,
          rounds: run.meta.rounds,
          capUsd: run.meta.budgetCapUsd,
          step,
          turnIndex,
          history: basis,
          signal,
        });
  if (!called.ok) {
    await pauseRun(engine, { ...run, session: reserved.session }, 'budget', called.refusal);
    return 'paused';
  }
  const row = messageRow({
    debateId: run.id,
    lang: run.lang,
    step,
    turnIndex,
    history: basis,
    cast: engine.cast,
    draft: called.draft,
    now: engine.clock.now(),
  });
  const usages = called.draft.usages;
  const handle = 'speakerId' in step ? engine.cast.byId.get(step.speakerId)?.handle : undefined;
  const { message, session } = await commitStep(engine, {
    session: reserved.session,
    step,
    row,
    usages,
    idea: run.idea,
    handle,
  }).catch(async (error: unknown) => {
    // The turn is lost, but its tokens were spent: record them.
    await settleAlone(engine, run.id, usages);
    throw error;
  });
  // Committed before announced: a viewer never sees a message a restart could lose.
  await engine.emit({
    type: 'message.created',
    debateId: run.id,
    message: toMessageView(message, engine.cast),
  });
  engine.statsChanged();
  if (usages.length > 0) engine.budgetChanged();
  const next = { ...run, session, history: withEntry(run.history, message) };
  if (step.kind === 'outcome') {
    await engine.note('info', `debate outcome: ${step.decision.outcome}`, {
      debateId: run.id,
      ...step.decision,
    });
    // Nothing was decided: wait for a person (resume asks the unreadable evaluators again).
    if (step.decision.outcome === 'unreadable') {
      await pauseRun(engine, next, 'evaluators_unreadable', {
        error: `${step.decision.valid} of ${step.decision.total} verdicts readable`,
      });
      return 'paused';
    }
  }
  return next;
}

function outcomeDraft(
  run: DebateRun,
  step: Extract<ActiveStep, { kind: 'outcome' }>,
): { ok: true; draft: Draft } {
  const content = LABELS[run.lang].outcomeNote(step.decision);
  return { ok: true, draft: { content, model: null, usages: [], meta: { decision: step.decision } } };
}

/** phase.changed when this step opens a phase or round (again after a restart that interrupted it: harmless). */
async function announcePhase(
  engine: Engine,
  run: DebateRun,
  step: ActiveStep,
  basis: readonly HistoryEntry[],
): Promise<void> {
  const last = [...basis].reverse().find((e) => e.authorKind !== 'human');
  if (last && last.phase === step.phase && last.round === step.round) return;
  const totalRounds = step.phase === 'divergence' ? Math.max(run.meta.rounds, step.round) : step.round;
  await engine.emit({
    type: 'phase.changed',
    debateId: run.id,
    phase: step.phase,
    round: step.round,
    totalRounds,
  });
  if (last?.phase !== step.phase) {
    await engine.note('info', `debate phase: ${step.phase}`, { debateId: run.id, round: step.round });
  }
}
