import { type Kysely, sql } from 'kysely';
import type { Database, PlanRow } from '../schema.ts';

/** Plan columns a planner's section lands in. */
export const SECTION_COLUMNS = {
  prd: 'prd_content',
  architecture: 'architecture_content',
  user_research: 'user_research_content',
  business_model: 'business_model_content',
  project_plan: 'project_plan_content',
} as const;

export type SectionColumn = (typeof SECTION_COLUMNS)[keyof typeof SECTION_COLUMNS];

export function getPlanByDebate(db: Kysely<Database>, debateId: string): Promise<PlanRow | undefined> {
  return db
    .selectFrom('plans')
    .selectAll()
    .where('debate_session_id', '=', debateId)
    .orderBy('version', 'desc')
    .executeTakeFirst();
}

/**
 * Appends a planner's text to a section of the debate's plan (after a rule), creating the draft plan on the
 * first section. Callers hold the debate's row lock (the turn transaction), so there is one plan.
 */
export async function appendPlanSection(
  db: Kysely<Database>,
  p: { debateId: string; ideaId: string; title: string; column: SectionColumn; text: string; now: Date },
): Promise<PlanRow> {
  const existing = await getPlanByDebate(db, p.debateId);
  if (!existing) {
    return db
      .insertInto('plans')
      .values({
        idea_id: p.ideaId,
        debate_session_id: p.debateId,
        title: p.title,
        [p.column]: p.text,
        created_at: p.now,
        updated_at: p.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  return db
    .updateTable('plans')
    .set({
      [p.column]: sql`case when ${sql.ref(p.column)} is null then ${p.text} else ${sql.ref(p.column)} || ${'\n\n---\n\n'} || ${p.text} end`,
      updated_at: p.now,
    })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Stores the composed final plan and marks the plan final. */
export async function setFinalPlan(
  db: Kysely<Database>,
  p: { debateId: string; ideaId: string; title: string; text: string; now: Date },
): Promise<PlanRow> {
  const existing = await getPlanByDebate(db, p.debateId);
  if (!existing) {
    return db
      .insertInto('plans')
      .values({
        idea_id: p.ideaId,
        debate_session_id: p.debateId,
        title: p.title,
        final_plan: p.text,
        status: 'final',
        created_at: p.now,
        updated_at: p.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  return db
    .updateTable('plans')
    .set({ final_plan: p.text, status: 'final', updated_at: p.now })
    .where('id', '=', existing.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
