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
  let cached: Promise<ThreadBinding | null> | null = null;
  const binding = () => {
    // Looked up even when the platform could not tell it was a thread (e.g. an uncached channel).
    cached ??= findBindingByThread(deps.db, deps.platform.name, cmd.workspaceId, cmd.channelId);
    return cached;
  };
  if (spec.manage && !cmd.user.canManage && !(await mayAnyway(spec.name, cmd, deps, binding))) {
    const label = deps.platform.permissions?.managersLabel ?? 'debate managers';
    const who = deps.managerRoleLabel ? `${label} or ${deps.managerRoleLabel}` : label;
    await cmd.respond({
      ok: false,
      text: `Only ${who} can ${spec.name} debates. Ask a moderator; anyone can follow along with \`/arena status\`.`,
    });
    return;
  }
  const parsed = spec.options.safeParse(cmd.options);
  if (!parsed.success) {
    await cmd.respond({ ok: false, text: describeOptionError(parsed.error) });
    return;
  }
  await cmd.defer({ ephemeral: spec.ephemeral });
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

/** Where the platform lets anyone start, or the person asking started this very debate. */
async function mayAnyway(
  name: string,
  cmd: IncomingCommand,
  deps: CommandDeps,
  binding: () => Promise<ThreadBinding | null>,
): Promise<boolean> {
  if (name === 'start') return deps.platform.permissions?.anyoneMayStart === true;
  return (await binding())?.createdBy === cmd.user.id;
}
