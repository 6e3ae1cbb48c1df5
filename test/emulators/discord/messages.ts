import { type EmulatorContext, Intent } from './context.ts';
import { apiError, ErrorCode, invalidFormBody, type Reply } from './discord-errors.ts';
import { channelJson, messageJson } from './serialize.ts';
import type { SpecIssue } from './spec-validator.ts';
import type { EmuUser, StoredAttachment, StoredFile, StoredMessage } from './types.ts';

export const EPHEMERAL = 64;
export const LOADING = 128;

/** What creating a message needs; bodies arrive in Discord's snake_case and are mapped by callers. */
export interface MessageInput {
  channelId: string;
  author: EmuUser;
  content?: string | null;
  embeds?: unknown[] | null;
  /** The body's `attachments` array (ids refer to `files[n]`). */
  attachmentsMeta?: unknown;
  files?: StoredFile[];
  webhookId?: string | null;
  avatarUrl?: string | null;
  allowedMentions?: unknown;
  messageReference?: { messageId: string; channelId: string } | null;
  flags?: number;
  nonce?: string | null;
  interactionId?: string | null;
  type?: number;
  mentionIds?: string[];
  components?: unknown[] | null;
}

/** Discord's message rules beyond the spec: content ≤ 2000, not empty, embeds ≤ 6000 characters. */
export function checkMessageBody(
  body: Record<string, unknown>,
  files: StoredFile[],
  opts: { allowEmpty?: boolean } = {},
): Reply | null {
  const issues: SpecIssue[] = [];
  const content = body.content;
  if (typeof content === 'string' && content.length > 2000) {
    issues.push({
      path: ['content'],
      code: 'BASE_TYPE_MAX_LENGTH',
      message: 'Must be 2000 or fewer in length.',
    });
  }
  const embeds = Array.isArray(body.embeds) ? (body.embeds as Record<string, unknown>[]) : [];
  const total = embeds.reduce((sum, e) => sum + embedLength(e), 0);
  if (total > 6000) {
    issues.push({
      path: ['embeds'],
      code: 'MAX_EMBED_SIZE_EXCEEDED',
      message: 'Embed size exceeds maximum size of 6000',
    });
  }
  if (issues.length > 0) return invalidFormBody(issues);
  const empty =
    !(typeof content === 'string' && content.length > 0) && embeds.length === 0 && files.length === 0;
  if (empty && !opts.allowEmpty) return apiError(400, ErrorCode.EmptyMessage, 'Cannot send an empty message');
  return null;
}

function embedLength(e: Record<string, unknown>): number {
  const str = (v: unknown) => (typeof v === 'string' ? v.length : 0);
  const fields = Array.isArray(e.fields) ? (e.fields as Record<string, unknown>[]) : [];
  return (
    str(e.title) +
    str(e.description) +
    str((e.footer as Record<string, unknown> | undefined)?.text) +
    str((e.author as Record<string, unknown> | undefined)?.name) +
    fields.reduce((n, f) => n + str(f.name) + str(f.value), 0)
  );
}

function buildAttachments(
  ctx: EmulatorContext,
  channelId: string,
  files: StoredFile[],
  meta: unknown,
): StoredAttachment[] {
  const metas = Array.isArray(meta) ? (meta as Record<string, unknown>[]) : [];
  return files.map((file, index) => {
    const n = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? String(index);
    const m = metas.find((x) => String(x.id) === n);
    const filename = typeof m?.filename === 'string' ? m.filename : file.filename;
    const id = ctx.nextId();
    return {
      id,
      filename,
      contentType: file.contentType,
      size: file.data.length,
      data: file.data,
      url: `${ctx.baseUrl()}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`,
    };
  });
}

// With allowed_mentions, a user is mentioned only if "users" is parsed or the id is listed.
function mentionAllowed(allowed: unknown, userId: string): boolean {
  if (!allowed || typeof allowed !== 'object') return true;
  const a = allowed as { parse?: unknown; users?: unknown };
  const parse = Array.isArray(a.parse) ? a.parse : [];
  const users = Array.isArray(a.users) ? a.users : [];
  return parse.includes('users') || users.includes(userId);
}

// Discord numbers every component of a message (rows and their children) from 1 when the sender did not.
function storedComponents(components: unknown): unknown[] {
  if (!Array.isArray(components)) return [];
  let next = 1;
  const number = (c: Record<string, unknown>): Record<string, unknown> => {
    const id = typeof c.id === 'number' ? c.id : next;
    next = Math.max(next, id) + 1;
    const children = Array.isArray(c.components)
      ? { components: (c.components as Record<string, unknown>[]).map(number) }
      : {};
    return { ...c, id, ...children };
  };
  return (components as Record<string, unknown>[]).map(number);
}

// Discord stores bot-sent embeds with type "rich".
function richEmbeds(embeds: unknown[] | null | undefined): unknown[] {
  return (embeds ?? []).map((e) => ({ type: 'rich', ...(e as object) }));
}

function mentionsIn(content: string): string[] {
  return [...content.matchAll(/<@!?(\d{17,20})>/g)].map((m) => m[1] as string);
}

/** Refuses posts into a locked archived thread; any other archived thread is reopened by the post. */
export function closedThread(ctx: EmulatorContext, channelId: string): Reply | null {
  const channel = ctx.world.channels.get(channelId);
  if (channel?.archived && channel.locked) {
    return apiError(400, ErrorCode.ArchivedThread, 'Thread is locked');
  }
  return null;
}

function reopenThread(ctx: EmulatorContext, channelId: string): void {
  const channel = ctx.world.channels.get(channelId);
  if (!channel?.archived) return;
  channel.archived = false;
  ctx.gateway.dispatch('THREAD_UPDATE', channelJson(ctx.world, channel), { intent: Intent.Guilds });
}

export function createMessage(ctx: EmulatorContext, input: MessageInput, opts: { dispatch?: boolean } = {}) {
  reopenThread(ctx, input.channelId);
  const content = input.content ?? '';
  const msg: StoredMessage = {
    id: ctx.nextId(),
    channelId: input.channelId,
    type: input.type ?? (input.messageReference ? 19 : 0),
    content,
    embeds: richEmbeds(input.embeds),
    attachments: buildAttachments(ctx, input.channelId, input.files ?? [], input.attachmentsMeta),
    author: input.author,
    webhookId: input.webhookId ?? null,
    avatarUrl: input.avatarUrl ?? null,
    allowedMentions: input.allowedMentions ?? null,
    mentionIds: [...new Set([...(input.mentionIds ?? []), ...mentionsIn(content)])].filter(
      (id) => ctx.world.users.has(id) && mentionAllowed(input.allowedMentions, id),
    ),
    messageReference: input.messageReference ?? null,
    flags: input.flags ?? 0,
    nonce: input.nonce ?? null,
    interactionId: input.interactionId ?? null,
    createdAt: ctx.now(),
    editedAt: null,
    history: [],
    components: storedComponents(input.components),
    deleted: false,
  };
  ctx.world.messages.set(msg.id, msg);
  if (!(msg.flags & EPHEMERAL)) {
    ctx.world.channelMessages.get(msg.channelId)?.push(msg.id);
    if (opts.dispatch !== false) dispatchMessage(ctx, 'MESSAGE_CREATE', msg);
  }
  ctx.records.changed();
  return msg;
}

export function editMessage(
  ctx: EmulatorContext,
  msg: StoredMessage,
  patch: {
    content?: unknown;
    embeds?: unknown;
    attachmentsMeta?: unknown;
    files?: StoredFile[];
    flags?: number;
    components?: unknown;
  },
): StoredMessage {
  if (typeof patch.content === 'string' || patch.content === null) {
    msg.history.push(msg.content);
    msg.content = patch.content ?? '';
    msg.mentionIds = mentionsIn(msg.content).filter((id) => ctx.world.users.has(id));
  }
  if (Array.isArray(patch.embeds)) msg.embeds = richEmbeds(patch.embeds);
  if (patch.embeds === null) msg.embeds = [];
  if (Array.isArray(patch.components)) msg.components = storedComponents(patch.components);
  if (patch.components === null) msg.components = [];
  const added = buildAttachments(ctx, msg.channelId, patch.files ?? [], patch.attachmentsMeta);
  if (Array.isArray(patch.attachmentsMeta)) {
    // `attachments` lists what to keep: existing attachments by id, new ones by file index.
    const keep = new Set((patch.attachmentsMeta as Record<string, unknown>[]).map((a) => String(a.id)));
    msg.attachments = msg.attachments.filter((a) => keep.has(a.id));
  }
  msg.attachments.push(...added);
  if (patch.flags !== undefined) msg.flags = patch.flags;
  msg.flags &= ~LOADING;
  msg.editedAt = ctx.now();
  if (!(msg.flags & EPHEMERAL)) dispatchMessage(ctx, 'MESSAGE_UPDATE', msg);
  ctx.records.changed();
  return msg;
}

export function deleteMessage(ctx: EmulatorContext, msg: StoredMessage): void {
  msg.deleted = true;
  const ids = ctx.world.channelMessages.get(msg.channelId);
  const at = ids?.indexOf(msg.id) ?? -1;
  if (ids && at >= 0) ids.splice(at, 1);
  if (!(msg.flags & EPHEMERAL)) {
    ctx.gateway.dispatch(
      'MESSAGE_DELETE',
      { id: msg.id, channel_id: msg.channelId, guild_id: ctx.world.guild.id },
      { intent: Intent.GuildMessages },
    );
  }
  ctx.records.changed();
}

/**
 * Sends a stored message's MESSAGE_CREATE again, as Discord may after a gateway reconnect or replay:
 * the same id, content and author a second time.
 */
export function redeliverMessage(ctx: EmulatorContext, id: string): void {
  const msg = ctx.world.messages.get(id);
  if (!msg) throw new Error(`discord emulator: unknown message ${id}`);
  dispatchMessage(ctx, 'MESSAGE_CREATE', msg);
}

function dispatchMessage(
  ctx: EmulatorContext,
  event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE',
  msg: StoredMessage,
) {
  const botId = ctx.world.botUser.id;
  ctx.gateway.dispatch(event, null, {
    intent: Intent.GuildMessages,
    build: (s) =>
      messageJson(ctx.world, msg, {
        gateway: true,
        // Without the privileged MessageContent intent Discord blanks content of others' messages.
        hideContent:
          !(s.intents & Intent.MessageContent) && msg.author.id !== botId && !msg.mentionIds.includes(botId),
      }),
  });
}

/** The visible (non-deleted, non-ephemeral) messages of a channel, oldest first. */
export function channelMessages(ctx: EmulatorContext, channelId: string): StoredMessage[] {
  return (ctx.world.channelMessages.get(channelId) ?? []).flatMap((id) => {
    const m = ctx.world.messages.get(id);
    return m && !m.deleted ? [m] : [];
  });
}
