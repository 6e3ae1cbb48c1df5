import type { EmulatorContext } from '../context.ts';
import { apiError, ErrorCode, invalidFormBody, unknownMessage, unknownWebhook } from '../discord-errors.ts';
import type { Route } from '../http-server.ts';
import { limitedRequest } from '../limits.ts';
import { checkMessageBody, closedThread, createMessage, deleteMessage, editMessage } from '../messages.ts';
import { messageJson } from '../serialize.ts';
import type { EmuWebhook, StoredMessage } from '../types.ts';
import { nameIssues } from './webhooks.ts';

type Body = Record<string, unknown>;

/** Executing incoming webhooks and reading, editing or deleting their messages (with `thread_id`). */
export function webhookMessageRoutes(ctx: EmulatorContext): Route[] {
  const { world } = ctx;
  const notInteraction = (p: Record<string, string>) => p.webhookId !== world.applicationId;
  const byToken = (p: Record<string, string>): EmuWebhook | null => {
    const wh = world.webhooks.get(p.webhookId ?? '');
    return wh && wh.token === p.token ? wh : null;
  };
  // A webhook message is addressed by its channel: the webhook's own, or the thread in `thread_id`.
  const findMessage = (wh: EmuWebhook, messageId: string, threadId: string | null): StoredMessage | null => {
    const msg = world.messages.get(messageId);
    if (!msg || msg.deleted || msg.webhookId !== wh.id) return null;
    return msg.channelId === (threadId ?? wh.channelId) ? msg : null;
  };
  // Execute and edit share one bucket per webhook, as on Discord.
  const webhookBucket = (wh: EmuWebhook) => ({
    key: `webhook:${wh.id}`,
    rule: ctx.rateLimits.webhook,
    bucket: 'webhook',
  });

  return [
    {
      method: 'POST',
      pattern: '/webhooks/:webhookId/:token',
      spec: '/webhooks/{webhook_id}/{webhook_token}',
      auth: 'none',
      when: notInteraction,
      handle: ({ method, path, params, query, body, files }) => {
        const wh = byToken(params);
        if (!wh) return unknownWebhook();
        const b = (body ?? {}) as Body;
        const issues = nameIssues('username', b.username);
        if (issues.length > 0) {
          ctx.records.violation({
            kind: 'rule',
            method,
            path,
            message: 'invalid webhook username',
            details: issues,
          });
          return invalidFormBody(issues);
        }
        const invalid = checkMessageBody(b, files);
        if (invalid) {
          ctx.records.violation({
            kind: 'rule',
            method,
            path,
            message: 'invalid webhook message',
            details: invalid.body,
          });
          return invalid;
        }
        const threadId = query.get('thread_id');
        let channelId = wh.channelId;
        if (threadId) {
          const thread = world.channels.get(threadId);
          if (!thread || thread.parentId !== wh.channelId)
            return apiError(400, ErrorCode.UnknownChannel, 'Unknown Channel');
          channelId = thread.id;
        }
        const closed = closedThread(ctx, channelId);
        if (closed) return closed;
        checkAvatarUrl(ctx, method, path, b.avatar_url);
        return limitedRequest(ctx, {
          method,
          path,
          advertised: webhookBucket(wh),
          hidden: { key: `channel-webhook:${channelId}`, rule: ctx.rateLimits.channel },
          run: () => {
            const msg = createMessage(ctx, {
              channelId,
              author: {
                id: wh.id,
                username: typeof b.username === 'string' ? b.username : wh.name,
                globalName: null,
                bot: true,
              },
              content: b.content as string | undefined,
              embeds: b.embeds as unknown[] | undefined,
              attachmentsMeta: b.attachments,
              files,
              webhookId: wh.id,
              avatarUrl: typeof b.avatar_url === 'string' ? b.avatar_url : null,
              allowedMentions: b.allowed_mentions,
              flags: typeof b.flags === 'number' ? b.flags : 0,
            });
            return query.get('wait') === 'true'
              ? { status: 200, body: messageJson(world, msg) }
              : { status: 204 };
          },
        });
      },
    },
    {
      method: 'GET',
      pattern: '/webhooks/:webhookId/:token/messages/:messageId',
      spec: '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}',
      auth: 'none',
      when: notInteraction,
      handle: ({ params, query }) => {
        const wh = byToken(params);
        if (!wh) return unknownWebhook();
        const msg = findMessage(wh, params.messageId ?? '', query.get('thread_id'));
        return msg ? { status: 200, body: messageJson(world, msg) } : unknownMessage();
      },
    },
    {
      method: 'PATCH',
      pattern: '/webhooks/:webhookId/:token/messages/:messageId',
      spec: '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}',
      auth: 'none',
      when: notInteraction,
      handle: ({ method, path, params, query, body, files }) => {
        const wh = byToken(params);
        if (!wh) return unknownWebhook();
        const msg = findMessage(wh, params.messageId ?? '', query.get('thread_id'));
        if (!msg) return unknownMessage();
        const b = (body ?? {}) as Body;
        const invalid = checkMessageBody(b, files, { allowEmpty: true });
        if (invalid) {
          ctx.records.violation({
            kind: 'rule',
            method,
            path,
            message: 'invalid webhook message edit',
            details: invalid.body,
          });
          return invalid;
        }
        return limitedRequest(ctx, {
          method,
          path,
          advertised: webhookBucket(wh),
          run: () => {
            editMessage(ctx, msg, {
              content: b.content,
              embeds: b.embeds,
              attachmentsMeta: b.attachments,
              files,
            });
            return { status: 200, body: messageJson(world, msg) };
          },
        });
      },
    },
    {
      method: 'DELETE',
      pattern: '/webhooks/:webhookId/:token/messages/:messageId',
      auth: 'none',
      when: notInteraction,
      handle: ({ method, path, params, query }) => {
        const wh = byToken(params);
        if (!wh) return unknownWebhook();
        const msg = findMessage(wh, params.messageId ?? '', query.get('thread_id'));
        if (!msg) return unknownMessage();
        return limitedRequest(ctx, {
          method,
          path,
          advertised: webhookBucket(wh),
          run: () => {
            deleteMessage(ctx, msg);
            return { status: 204 };
          },
        });
      },
    },
  ];
}

// Discord ignores avatars it cannot use; the emulator accepts them too but records why they would fail.
function checkAvatarUrl(ctx: EmulatorContext, method: string, path: string, url: unknown) {
  if (url === undefined || url === null) return;
  const s = String(url);
  const ok = /^https?:\/\//i.test(s) && !/\.svg(\?|$)/i.test(s);
  if (!ok) ctx.records.violation({ kind: 'rule', method, path, message: `unusable avatar_url ${s}` });
}
