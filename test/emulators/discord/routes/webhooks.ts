import { type EmulatorContext, Intent } from '../context.ts';
import {
  apiError,
  ErrorCode,
  invalidFormBody,
  missingPermissions,
  type Reply,
  unknownChannel,
  unknownWebhook,
} from '../discord-errors.ts';
import type { Route } from '../http-server.ts';
import { Perm } from '../permissions.ts';
import { permissionsOf, webhookJson } from '../serialize.ts';
import { randomToken } from '../snowflake.ts';
import type { SpecIssue } from '../spec-validator.ts';
import type { EmuWebhook } from '../types.ts';

type Body = Record<string, unknown>;

export const MAX_WEBHOOKS_PER_CHANNEL = 15;

/** Discord's webhook name rules: 1–80 characters, no "clyde" or "discord" in any case. */
export function nameIssues(field: string, name: unknown): SpecIssue[] {
  if (name === undefined || name === null) return [];
  const s = String(name);
  if (s.length < 1 || s.length > 80) {
    return [{ path: [field], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 80 in length.' }];
  }
  const banned = ['clyde', 'discord'].find((w) => s.toLowerCase().includes(w));
  return banned
    ? [{ path: [field], code: 'USERNAME_INVALID_CONTAINS', message: `Username cannot contain "${banned}"` }]
    : [];
}

/** Incoming webhooks: create, list, fetch and delete (at most 15 per channel). */
export function webhookRoutes(ctx: EmulatorContext): Route[] {
  const { world } = ctx;
  const notInteraction = (p: Record<string, string>) => p.webhookId !== world.applicationId;
  const byToken = (p: Record<string, string>): EmuWebhook | null => {
    const wh = world.webhooks.get(p.webhookId ?? '');
    return wh && wh.token === p.token ? wh : null;
  };
  const remove = (wh: EmuWebhook): Reply => {
    world.webhooks.delete(wh.id);
    ctx.gateway.dispatch(
      'WEBHOOKS_UPDATE',
      { guild_id: world.guild.id, channel_id: wh.channelId },
      { intent: Intent.GuildWebhooks },
    );
    ctx.records.changed();
    return { status: 204 };
  };

  return [
    {
      method: 'POST',
      pattern: '/channels/:channelId/webhooks',
      spec: '/channels/{channel_id}/webhooks',
      auth: 'bot',
      handle: ({ params, body }) => {
        const channel = world.channels.get(params.channelId ?? '');
        if (!channel) return unknownChannel();
        if (channel.type !== 0)
          return apiError(400, ErrorCode.WrongChannelType, 'Cannot execute action on this channel type');
        if (!(permissionsOf(world, world.botUser.id) & Perm.ManageWebhooks)) return missingPermissions();
        const b = (body ?? {}) as Body;
        const issues = nameIssues('name', b.name);
        if (issues.length > 0) return invalidFormBody(issues);
        const existing = [...world.webhooks.values()].filter((w) => w.channelId === channel.id);
        if (existing.length >= MAX_WEBHOOKS_PER_CHANNEL) {
          ctx.records.violation({
            kind: 'rule',
            method: 'POST',
            path: `/channels/${channel.id}/webhooks`,
            message: 'more than 15 webhooks in a channel',
          });
          return apiError(
            400,
            ErrorCode.MaxWebhooks,
            `Maximum number of webhooks reached (${MAX_WEBHOOKS_PER_CHANNEL})`,
          );
        }
        const wh: EmuWebhook = {
          id: ctx.nextId(),
          token: randomWebhookToken(),
          name: String(b.name),
          channelId: channel.id,
          creatorId: world.botUser.id,
          createdAt: ctx.now(),
        };
        world.webhooks.set(wh.id, wh);
        ctx.gateway.dispatch(
          'WEBHOOKS_UPDATE',
          { guild_id: world.guild.id, channel_id: channel.id },
          { intent: Intent.GuildWebhooks },
        );
        ctx.records.changed();
        return { status: 200, body: webhookJson(world, wh, ctx.baseUrl()) };
      },
    },
    {
      method: 'GET',
      pattern: '/channels/:channelId/webhooks',
      spec: '/channels/{channel_id}/webhooks',
      auth: 'bot',
      handle: ({ params }) => {
        if (!world.channels.has(params.channelId ?? '')) return unknownChannel();
        const list = [...world.webhooks.values()].filter((w) => w.channelId === params.channelId);
        return { status: 200, body: list.map((w) => webhookJson(world, w, ctx.baseUrl())) };
      },
    },
    {
      method: 'GET',
      pattern: '/webhooks/:webhookId',
      spec: '/webhooks/{webhook_id}',
      auth: 'bot',
      handle: ({ params }) => {
        const wh = world.webhooks.get(params.webhookId ?? '');
        return wh ? { status: 200, body: webhookJson(world, wh, ctx.baseUrl()) } : unknownWebhook();
      },
    },
    {
      method: 'DELETE',
      pattern: '/webhooks/:webhookId',
      auth: 'bot',
      handle: ({ params }) => {
        const wh = world.webhooks.get(params.webhookId ?? '');
        return wh ? remove(wh) : unknownWebhook();
      },
    },
    {
      method: 'GET',
      pattern: '/webhooks/:webhookId/:token',
      spec: '/webhooks/{webhook_id}/{webhook_token}',
      auth: 'none',
      when: notInteraction,
      handle: ({ params }) => {
        const wh = byToken(params);
        return wh ? { status: 200, body: webhookJson(world, wh, ctx.baseUrl()) } : unknownWebhook();
      },
    },
    {
      method: 'DELETE',
      pattern: '/webhooks/:webhookId/:token',
      auth: 'none',
      when: notInteraction,
      handle: ({ params }) => {
        const wh = byToken(params);
        return wh ? remove(wh) : unknownWebhook();
      },
    },
  ];
}

function randomWebhookToken(): string {
  // 68 characters like Discord's, so discord.js' WebhookClient URL parser accepts them.
  return randomToken(68);
}
