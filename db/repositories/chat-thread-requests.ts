import { type Kysely, sql } from 'kysely';
import type { ChatPlatformName, Database } from '../schema.ts';

/** A thread to open for a debate, on a channel of a platform only bot processes reach. */
export interface ThreadRequest {
  id: string;
  platform: ChatPlatformName;
  workspaceId: string;
  channelId: string;
  title: string;
  debateId: string;
  createdBy: string | null;
  /** Tries so far, this one included. */
  attempts: number;
}

/** Records the request; meant for the transaction that creates the debate (engine `withinCreation`). */
export async function requestThread(
  trx: Kysely<Database>,
  r: Omit<ThreadRequest, 'id' | 'attempts'>,
): Promise<void> {
  await trx
    .insertInto('chat_thread_requests')
    .values({
      platform: r.platform,
      workspace_id: r.workspaceId,
      channel_id: r.channelId,
      title: r.title.slice(0, 200),
      debate_id: r.debateId,
      created_by: r.createdBy,
    })
    .execute();
}

const leaseUntil = (ms: number) => sql<Date>`now() + ${ms} * interval '1 millisecond'`;

/**
 * Takes pending requests of a platform that nobody is trying now (or whose try ran out), oldest
 * first. Rows another process is claiming at this moment are skipped, not waited for: two bot
 * processes never take the same request.
 */
export async function claimThreadRequests(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  owner: string,
  opts: { leaseMs: number; limit: number },
): Promise<ThreadRequest[]> {
  const rows = await db
    .updateTable('chat_thread_requests')
    .set((eb) => ({
      claimed_by: owner,
      claimed_until: leaseUntil(opts.leaseMs),
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('chat_thread_requests')
        .select('id')
        .where('platform', '=', platform)
        .where('status', '=', 'pending')
        .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', sql<Date>`now()`)]))
        .orderBy('created_at')
        .limit(opts.limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
  return rows.map((r) => ({
    id: r.id,
    platform: r.platform,
    workspaceId: r.workspace_id,
    channelId: r.channel_id,
    title: r.title,
    debateId: r.debate_id,
    createdBy: r.created_by,
    attempts: r.attempts,
  }));
}

/**
 * Marks the request done with its thread, only while `owner` still holds it; false otherwise (its
 * try ran out and another process took it). Meant for the transaction that writes the binding.
 */
export async function completeThreadRequest(
  trx: Kysely<Database>,
  id: string,
  owner: string,
  threadId: string,
): Promise<boolean> {
  const row = await trx
    .updateTable('chat_thread_requests')
    .set({ status: 'done', thread_id: threadId, claimed_until: null, last_error: null })
    .where('id', '=', id)
    .where('claimed_by', '=', owner)
    .where('status', '=', 'pending')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** A failed try: again after `retryInMs`, or `failed` for good when that is null. */
export async function failThreadRequest(
  db: Kysely<Database>,
  id: string,
  owner: string,
  error: string,
  retryInMs: number | null,
): Promise<void> {
  await db
    .updateTable('chat_thread_requests')
    .set({
      last_error: error.slice(0, 1000),
      claimed_by: null,
      claimed_until: retryInMs === null ? null : leaseUntil(retryInMs),
      ...(retryInMs === null ? { status: 'failed' as const } : {}),
    })
    .where('id', '=', id)
    .where('claimed_by', '=', owner)
    .execute();
}
