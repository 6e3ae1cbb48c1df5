import { type Kysely, sql } from 'kysely';
import type { ChatPlatformName, ChatThreadRow, Database } from '../schema.ts';

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
