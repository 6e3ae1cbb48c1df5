import { exportOptions } from './options.ts';
import { defineCommand, fail, NOT_IN_THREAD } from './types.ts';

/** A file-name-safe slug of a title. */
function slug(title: string): string {
  const s = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return s === '' ? 'debate' : s;
}

export const exportCommand = defineCommand({
  name: 'export',
  description: 'Attach the transcript and plan of this debate as Markdown (or JSON)',
  options: exportOptions,
  manage: false,
  ephemeral: false,
  async run({ options, deps, binding }) {
    const here = await binding();
    if (!here) return NOT_IN_THREAD('export');
    const detail = await deps.arena.getDebate(here.debateId);
    if (!detail) return fail('This thread’s debate no longer exists. Start a new one with `/arena start`.');
    const json = options.format === 'json';
    const content = json ? JSON.stringify(detail, null, 2) : deps.exportMarkdown(detail, detail.lang);
    return {
      ok: true,
      text: `📄 Transcript of “${detail.title.slice(0, 100)}” (${detail.messages.length} messages${detail.plan ? ', with the plan' : ''}).`,
      file: { name: `${slug(detail.title)}-${detail.id.slice(0, 8)}.${json ? 'json' : 'md'}`, content },
    };
  },
});
