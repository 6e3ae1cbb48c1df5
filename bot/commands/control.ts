import type { ControlResult } from '../../engine/api.ts';
import type { CommandReply } from '../platform.ts';
import { noOptions } from './options.ts';
import { type CommandContext, type CommandSpec, defineCommand, fail, NOT_IN_THREAD } from './types.ts';

const REFUSALS: Record<Extract<ControlResult, { ok: false }>['reason'], string> = {
  not_found: 'This thread’s debate no longer exists. Start a new one with `/arena start`.',
  already_finished: 'This debate has already finished. `/arena export` gives you the transcript.',
  not_paused: 'This debate is not paused, so there is nothing to resume.',
  already_paused: 'This debate is already paused. `/arena resume` continues it.',
  budget: 'The budget is used up, so the debate cannot resume yet. `/arena budget` shows when it resets.',
};

function control(
  name: 'stop' | 'pause' | 'resume',
  description: string,
  act: (ctx: CommandContext<unknown>, debateId: string) => Promise<ControlResult>,
  done: string,
): CommandSpec<typeof noOptions> {
  return defineCommand({
    name,
    description,
    options: noOptions,
    manage: true,
    // The thread itself shows the change to everyone (a notice or the final banner).
    ephemeral: true,
    async run(ctx): Promise<CommandReply> {
      const binding = await ctx.binding();
      if (!binding) return NOT_IN_THREAD(name);
      const result = await act(ctx, binding.debateId);
      return result.ok ? { ok: true, text: done } : fail(REFUSALS[result.reason]);
    },
  });
}

export const stopCommand = control(
  'stop',
  'Stop the debate of this thread for good',
  (ctx, id) => ctx.deps.arena.stop(id),
  '⏹️ Stopped. The transcript so far stays here; `/arena export` gives you a copy.',
);

export const pauseCommand = control(
  'pause',
  'Pause the debate of this thread',
  (ctx, id) => ctx.deps.arena.pause(id, 'user'),
  '⏸️ Paused. `/arena resume` continues where it stopped.',
);

export const resumeCommand = control(
  'resume',
  'Resume the paused debate of this thread',
  (ctx, id) => ctx.deps.arena.resume(id),
  '▶️ Resumed.',
);
