import { type Kysely, sql } from 'kysely';
import type { Database, DebateMessageRow, NewDebateMessage } from '../schema.ts';

export function insertMessage(db: Kysely<Database>, row: NewDebateMessage): Promise<DebateMessageRow> {
  return db.insertInto('debate_messages').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A debate's messages in turn order, optionally only those after a turn (the seed's `get_session_messages`). */
export function listMessages(
  db: Kysely<Database>,
  sessionId: string,
  opts: { afterTurn?: number } = {},
): Promise<DebateMessageRow[]> {
  let q = db.selectFrom('debate_messages').selectAll().where('session_id', '=', sessionId);
  if (opts.afterTurn !== undefined) q = q.where('turn_index', '>', opts.afterTurn);
  return q.orderBy('turn_index').execute();
}

/** Highest committed turn index of a debate, -1 when it has none. */
export async function maxTurnIndex(db: Kysely<Database>, sessionId: string): Promise<number> {
  const row = await db
    .selectFrom('debate_messages')
    .select(sql<number | null>`max(turn_index)`.as('max'))
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return row?.max ?? -1;
}

/** A persona's (or person's) latest message in a debate. */
export function latestMessageBy(
  db: Kysely<Database>,
  sessionId: string,
  agentId: string,
): Promise<DebateMessageRow | undefined> {
  return db
    .selectFrom('debate_messages')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('agent_id', '=', agentId)
    .orderBy('turn_index', 'desc')
    .executeTakeFirst();
}
