import { type Kysely, sql } from 'kysely';
import type { ChatOutboxRow, ChatPlatformName, Database } from '../schema.ts';

// A thread's posts, one row each, delivered in `seq` order and retried until the platform has them
// (filled from the committed log by bot/delivery/projector.ts).

export interface OutboxEntry {
  id: string;
  seq: number;
  bindingId: string;
  debateId: string;
  messageId: string | null;
  kind: string;
  dedupKey: string | null;
  payload: Record<string, unknown>;
  status: ChatOutboxRow['status'];
  /** Ids of the posts already made for this entry, in order (several when the text was split). */
  remoteIds: string[];
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
}

function toEntry(r: ChatOutboxRow): OutboxEntry {
  return {
    id: r.id,
    seq: Number(r.seq),
    bindingId: r.thread_binding_id,
    debateId: r.debate_id,
    messageId: r.message_id,
    kind: r.kind,
    dedupKey: r.dedup_key,
    payload: r.payload ?? {},
    status: r.status,
    remoteIds: r.remote_id ? r.remote_id.split(',') : [],
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
  };
}

export interface NewOutboxEntry {
  bindingId: string;
  platform: ChatPlatformName;
  debateId: string;
  messageId?: string | null;
  kind: string;
  dedupKey: string;
  payload: Record<string, unknown>;
}

/** Adds a post unless one with the same message or dedup key exists; true when it was added. */
export async function enqueueOutbox(db: Kysely<Database>, e: NewOutboxEntry): Promise<boolean> {
  const res = await db
    .insertInto('chat_outbox')
    .values({
      thread_binding_id: e.bindingId,
      platform: e.platform,
      debate_id: e.debateId,
      message_id: e.messageId ?? null,
      kind: e.kind,
      dedup_key: e.dedupKey,
      payload: e.payload,
    })
    // Either unique index (message or dedup key) makes this a no-op: a post is queued once.
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The next undelivered post of a binding, in queue order. */
export async function nextPendingOutbox(
  db: Kysely<Database>,
  bindingId: string,
): Promise<OutboxEntry | null> {
  const row = await db
    .selectFrom('chat_outbox')
    .selectAll()
    .where('status', '=', 'pending')
    .where('thread_binding_id', '=', bindingId)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return row ? toEntry(row) : null;
}

export async function listOutbox(db: Kysely<Database>, bindingId: string): Promise<OutboxEntry[]> {
  const rows = await db
    .selectFrom('chat_outbox')
    .selectAll()
    .where('thread_binding_id', '=', bindingId)
    .orderBy('seq')
    .execute();
  return rows.map(toEntry);
}

/** Remote ids of the most recent posts of a binding (sent or partly sent), newest rows first. */
export async function recentRemoteIds(
  db: Kysely<Database>,
  bindingId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('chat_outbox')
    .select('remote_id')
    .where('thread_binding_id', '=', bindingId)
    .where('remote_id', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.flatMap((r) => r.remote_id!.split(','));
}

/** Records the posts made so far for an entry whose text is split over several posts. */
export async function recordOutboxProgress(
  db: Kysely<Database>,
  id: string,
  remoteIds: string[],
): Promise<void> {
  await db
    .updateTable('chat_outbox')
    .set({ remote_id: remoteIds.join(',') })
    .where('id', '=', id)
    .execute();
}

export async function markOutboxSent(
  db: Kysely<Database>,
  id: string,
  remoteIds: string[],
  at: Date,
  /** A streaming preview that became this row's post: untracked in the same statement, so a crash
   * can never leave it tracked (and removed as leftover at restart) after the row says it was sent. */
  preview?: { bindingId: string; remoteId: string },
): Promise<void> {
  const sent = { status: 'sent', remote_id: remoteIds.join(','), sent_at: at, last_error: null } as const;
  if (!preview) {
    await db.updateTable('chat_outbox').set(sent).where('id', '=', id).execute();
    return;
  }
  await db
    .with('untracked', (w) =>
      w
        .deleteFrom('chat_previews')
        .where('thread_binding_id', '=', preview.bindingId)
        .where('remote_id', '=', preview.remoteId),
    )
    .updateTable('chat_outbox')
    .set(sent)
    .where('id', '=', id)
    .execute();
}

export async function markOutboxRetry(
  db: Kysely<Database>,
  id: string,
  r: { attempts: number; error: string; nextAttemptAt: Date },
): Promise<void> {
  await db
    .updateTable('chat_outbox')
    .set({ attempts: r.attempts, last_error: r.error.slice(0, 500), next_attempt_at: r.nextAttemptAt })
    .where('id', '=', id)
    .execute();
}

export async function markOutboxFailed(db: Kysely<Database>, id: string, error: string): Promise<void> {
  await db
    .updateTable('chat_outbox')
    .set({ status: 'failed', last_error: error.slice(0, 500) })
    .where('id', '=', id)
    .execute();
}

/** The entry that made a given remote post (e.g. the persona message a person replied to). */
export async function findOutboxByRemoteId(
  db: Kysely<Database>,
  bindingId: string,
  remoteId: string,
): Promise<OutboxEntry | null> {
  const row = await db
    .selectFrom('chat_outbox')
    .selectAll()
    .where('thread_binding_id', '=', bindingId)
    .where(sql<boolean>`${remoteId} = any(string_to_array(remote_id, ','))`)
    .executeTakeFirst();
  return row ? toEntry(row) : null;
}
