import { noOptions } from './options.ts';
import { defineCommand } from './types.ts';

export const ideasCommand = defineCommand({
  name: 'ideas',
  description: 'List recent ideas and their status',
  options: noOptions,
  manage: false,
  ephemeral: true,
  async run({ deps }) {
    const ideas = await deps.arena.listIdeas({ limit: 15 });
    if (ideas.length === 0)
      return { ok: true, text: 'No ideas yet. `/arena start idea: …` debates one of your own.' };
    const lines = ideas.map(
      (i) => `• ${i.title.slice(0, 90)} — ${i.status}${i.score ? ` · score ${i.score.toFixed(1)}` : ''}`,
    );
    return { ok: true, text: '', embed: { title: 'Ideas', description: lines.join('\n').slice(0, 4000) } };
  },
});
