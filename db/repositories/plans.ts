import { type Kysely, type RawBuilder, sql } from 'kysely';
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

/** What a turn writes into its debate's plan: a planner's section (appended after a rule) or the final plan. */
export type PlanWrite =
  | { kind: 'section'; ideaId: string; title: string; column: SectionColumn; text: string }
  | { kind: 'final'; ideaId: string; title: string; text: string };

export function getPlanByDebate(db: Kysely<Database>, debateId: string): Promise<PlanRow | undefined> {
  return db
    .selectFrom('plans')
    .selectAll()
    .where('debate_session_id', '=', debateId)
    .orderBy('version', 'desc')
    .executeTakeFirst();
}

const RULE = '\n\n---\n\n';

/**
 * The plan write as one upsert on the debate's plan (plans.debate_session_id is unique), to run
 * inside a turn's commit statement: the first section creates the draft plan, later ones append to
 * their column after a rule, the final plan marks it final. `source` is the `from …` clause that
 * gates it (the commit's fenced debate update), so nothing is written when the lease was lost.
 */
export function planUpsert(
  p: PlanWrite & { debateId: string; now: Date },
  source: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const now = p.now.toISOString();
  const column = p.kind === 'section' ? p.column : 'final_plan';
  const status = p.kind === 'final' ? 'final' : 'draft';
  const col = sql.ref(column);
  const update =
    p.kind === 'section'
      ? sql`${col} = case when pl.${col} is null then excluded.${col} else pl.${col} || ${RULE} || excluded.${col} end`
      : sql`final_plan = excluded.final_plan, status = 'final'`;
  return sql`insert into plans as pl (idea_id, debate_session_id, title, ${col}, status, created_at, updated_at)
    select ${p.ideaId}::uuid, ${p.debateId}::uuid, ${p.title}, ${p.text}, ${status},
      ${now}::timestamptz, ${now}::timestamptz
    ${source}
    on conflict (debate_session_id) do update set ${update}, updated_at = excluded.updated_at`;
}
