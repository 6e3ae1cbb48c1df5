import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { ThreadBinding } from '../../db/repositories/chat.ts';
import type { Database } from '../../db/schema.ts';
import type { Arena, DebateDetailView, StartDebateInput } from '../../engine/api.ts';
import type { Logger } from '../../engine/log.ts';
import type { Lang, Persona } from '../../personas/types.ts';
import type { ChatPlatform, CommandReply, IncomingCommand, ThreadRef } from '../platform.ts';

/** What command handlers may use; the platform is reached only through the neutral interface. */
export interface CommandDeps {
  arena: Arena;
  db: Kysely<Database>;
  platform: Pick<ChatPlatform, 'name' | 'format' | 'openThread' | 'post' | 'permissions'>;
  personas: readonly Persona[];
  /** Binds a new thread to a debate and starts mirroring it. */
  bind(input: { thread: ThreadRef; debateId: string; createdBy: string }): Promise<ThreadBinding>;
  /** Starts a debate already bound to `thread` (one transaction), then mirrors it there. */
  startInThread(input: {
    thread: ThreadRef;
    createdBy: string;
    debate: Omit<StartDebateInput, 'withinCreation'>;
  }): Promise<{ debateId: string }>;
  exportMarkdown(detail: DebateDetailView, lang: Lang): string;
  /** Shown in permission refusals, e.g. "the Arena Managers role". */
  managerRoleLabel?: string;
  log: Logger;
}

export interface CommandContext<O> {
  options: O;
  command: Omit<IncomingCommand, 'defer' | 'respond'>;
  deps: CommandDeps;
  /** The debate of the thread the command was typed in, if any. */
  binding(): Promise<ThreadBinding | null>;
}

/** One subcommand: its options (zod), who may run it, and its handler. */
export interface CommandSpec<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  options: S;
  /** Needs the platform's manager permission (or the configured role), or to be the debate's starter. */
  manage: boolean;
  /** The answer is shown only to the person who asked. */
  ephemeral: boolean;
  run(ctx: CommandContext<z.infer<S>>): Promise<CommandReply>;
}

export function defineCommand<S extends z.ZodType>(spec: CommandSpec<S>): CommandSpec<S> {
  return spec;
}

export const fail = (text: string): CommandReply => ({ ok: false, text });

export const NOT_IN_THREAD = (name: string) =>
  fail(`Run \`/arena ${name}\` inside a debate thread (the one \`/arena start\` opened).`);
