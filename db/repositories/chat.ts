import { type Kysely, sql } from 'kysely';
import type { ChatOutboxRow, ChatPlatformName, ChatThreadRow, Database } from '../schema.ts';

/** A debate mirrored into one chat thread. */
export interface ThreadBinding {
  id: string;
  platform: ChatPlatformName;
  workspaceId: string;
  channelId: string;
  threadId: string;
  debateId: string;
  createdBy: string | null;
  createdAt: Date;
}

export function toBinding(r: ChatThreadRow): ThreadBinding {
  return {
    id: r.id,
    platform: r.platform,
    workspaceId: r.workspace_id,
    channelId: r.channel_id,
    threadId: r.thread_id,
    debateId: r.debate_id,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

export async function insertThreadBinding(
  db: Kysely<Database>,
  b: Omit<ThreadBinding, 'id' | 'createdAt'>,
): Promise<ThreadBinding> {
  const row = await db
    .insertInto('chat_threads')
    .values({
      platform: b.platform,
      workspace_id: b.workspaceId,
      channel_id: b.channelId,
      thread_id: b.threadId,
      debate_id: b.debateId,
      created_by: b.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toBinding(row);
}

export async function findBindingByThread(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  workspaceId: string,
  threadId: string,
): Promise<ThreadBinding | null> {
  const row = await db
    .selectFrom('chat_threads')
    .selectAll()
    .where('platform', '=', platform)
    .where('workspace_id', '=', workspaceId)
    .where('thread_id', '=', threadId)
    .executeTakeFirst();
  return row ? toBinding(row) : null;
}

/** The thread most recently bound to a debate in a channel (typed commands there act on it). */
export async function latestBindingInChannel(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  workspaceId: string,
  channelId: string,
): Promise<ThreadBinding | null> {
  const row = await db
    .selectFrom('chat_threads')
    .selectAll()
    .where('platform', '=', platform)
    .where('workspace_id', '=', workspaceId)
    .where('channel_id', '=', channelId)
    .orderBy('created_at', 'desc')
    .orderBy('thread_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toBinding(row) : null;
}

export async function findBindingsByDebate(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  debateId: string,
): Promise<ThreadBinding[]> {
  const rows = await db
    .selectFrom('chat_threads')
    .selectAll()
    .where('platform', '=', platform)
    .where('debate_id', '=', debateId)
    .orderBy('created_at')
    .execute();
  return rows.map(toBinding);
}

/** Bindings of the given debates plus any binding that still has undelivered posts. */
export async function bindingsToResume(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  debateIds: readonly string[],
): Promise<ThreadBinding[]> {
  const rows = await db
    .selectFrom('chat_threads')
    .selectAll()
    .where('platform', '=', platform)
    .where((eb) =>
      eb.or([
        ...(debateIds.length > 0 ? [eb('debate_id', 'in', [...debateIds])] : []),
        eb.exists(
          eb
            .selectFrom('chat_outbox')
            .select(sql`1`.as('one'))
            .whereRef('chat_outbox.thread_binding_id', '=', 'chat_threads.id')
            .where('chat_outbox.status', '=', 'pending'),
        ),
      ]),
    )
    .orderBy('created_at')
    .execute();
  return rows.map(toBinding);
}

// ── Webhooks ────────────────────────────────────────────────────────────────────────────────────

/** A stored channel webhook; `token` is a secret and must never be logged or shown. */
export interface StoredWebhook {
  webhookId: string;
  token: string;
  createdAt: Date;
}

/** Prefix of a placeholder row that reserves a channel while one process creates its webhook. */
export const WEBHOOK_CLAIM_PREFIX = 'claim:';

export async function getWebhook(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  channelId: string,
): Promise<StoredWebhook | null> {
  const row = await db
    .selectFrom('chat_webhooks')
    .select(['webhook_id', 'token', 'created_at'])
    .where('platform', '=', platform)
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  return row ? { webhookId: row.webhook_id, token: row.token, createdAt: row.created_at } : null;
}

/** Reserves the channel for `owner` to create its webhook; false when another row is there. */
export async function claimWebhookSlot(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  channelId: string,
  owner: string,
): Promise<boolean> {
  const res = await db
    .insertInto('chat_webhooks')
    .values({ platform, channel_id: channelId, webhook_id: `${WEBHOOK_CLAIM_PREFIX}${owner}`, token: '' })
    .onConflict((oc) => oc.columns(['platform', 'channel_id']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Takes over a claim left behind by a process that died before it finished. */
export async function takeOverStaleClaim(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  channelId: string,
  owner: string,
  staleBefore: Date,
): Promise<boolean> {
  const res = await db
    .updateTable('chat_webhooks')
    .set({ webhook_id: `${WEBHOOK_CLAIM_PREFIX}${owner}`, created_at: sql`now()` })
    .where('platform', '=', platform)
    .where('channel_id', '=', channelId)
    .where('webhook_id', 'like', `${WEBHOOK_CLAIM_PREFIX}%`)
    .where('created_at', '<', staleBefore)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Fills the claim of `owner` with the real webhook; false when the claim was lost meanwhile. */
export async function fulfilWebhookClaim(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  channelId: string,
  owner: string,
  webhook: { webhookId: string; token: string },
): Promise<boolean> {
  const res = await db
    .updateTable('chat_webhooks')
    .set({ webhook_id: webhook.webhookId, token: webhook.token, created_at: sql`now()` })
    .where('platform', '=', platform)
    .where('channel_id', '=', channelId)
    .where('webhook_id', '=', `${WEBHOOK_CLAIM_PREFIX}${owner}`)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Drops the stored webhook (or claim) only if it is still `webhookId`, e.g. after 10015. */
export async function deleteWebhook(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  channelId: string,
  webhookId: string,
): Promise<void> {
  await db
    .deleteFrom('chat_webhooks')
    .where('platform', '=', platform)
    .where('channel_id', '=', channelId)
    .where('webhook_id', '=', webhookId)
    .execute();
}

// ── Outbox ──────────────────────────────────────────────────────────────────────────────────────

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

/** Dedup keys already queued for a binding, to fill gaps without re-reading every row. */
export async function outboxKeys(db: Kysely<Database>, bindingId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('chat_outbox')
    .select('dedup_key')
    .where('thread_binding_id', '=', bindingId)
    .where('dedup_key', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.dedup_key!));
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
