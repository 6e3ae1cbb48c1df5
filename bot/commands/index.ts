import { findBindingByThread, type ThreadBinding } from '../../db/repositories/chat.ts';
import type { IncomingCommand } from '../platform.ts';
import { budgetCommand } from './budget.ts';
import { pauseCommand, resumeCommand, stopCommand } from './control.ts';
import { exportCommand } from './export.ts';
import { ideasCommand } from './ideas.ts';
import { describeOptionError } from './options.ts';
import { personasCommand } from './personas.ts';
import { startCommand } from './start.ts';
import { statusCommand } from './status.ts';
import { summonCommand } from './summon.ts';
import type { CommandDeps, CommandSpec } from './types.ts';

/** Every `/arena` subcommand, in the order help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  startCommand,
  stopCommand,
  pauseCommand,
  resumeCommand,
  statusCommand,
  budgetCommand,
  personasCommand,
  summonCommand,
  ideasCommand,
  exportCommand,
] as CommandSpec[];

const byName = new Map(COMMANDS.map((c) => [c.name, c]));

/** Parses, checks permission, acknowledges, runs the handler and answers; refusals stay private. */
export async function dispatchCommand(cmd: IncomingCommand, deps: CommandDeps): Promise<void> {
  const spec = byName.get(cmd.subcommand);
  if (!spec) {
    const names = COMMANDS.map((c) => c.name).join(', ');
    await cmd.respond({
      ok: false,
      text: `Unknown subcommand “${cmd.subcommand.slice(0, 40)}”. Try one of: ${names}.`,
    });
    return;
  }
  if (spec.manage && !cmd.user.canManage) {
    const who = deps.managerRoleLabel ? `Manage Threads or ${deps.managerRoleLabel}` : 'Manage Threads';
    await cmd.respond({
      ok: false,
      text: `Only members with ${who} can ${spec.name} debates. Ask a moderator; anyone can follow along with \`/arena status\`.`,
    });
    return;
  }
  const parsed = spec.options.safeParse(cmd.options);
  if (!parsed.success) {
    await cmd.respond({ ok: false, text: describeOptionError(parsed.error) });
    return;
  }
  await cmd.defer({ ephemeral: spec.ephemeral });
  let cached: Promise<ThreadBinding | null> | null = null;
  const binding = () => {
    // Looked up even when the platform could not tell it was a thread (e.g. an uncached channel).
    cached ??= findBindingByThread(deps.db, deps.platform.name, cmd.workspaceId, cmd.channelId);
    return cached;
  };
  const { defer: _d, respond: _r, ...command } = cmd;
  try {
    await cmd.respond(await spec.run({ options: parsed.data, command, deps, binding }));
  } catch (error) {
    deps.log.error('command failed', {
      subcommand: spec.name,
      error: error instanceof Error ? error.message : String(error),
    });
    await cmd.respond({ ok: false, text: 'Something went wrong on our side. Try again in a moment.' });
  }
}
