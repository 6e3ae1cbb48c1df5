import type { Persona } from '../../personas/types.ts';
import { MAX_AUTOCOMPLETE } from '../constants.ts';
import { personasOptions } from './options.ts';
import { defineCommand } from './types.ts';

/** Up to 25 personas matching what the person has typed so far, best matches first. */
export function suggestPersonas(
  personas: readonly Persona[],
  typed: string,
): Array<{ name: string; value: string }> {
  const q = typed.trim().replace(/^@/, '').toLowerCase();
  const rank = (p: Persona): number => {
    if (q === '') return 0;
    const handle = p.handle.toLowerCase();
    const name = p.name.toLowerCase();
    if (handle.startsWith(q) || name.startsWith(q)) return 0;
    if (handle.includes(q) || name.includes(q)) return 1;
    if (p.role.en.toLowerCase().includes(q) || p.expertise.some((e) => e.toLowerCase().includes(q))) return 2;
    return -1;
  };
  return personas
    .map((p) => ({ p, r: rank(p) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r)
    .slice(0, MAX_AUTOCOMPLETE)
    .map(({ p }) => ({ name: `${p.name} (@${p.handle}) — ${p.role.en}`.slice(0, 100), value: p.handle }));
}

export function findPersona(personas: readonly Persona[], typed: string): Persona | undefined {
  const q = typed.trim().replace(/^@/, '').toLowerCase();
  return (
    personas.find((p) => p.handle.toLowerCase() === q) ??
    personas.find((p) => p.id.toLowerCase() === q || p.name.toLowerCase() === q)
  );
}

export const personasCommand = defineCommand({
  name: 'personas',
  description: 'List the personas, optionally of one phase',
  options: personasOptions,
  manage: false,
  ephemeral: true,
  async run({ options, deps }) {
    const list = deps.personas.filter((p) => !options.phase || p.phase === options.phase);
    if (list.length === 0) return { ok: true, text: 'No personas in that phase.' };
    const lines = list.map((p) => `• ${p.name} (@${p.handle}) — ${p.role.en}`);
    return {
      ok: true,
      text: '',
      embed: {
        title: options.phase ? `Personas · ${options.phase}` : `Personas (${list.length})`,
        description: lines.join('\n').slice(0, 4000),
        footer: 'Mention one with @Handle in a debate thread, or `/arena summon`, to have them answer next.',
      },
    };
  },
});
