import type { EmulatorContext } from '../context.ts';
import { apiError, invalidFormBody, type Reply } from '../discord-errors.ts';
import type { Route } from '../http-server.ts';
import type { SpecIssue } from '../spec-validator.ts';
import type { StoredCommand } from '../world.ts';

type Body = Record<string, unknown>;

const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

// Rules Discord enforces beyond the OpenAPI schema: lowercase names, descriptions present,
// required options before optional ones, unique names.
function commandIssues(cmd: Body, path: string[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const isChatInput = (cmd.type ?? 1) === 1;
  const name = String(cmd.name ?? '');
  if (isChatInput && (!NAME.test(name) || name !== name.toLowerCase())) {
    issues.push({
      path: [...path, 'name'],
      code: 'APPLICATION_COMMAND_INVALID_NAME',
      message: 'Command name is invalid',
    });
  }
  const description = cmd.description;
  if (
    isChatInput &&
    (typeof description !== 'string' || description.length < 1 || description.length > 100)
  ) {
    issues.push({
      path: [...path, 'description'],
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 100 in length.',
    });
  }
  issues.push(
    ...optionIssues(Array.isArray(cmd.options) ? (cmd.options as Body[]) : [], [...path, 'options']),
  );
  return issues;
}

function optionIssues(options: Body[], path: string[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  let optionalSeen = false;
  options.forEach((opt, i) => {
    const at = [...path, String(i)];
    const name = String(opt.name ?? '');
    if (!NAME.test(name) || name !== name.toLowerCase()) {
      issues.push({
        path: [...at, 'name'],
        code: 'APPLICATION_COMMAND_INVALID_NAME',
        message: 'Option name is invalid',
      });
    }
    if (seen.has(name))
      issues.push({
        path: [...at, 'name'],
        code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS',
        message: 'Option names must be unique',
      });
    seen.add(name);
    const description = opt.description;
    if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
      issues.push({
        path: [...at, 'description'],
        code: 'BASE_TYPE_BAD_LENGTH',
        message: 'Must be between 1 and 100 in length.',
      });
    }
    const isSub = opt.type === 1 || opt.type === 2;
    if (!isSub) {
      if (opt.required === true && optionalSeen) {
        issues.push({
          path: [...at, 'required'],
          code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          message: 'Required options must be placed before non-required options',
        });
      }
      if (opt.required !== true) optionalSeen = true;
      if (opt.autocomplete === true && Array.isArray(opt.choices) && opt.choices.length > 0) {
        issues.push({
          path: [...at, 'autocomplete'],
          code: 'AUTOCOMPLETE_CHOICES',
          message: 'Autocomplete cannot be set with choices',
        });
      }
    }
    if (Array.isArray(opt.options)) issues.push(...optionIssues(opt.options as Body[], [...at, 'options']));
  });
  return issues;
}

/** Bulk overwrite, create, list and delete of global and guild application commands. */
export function commandRoutes(ctx: EmulatorContext): Route[] {
  const { world } = ctx;
  const listFor = (guildId?: string): StoredCommand[] | Reply => {
    if (guildId === undefined) return world.globalCommands;
    if (guildId !== world.guild.id) return apiError(404, 10004, 'Unknown Guild');
    let list = world.guildCommands.get(guildId);
    if (!list) {
      list = [];
      world.guildCommands.set(guildId, list);
    }
    return list;
  };
  const toStored = (body: Body, existing: StoredCommand | undefined, guildId?: string): StoredCommand => {
    const perms = body.default_member_permissions;
    return {
      ...(body as object),
      id: existing?.id ?? ctx.nextId(),
      application_id: world.applicationId,
      version: ctx.nextId(),
      type: (body.type as number | undefined) ?? 1,
      name: String(body.name),
      description: String(body.description ?? ''),
      default_member_permissions: perms === undefined || perms === null ? null : String(perms),
      dm_permission: body.dm_permission ?? true,
      contexts: body.contexts ?? null,
      integration_types: body.integration_types ?? [0],
      nsfw: body.nsfw ?? false,
      options: Array.isArray(body.options) ? body.options : [],
      ...(guildId ? { guild_id: guildId } : {}),
    };
  };
  const appGuard = (params: Record<string, string>) =>
    params.appId === world.applicationId ? null : apiError(403, 50001, 'Missing Access');

  const routes: Route[] = [];
  for (const scope of ['global', 'guild'] as const) {
    const base =
      scope === 'global' ? '/applications/:appId/commands' : '/applications/:appId/guilds/:guildId/commands';
    const spec =
      scope === 'global'
        ? '/applications/{application_id}/commands'
        : '/applications/{application_id}/guilds/{guild_id}/commands';
    routes.push(
      {
        method: 'GET',
        pattern: base,
        spec,
        auth: 'bot',
        handle: ({ params }) => {
          const list = appGuard(params) ?? listFor(params.guildId);
          return Array.isArray(list) ? { status: 200, body: list } : list;
        },
      },
      {
        method: 'PUT',
        pattern: base,
        spec,
        auth: 'bot',
        handle: ({ params, body }) => {
          const list = appGuard(params) ?? listFor(params.guildId);
          if (!Array.isArray(list)) return list;
          const bodies = Array.isArray(body) ? (body as Body[]) : [];
          const issues = bodies.flatMap((b, i) => commandIssues(b, [String(i)]));
          if (issues.length > 0) {
            ctx.records.violation({
              kind: 'rule',
              method: 'PUT',
              path: base,
              message: 'invalid commands',
              details: issues,
            });
            return invalidFormBody(issues);
          }
          const next = bodies.map((b) =>
            toStored(
              b,
              list.find((c) => c.name === b.name),
              params.guildId,
            ),
          );
          list.splice(0, list.length, ...next);
          ctx.records.changed();
          return { status: 200, body: list };
        },
      },
      {
        method: 'POST',
        pattern: base,
        spec,
        auth: 'bot',
        handle: ({ params, body }) => {
          const list = appGuard(params) ?? listFor(params.guildId);
          if (!Array.isArray(list)) return list;
          const b = (body ?? {}) as Body;
          const issues = commandIssues(b, []);
          if (issues.length > 0) return invalidFormBody(issues);
          const at = list.findIndex((c) => c.name === b.name);
          const stored = toStored(b, list[at], params.guildId);
          if (at >= 0) list[at] = stored;
          else list.push(stored);
          ctx.records.changed();
          return { status: at >= 0 ? 200 : 201, body: stored };
        },
      },
      {
        method: 'DELETE',
        pattern: `${base}/:commandId`,
        auth: 'bot',
        handle: ({ params }) => {
          const list = appGuard(params) ?? listFor(params.guildId);
          if (!Array.isArray(list)) return list;
          const at = list.findIndex((c) => c.id === params.commandId);
          if (at < 0) return apiError(404, 10063, 'Unknown application command');
          list.splice(at, 1);
          return { status: 204 };
        },
      },
    );
  }
  return routes;
}
