import type { EmulatorContext } from '../context.ts';
import {
  apiError,
  ErrorCode,
  invalidFormBody,
  type Reply,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from '../discord-errors.ts';
import type { Route, RouteContext } from '../http-server.ts';
import {
  checkMessageBody,
  createMessage,
  deleteMessage,
  EPHEMERAL,
  editMessage,
  LOADING,
} from '../messages.ts';
import { messageJson } from '../serialize.ts';
import type { InteractionRecord, InteractionResponseKind, StoredMessage } from '../types.ts';

type Body = Record<string, unknown>;

// 4 reply, 5 deferred reply, 6 deferred update, 7 update the component's message, 8 choices, 9 modal.
const ALLOWED_CALLBACKS: Record<2 | 3 | 4, number[]> = { 2: [4, 5, 9], 3: [4, 5, 6, 7, 9], 4: [8] };

/** Interaction callbacks (3 s deadline, one acknowledgement) and the interaction's webhook (@original, followups). */
export function interactionRoutes(ctx: EmulatorContext): Route[] {
  const { world } = ctx;
  const isApp = (p: Record<string, string>) => p.webhookId === world.applicationId;
  const byToken = (token: string | undefined) =>
    [...world.interactions.values()].find((i) => i.token === token);
  const log = (
    rec: InteractionRecord,
    kind: InteractionResponseKind,
    req: RouteContext,
    reply: Reply,
    type?: number,
  ) => {
    rec.responses.push({
      kind,
      callbackType: type ?? null,
      body: req.body,
      files: req.files,
      status: reply.status,
      time: ctx.now(),
    });
    ctx.records.changed();
    return reply;
  };
  const original = (rec: InteractionRecord): StoredMessage | null => {
    const msg = rec.originalMessageId ? world.messages.get(rec.originalMessageId) : undefined;
    return msg && !msg.deleted ? msg : null;
  };

  const callback = (req: RouteContext): Reply => {
    const rec = world.interactions.get(req.params.interactionId ?? '');
    if (!rec || rec.token !== req.params.token) return unknownInteraction();
    const b = (req.body ?? {}) as Body;
    const type = Number(b.type);
    const elapsed = req.receivedAt - rec.dispatchedAt;
    if (elapsed > ctx.interactionDeadlineMs) {
      if (!rec.deadlineMissed) {
        rec.deadlineMissed = true;
        ctx.records.violation({
          kind: 'deadline',
          method: req.method,
          path: `/interactions/${rec.id}/…/callback`,
          message: `initial response after ${elapsed} ms (limit ${ctx.interactionDeadlineMs} ms)`,
        });
      }
      return log(rec, 'callback', req, unknownInteraction(), type);
    }
    if (rec.acknowledgedAt !== null) {
      ctx.records.violation({
        kind: 'rule',
        method: req.method,
        path: req.path,
        message: 'interaction acknowledged twice',
      });
      return log(
        rec,
        'callback',
        req,
        apiError(400, ErrorCode.AlreadyAcknowledged, 'Interaction has already been acknowledged.'),
        type,
      );
    }
    if (!ALLOWED_CALLBACKS[rec.type].includes(type)) {
      ctx.records.violation({
        kind: 'rule',
        method: req.method,
        path: req.path,
        message: `callback type ${type} invalid for interaction type ${rec.type}`,
      });
      return log(
        rec,
        'callback',
        req,
        invalidFormBody([
          {
            path: ['type'],
            code: 'INTERACTION_CALLBACK_TYPE_INVALID',
            message: 'Invalid interaction callback type',
          },
        ]),
        type,
      );
    }
    const data = (b.data ?? {}) as Body;
    if (type === 4) {
      const invalid = checkMessageBody(data, req.files);
      if (invalid) return log(rec, 'callback', req, invalid, type);
    }
    if (type === 7) {
      const invalid = checkMessageBody(data, req.files, { allowEmpty: true });
      if (invalid) return log(rec, 'callback', req, invalid, type);
    }
    if (type === 8) {
      const choices = Array.isArray(data.choices) ? data.choices : [];
      if (choices.length > 25) {
        return log(
          rec,
          'callback',
          req,
          invalidFormBody([
            {
              path: ['data', 'choices'],
              code: 'BASE_TYPE_MAX_LENGTH',
              message: 'Must be 25 or fewer in length.',
            },
          ]),
          type,
        );
      }
    }
    rec.acknowledgedAt = req.receivedAt;
    const flags = typeof data.flags === 'number' ? data.flags : 0;
    rec.ephemeral = (flags & EPHEMERAL) !== 0;
    let msg: StoredMessage | null = null;
    if (type === 4 || type === 5) {
      msg = createMessage(ctx, {
        channelId: rec.channelId,
        author: world.botUser,
        content: type === 4 ? (data.content as string | undefined) : '',
        embeds: type === 4 ? (data.embeds as unknown[] | undefined) : [],
        attachmentsMeta: data.attachments,
        files: type === 4 ? req.files : [],
        webhookId: world.applicationId,
        allowedMentions: data.allowed_mentions,
        flags: (flags & EPHEMERAL) | (type === 5 ? LOADING : 0),
        interactionId: rec.id,
        type: 20,
      });
      rec.originalMessageId = msg.id;
    }
    // On a component interaction, 6 and 7 answer by (later or at once) editing the button's message.
    if ((type === 6 || type === 7) && rec.messageId) {
      rec.originalMessageId = rec.messageId;
      const target = world.messages.get(rec.messageId);
      if (type === 7 && target && !target.deleted) {
        editMessage(ctx, target, {
          content: data.content,
          embeds: data.embeds,
          attachmentsMeta: data.attachments,
          files: req.files,
          components: data.components,
        });
      }
    }
    if (req.query.get('with_response') !== 'true') return log(rec, 'callback', req, { status: 204 }, type);
    const body = {
      interaction: {
        id: rec.id,
        type: rec.type,
        activity_instance_id: null,
        ...(msg
          ? {
              response_message_id: msg.id,
              response_message_loading: type === 5,
              response_message_ephemeral: rec.ephemeral,
            }
          : {}),
      },
      ...(msg ? { resource: { type, message: messageJson(world, msg) } } : {}),
    };
    return log(rec, 'callback', req, { status: 200, body }, type);
  };

  const editOriginal = (req: RouteContext): Reply => {
    const rec = byToken(req.params.token);
    if (!rec) return unknownWebhook();
    const msg = original(rec);
    if (!msg) return log(rec, 'edit-original', req, unknownMessage());
    const b = (req.body ?? {}) as Body;
    const invalid = checkMessageBody(b, req.files, { allowEmpty: true });
    if (invalid) return log(rec, 'edit-original', req, invalid);
    editMessage(ctx, msg, {
      content: b.content,
      embeds: b.embeds,
      attachmentsMeta: b.attachments,
      files: req.files,
      components: b.components,
    });
    return log(rec, 'edit-original', req, { status: 200, body: messageJson(world, msg) });
  };

  const followup = (req: RouteContext): Reply => {
    const rec = byToken(req.params.token);
    if (!rec) return unknownWebhook();
    if (rec.acknowledgedAt === null) return log(rec, 'followup', req, unknownWebhook());
    const b = (req.body ?? {}) as Body;
    const invalid = checkMessageBody(b, req.files);
    if (invalid) return log(rec, 'followup', req, invalid);
    const msg = createMessage(ctx, {
      channelId: rec.channelId,
      author: world.botUser,
      content: b.content as string | undefined,
      embeds: b.embeds as unknown[] | undefined,
      attachmentsMeta: b.attachments,
      files: req.files,
      webhookId: world.applicationId,
      allowedMentions: b.allowed_mentions,
      flags: typeof b.flags === 'number' ? b.flags & EPHEMERAL : 0,
      interactionId: rec.id,
    });
    rec.followupIds.push(msg.id);
    return log(rec, 'followup', req, { status: 200, body: messageJson(world, msg) });
  };

  const editFollowup = (req: RouteContext): Reply => {
    const rec = byToken(req.params.token);
    if (!rec) return unknownWebhook();
    const msg = world.messages.get(req.params.messageId ?? '');
    if (!msg || msg.deleted || msg.interactionId !== rec.id)
      return log(rec, 'edit-followup', req, unknownMessage());
    const b = (req.body ?? {}) as Body;
    const invalid = checkMessageBody(b, req.files, { allowEmpty: true });
    if (invalid) return log(rec, 'edit-followup', req, invalid);
    editMessage(ctx, msg, {
      content: b.content,
      embeds: b.embeds,
      attachmentsMeta: b.attachments,
      files: req.files,
    });
    return log(rec, 'edit-followup', req, { status: 200, body: messageJson(world, msg) });
  };

  const specOriginal = '/webhooks/{webhook_id}/{webhook_token}/messages/@original';
  return [
    {
      method: 'POST',
      pattern: '/interactions/:interactionId/:token/callback',
      spec: '/interactions/{interaction_id}/{interaction_token}/callback',
      auth: 'none',
      handle: callback,
    },
    {
      method: 'PATCH',
      pattern: '/webhooks/:webhookId/:token/messages/@original',
      spec: specOriginal,
      auth: 'none',
      when: isApp,
      handle: editOriginal,
    },
    {
      method: 'GET',
      pattern: '/webhooks/:webhookId/:token/messages/@original',
      spec: specOriginal,
      auth: 'none',
      when: isApp,
      handle: (req) => {
        const rec = byToken(req.params.token);
        if (!rec) return unknownWebhook();
        const msg = original(rec);
        return log(
          rec,
          'get-original',
          req,
          msg ? { status: 200, body: messageJson(world, msg) } : unknownMessage(),
        );
      },
    },
    {
      method: 'DELETE',
      pattern: '/webhooks/:webhookId/:token/messages/@original',
      auth: 'none',
      when: isApp,
      handle: (req) => {
        const rec = byToken(req.params.token);
        if (!rec) return unknownWebhook();
        const msg = original(rec);
        if (!msg) return log(rec, 'delete-original', req, unknownMessage());
        deleteMessage(ctx, msg);
        return log(rec, 'delete-original', req, { status: 204 });
      },
    },
    {
      method: 'POST',
      pattern: '/webhooks/:webhookId/:token',
      spec: '/webhooks/{webhook_id}/{webhook_token}',
      auth: 'none',
      when: isApp,
      handle: followup,
    },
    {
      method: 'PATCH',
      pattern: '/webhooks/:webhookId/:token/messages/:messageId',
      spec: '/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}',
      auth: 'none',
      when: isApp,
      handle: editFollowup,
    },
  ];
}
