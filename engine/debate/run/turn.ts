import type { Engine } from '../engine.ts';
import { type HistoryEntry, nextTurnIndex } from '../history.ts';
import { planGroup } from '../plan/group.ts';
import { type ActiveStep, planNextStep } from '../plan/planner.ts';
import { holdFor } from './llm-call.ts';
import { completeRun, pauseRun } from './run-end.ts';
import { type DebateRun, modelAware, type RunEnd, refreshRun } from './run-state.ts';
import { stepRequest } from './step-call.ts';
import { claimStep, takeSteps } from './take-steps.ts';

export type { RunEnd } from './run-state.ts';

/**
 * One turn of a debate: plan its step from the committed history, build its prompt, claim its turn
 * index and hold the call's budget in one statement, then make the call and commit the message in
 * one more (takeSteps; with the independent steps that follow it, if any, whose calls the same
 * claim holds). Returns the run to continue with, or how the run ended.
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
  // Verdicts and plan sections do not depend on each other: run them at once, commit them in order.
  const group = planGroup(run.plan, basis, step, turnIndex);
  const steps = group.length > 1 ? group : [step];
  // Their prompts are built before the claim, which holds all their first calls' estimates too.
  const requests = steps.map((s, i) =>
    s.kind === 'outcome'
      ? undefined
      : stepRequest(engine, {
          step: s,
          lang: run.lang,
          idea: run.idea,
          rounds: run.meta.rounds,
          history: basis,
          turnIndex: turnIndex + i,
        }),
  );
  const holds = requests.map((r) => r && holdFor(engine, { ...r, capUsd: run.meta.budgetCapUsd }));
  const claimed = await claimStep(engine, run.id, step, turnIndex, holds);
  // 'moved': a person's message took the index; plan again with it in the history.
  if (claimed === 'moved') return refreshRun(engine, run);
  if (typeof claimed === 'string') return claimed;
  await announcePhase(engine, run, step, basis);
  const prepared = requests.map((request, i) => request && { request, held: claimed.held[i] });
  const next = await takeSteps(
    engine,
    { ...run, session: claimed.session },
    steps,
    turnIndex,
    basis,
    signal,
    prepared,
  );
  if (step.kind === 'outcome' && typeof next !== 'string') {
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
