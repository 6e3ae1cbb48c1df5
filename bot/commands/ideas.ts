import { ideasOptions } from './options.ts';
import { defineCommand, fail } from './types.ts';

const PENDING_SHOWN = 15;
const OTHERS_SHOWN = 5;

/** `/arena ideas` lists the pending backlog; `/arena ideas add: …` adds a person's idea to it. */
export const ideasCommand = defineCommand({
  name: 'ideas',
  description: 'List pending ideas, or add one: ideas add <idea>',
  options: ideasOptions,
  manage: false,
  ephemeral: true,
  async run({ options, command, deps }) {
    if (options.add !== undefined) {
      // The same rule as `arena ideas add`: 3–500 characters, refused when a near-duplicate.
      const result = await deps.arena.addIdea({
        title: options.add,
        by: `${deps.platform.name}:${command.user.id}`.slice(0, 100),
      });
      if (result.ok)
        return {
          ok: true,
          text: `Added idea \`${result.idea.id}\`: “${result.idea.title.slice(0, 200)}” — pending, waiting for a debate. \`/arena ideas\` lists the backlog.`,
        };
      if (result.reason === 'duplicate')
        return fail(`Not added: too close to the existing idea “${result.similarTo.slice(0, 200)}”.`);
      return fail(`Not added: ${result.error}.`);
    }
    const [pending, recent] = await Promise.all([
      deps.arena.listIdeas({ status: 'pending', limit: PENDING_SHOWN }),
      deps.arena.listIdeas({ limit: PENDING_SHOWN + OTHERS_SHOWN }),
    ]);
    const others = recent.filter((i) => i.status !== 'pending').slice(0, OTHERS_SHOWN);
    if (pending.length === 0 && others.length === 0)
      return {
        ok: true,
        text: 'No ideas yet. `/arena ideas add: …` adds one; `/arena start idea: …` debates one.',
      };
    const line = (i: (typeof recent)[number]) =>
      `• ${i.title.slice(0, 90)} — ${i.status}${i.score ? ` · score ${i.score.toFixed(1)}` : ''} · \`${i.id.slice(0, 8)}\``;
    const parts = [
      pending.length > 0
        ? `**Pending** (${pending.length}${pending.length === PENDING_SHOWN ? '+' : ''})\n${pending.map(line).join('\n')}`
        : '**Pending**: none. `/arena ideas add: …` adds one.',
      ...(others.length > 0 ? [`**Recently debated**\n${others.map(line).join('\n')}`] : []),
    ];
    return { ok: true, text: '', embed: { title: 'Ideas', description: parts.join('\n\n').slice(0, 4000) } };
  },
});
