import { type Kysely, sql } from 'kysely';
import type { AgentStateRow, Database } from '../schema.ts';

/**
 * Every persona's counters and whether it is speaking now. The counters are folded from committed
 * turns in batches (foldTurnStats); "speaking now" is derived from the turns in flight, so no
 * per-turn write keeps either up to date.
 */
export async function listAgentStates(db: Kysely<Database>): Promise<AgentStateRow[]> {
  const { rows } = await sql<AgentStateRow>`
    with speaking as (
      select distinct on (s.turn_speaker) s.turn_speaker as id, i.title as task, s.updated_at as since
      from debate_sessions s join ideas i on i.id = s.idea_id
      where s.turn_speaker is not null and s.turn_in_flight is not null and s.status = 'active'
      order by s.turn_speaker, s.updated_at desc
    )
    select coalesce(a.id, sp.id) as id, coalesce(a.name, sp.id) as name,
      case when sp.id is null then 'idle' else 'active' end as status,
      sp.task as current_task,
      greatest(a.last_active_at, sp.since) as last_active_at,
      coalesce(a.total_messages, 0) as total_messages, coalesce(a.total_tokens, 0) as total_tokens,
      a.metadata, coalesce(a.created_at, sp.since) as created_at, coalesce(a.updated_at, sp.since) as updated_at
    from agent_states a full join speaking sp on sp.id = a.id
    order by 1
  `.execute(db);
  return rows;
}
