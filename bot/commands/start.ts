import { DebateInputError, DebateRefusedError } from '../../engine/debate/errors.ts';
import { MAX_THREAD_TITLE } from '../constants.ts';
import type { ThreadRef } from '../platform.ts';
import { startOptions } from './options.ts';
import { defineCommand, fail } from './types.ts';

/** A thread name from the idea: one line, at most 100 characters, cut at a word. */
export function threadTitle(idea: string): string {
  const line = idea.replace(/\s+/g, ' ').trim();
  if (line.length <= MAX_THREAD_TITLE) return line;
  const room = line.slice(0, MAX_THREAD_TITLE - 1);
  const space = room.lastIndexOf(' ');
  return `${(space > MAX_THREAD_TITLE / 2 ? room.slice(0, space) : room).trimEnd()}…`;
}

/** Why a debate cannot start now: busy (try again later) or no model provider (someone must start it). */
function refusalText(detail: string, retryAfterSeconds: number | undefined): string {
  if (retryAfterSeconds === undefined) return `The arena cannot start a debate now: ${detail}.`;
  return `The arena is too busy to start a debate now (${detail.replace(/^the arena is busy: /, '')}). Try again in about ${retryAfterSeconds} s.`;
}

export const startCommand = defineCommand({
  name: 'start',
  description: 'Start a debate about an idea in a new thread',
  options: startOptions,
  manage: true,
  ephemeral: false,
  async run({ options, command, deps, binding }) {
    if (command.parentChannelId || (await binding())) {
      return fail(
        'Start debates from a text channel, not inside a thread: each debate opens its own thread.',
      );
    }
    // A full model queue or a provider that does not answer refuses before a thread is opened: no
    // empty thread is left behind.
    const admission = await deps.arena.admit();
    if (!admission.ok)
      return fail(
        refusalText(
          admission.detail,
          'retryAfterSeconds' in admission ? admission.retryAfterSeconds : undefined,
        ),
      );
    // The thread first: a debate nobody can see would spend the budget for nothing.
    let thread: ThreadRef;
    try {
      thread = await deps.platform.openThread({
        workspaceId: command.workspaceId,
        channelId: command.channelId,
        title: threadTitle(options.idea),
      });
    } catch (error) {
      deps.log.warn('could not open a debate thread', {
        error: error instanceof Error ? error.message : String(error),
      });
      return fail(
        'I could not open a thread here. Check that I may create public threads and manage webhooks in this channel.',
      );
    }
    try {
      // Debate and thread binding in one transaction: a crash never leaves a debate with no thread.
      await deps.startInThread({
        thread,
        createdBy: command.user.id,
        debate: {
          idea: options.idea,
          ...(options.rounds !== undefined ? { rounds: options.rounds } : {}),
          ...(options.lang !== undefined ? { lang: options.lang } : {}),
          origin: deps.platform.name,
          startedBy: command.user.displayName.slice(0, 100),
        },
      });
    } catch (error) {
      // Say so in the thread too, so nobody waits there for a debate that will not come.
      await deps.platform.post(thread, { text: '⚠️ This debate could not start.' }).catch(() => {});
      // The engine's input errors are written to be shown; anything else is logged by the dispatcher.
      if (error instanceof DebateInputError) return fail(`The debate could not start: ${error.message}.`);
      if (error instanceof DebateRefusedError)
        return fail(refusalText(error.message, error.retryAfterSeconds));
      throw error;
    }
    const detail = [
      options.rounds !== undefined ? `${options.rounds} round${options.rounds === 1 ? '' : 's'}` : null,
      options.lang ?? null,
    ].filter(Boolean);
    return {
      ok: true,
      text: `🧠 Debate started in ${deps.platform.format.threadLink(thread)}${detail.length ? ` (${detail.join(', ')})` : ''}. Join in by replying there; \`/arena pause\` or \`/arena stop\` work inside the thread.`,
    };
  },
});
