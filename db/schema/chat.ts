import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from './columns.ts';

// The neutral bot core's tables: threads and their requests, previews, webhooks, the outbox, gateway
// leaders.

export type ChatPlatformName = 'discord' | 'slack';

/** A thread a bot process is asked to open for a debate (written with the debate, by a worker). */
export interface ChatThreadRequestsTable {
  id: Generated<string>;
  platform: ChatPlatformName;
  workspace_id: string;
  channel_id: string;
  title: string;
  debate_id: string;
  created_by: string | null;
  status: ColumnType<'pending' | 'done' | 'failed', 'pending' | 'done' | 'failed' | undefined>;
  thread_id: ColumnType<string | null, string | null | undefined, string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  claimed_by: ColumnType<string | null, string | null | undefined, string | null>;
  claimed_until: NullableTimestamp;
  created_at: Generated<Date>;
}

/** A debate mirrored into a chat thread. */
export interface ChatThreadsTable {
  id: Generated<string>;
  platform: ChatPlatformName;
  workspace_id: string;
  channel_id: string;
  thread_id: string;
  debate_id: string;
  created_by: string | null;
  created_at: Timestamp;
  /** Last turn of the debate taken into this thread's outbox (-1: none yet). */
  cursor_turn: ColumnType<number, number | undefined, number>;
  /** Banner key of that turn, so the next turn knows whether it opens a new phase or round. */
  last_banner: ColumnType<string | null, string | null | undefined, string | null>;
  /** Process that delivers this thread now, and until when its lease holds. */
  delivery_owner: ColumnType<string | null, string | null | undefined, string | null>;
  delivery_until: NullableTimestamp;
  /** Commit number of the last debate notice taken into this thread's outbox (-1: none yet). */
  notice_seq: ColumnType<number, number | undefined, number>;
}

/** A streaming preview on screen: removed when its message is delivered or after a restart. */
export interface ChatPreviewsTable {
  id: Generated<string>;
  thread_binding_id: string;
  turn_index: number;
  remote_id: string;
  /** Posted through an identity (webhook) rather than as the bot itself. */
  by_identity: boolean;
  created_at: Generated<Date>;
}

/** One webhook per parent channel; `token` is a secret and never leaves the server. */
export interface ChatWebhooksTable {
  platform: ChatPlatformName;
  channel_id: string;
  webhook_id: string;
  token: string;
  created_at: Timestamp;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** One row per chat post: delivered in `seq` order per thread, retried until the platform has it. */
export interface ChatOutboxTable {
  id: Generated<string>;
  seq: Generated<string>;
  thread_binding_id: string;
  platform: ChatPlatformName;
  debate_id: string;
  /** The debate message this post carries, or null for banners and notices. */
  message_id: string | null;
  kind: string;
  payload: Json;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  /** Remote ids of the posted message(s), comma-separated when a long message was split. */
  remote_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  next_attempt_at: Timestamp;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  /** Per-binding idempotency key of the post (`msg:<id>`, `banner:<phase>:<round>`, …). */
  dedup_key: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The process holding a chat platform's gateway/socket, and until when its lease holds. */
export interface PlatformLeadersTable {
  platform: string;
  owner: string | null;
  lease_until: NullableTimestamp;
  since: ColumnType<Date, Date | undefined, Date>;
}

export type ChatThreadRow = Selectable<ChatThreadsTable>;
export type ChatWebhookRow = Selectable<ChatWebhooksTable>;
export type ChatOutboxRow = Selectable<ChatOutboxTable>;
