import type { Persona } from '../../../personas/types.ts';
import type { HistoryEntry } from '../history.ts';
import { stepEntry } from '../message.ts';
import { type Cast, finalPlanAuthor, planWriters } from './cast.ts';
import { type ActiveStep, type PlanContext, planNextStep } from './planner.ts';

/** A step that does not depend on its siblings: a verdict of one cycle, a plan section. */
export type GroupStep = Extract<ActiveStep, { kind: 'verdict' | 'section' }>;

/**
 * The independent steps that follow `first`, in the order the planner gives them (which is the order
 * they are committed and read): every remaining verdict of the cycle, or every remaining plan
 * section. Each is planned as if the ones before it were committed, so a person's @handle or reply
 * that the planner puts first still comes first (it ends the group).
 */
export function planGroup(
  ctx: PlanContext,
  basis: readonly HistoryEntry[],
  first: ActiveStep,
  firstIndex: number,
): GroupStep[] {
  if (first.kind !== 'verdict' && first.kind !== 'section') return [];
  const steps: GroupStep[] = [first];
  const history = [...basis, stepEntry(first, firstIndex, { id: `pending:${firstIndex}` })];
  for (;;) {
    const next = planNextStep(ctx, history);
    if (next.kind !== first.kind || next.phase !== first.phase || next.cycle !== first.cycle) break;
    steps.push(next);
    const turnIndex = firstIndex + steps.length - 1;
    history.push(stepEntry(next, turnIndex, { id: `pending:${turnIndex}` }));
  }
  return steps;
}

/**
 * Models this debate will call after `step` (a keep_alive hint for the router): the rest of the
 * phase's speakers and the next phase's, so a model the debate still needs is not released.
 */
export function upcomingModels(cast: Cast, step: ActiveStep, moderatorModel: string): string[] {
  const models = (personas: readonly Persona[]) => personas.map((p) => p.model);
  const final = finalPlanAuthor(cast);
  const planning = [...models(planWriters(cast).map((w) => w.persona)), ...(final ? [final.model] : [])];
  let next: string[];
  switch (step.kind) {
    case 'turn':
      next = [...models(cast.divergence), moderatorModel];
      break;
    case 'summary':
      next = models(cast.convergence);
      break;
    case 'verdict':
    case 'outcome':
      next = [...models(cast.convergence), ...planning];
      break;
    case 'section':
      next = planning;
      break;
    default:
      next = [];
  }
  return [...new Set(next)];
}
