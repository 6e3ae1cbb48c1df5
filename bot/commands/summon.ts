import { summonOptions } from './options.ts';
import { findPersona } from './personas.ts';
import { defineCommand, fail, NOT_IN_THREAD } from './types.ts';

export const summonCommand = defineCommand({
  name: 'summon',
  description: 'Ask a persona to speak next in this debate',
  options: summonOptions,
  manage: false,
  ephemeral: false,
  async run({ options, command, deps, binding }) {
    const persona = findPersona(deps.personas, options.persona);
    if (!persona) {
      return fail(
        `There is no persona “${options.persona.slice(0, 60)}”. Pick one from the list as you type, or see \`/arena personas\`.`,
      );
    }
    const here = await binding();
    if (!here) return NOT_IN_THREAD('summon');
    const result = await deps.arena.injectHuman(here.debateId, {
      author: command.user.displayName,
      authorId: `${deps.platform.name}:${command.user.id}`,
      text: `@${persona.handle}, please weigh in.`,
    });
    if (!result.ok) {
      return fail(
        result.reason === 'already_finished'
          ? 'This debate has already finished. Start a new one with `/arena start`.'
          : 'This thread’s debate no longer exists. Start a new one with `/arena start`.',
      );
    }
    return {
      ok: true,
      text: `📣 ${command.user.displayName} summoned ${persona.name} (@${persona.handle}): they speak next.`,
    };
  },
});
