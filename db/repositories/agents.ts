import { type Kysely, sql } from 'kysely';
import type { AgentStateRow, Database } from '../schema.ts';

/** Marks a persona as speaking now, on what. */
export async function markAgentActive(
  db: Kysely<Database>,
  p: { id: string; name: string; task: string; now: Date },
): Promise<void> {
  await db
    .insertInto('agent_states')
    .values({
      id: p.id,
      name: p.name,
      status: 'active',
      current_task: p.task,
      last_active_at: p.now,
      updated_at: p.now,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        name: p.name,
        status: 'active',
        current_task: p.task,
        last_active_at: p.now,
        updated_at: p.now,
      }),
    )
    .execute();
}

/** Counts a committed message for a persona and marks it idle again. */
export async function recordAgentMessage(
  db: Kysely<Database>,
  p: { id: string; name: string; tokens: number; now: Date },
): Promise<void> {
  await db
    .insertInto('agent_states')
    .values({
      id: p.id,
      name: p.name,
      status: 'idle',
      last_active_at: p.now,
      total_messages: 1,
      total_tokens: p.tokens,
      updated_at: p.now,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        name: p.name,
        status: 'idle',
        current_task: null,
        last_active_at: p.now,
        total_messages: sql`agent_states.total_messages + 1`,
        total_tokens: sql`agent_states.total_tokens + ${p.tokens}`,
        updated_at: p.now,
      }),
    )
    .execute();
}

/** Marks a persona idle without counting a message (its turn was abandoned). */
export async function markAgentIdle(db: Kysely<Database>, p: { id: string; now: Date }): Promise<void> {
  await db
    .updateTable('agent_states')
    .set({ status: 'idle', current_task: null, updated_at: p.now })
    .where('id', '=', p.id)
    .execute();
}

export function listAgentStates(db: Kysely<Database>): Promise<AgentStateRow[]> {
  return db.selectFrom('agent_states').selectAll().orderBy('id').execute();
}
