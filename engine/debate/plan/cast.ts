import type { Persona, PlanSection } from '../../../personas/types.ts';
import { PLAN_SECTIONS } from '../history.ts';

/** The catalog split by the phase each persona speaks in, plus a lookup by id. */
export interface Cast {
  divergence: readonly Persona[];
  convergence: readonly Persona[];
  planning: readonly Persona[];
  byId: ReadonlyMap<string, Persona>;
  byHandle: ReadonlyMap<string, Persona>;
  all: readonly Persona[];
}

export function createCast(personas: readonly Persona[]): Cast {
  return {
    divergence: personas.filter((p) => p.phase === 'divergence'),
    convergence: personas.filter((p) => p.phase === 'convergence'),
    planning: personas.filter((p) => p.phase === 'planning'),
    byId: new Map(personas.map((p) => [p.id, p])),
    byHandle: new Map(personas.map((p) => [p.handle.toLowerCase(), p])),
    all: personas,
  };
}

/** Plan writers in order: sections as the plan reads (PRD first), catalog order within a section. */
export function planWriters(cast: Cast): Array<{ persona: Persona; section: PlanSection }> {
  return PLAN_SECTIONS.flatMap((section) =>
    cast.planning.filter((p) => p.planSection === section).map((persona) => ({ persona, section })),
  );
}

/** Who composes the final plan: a planner without a section of their own, else the first planner (the CPO). */
export function finalPlanAuthor(cast: Cast): Persona | undefined {
  return cast.planning.find((p) => p.planSection === undefined) ?? cast.planning[0];
}
