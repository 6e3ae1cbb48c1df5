import type { Persona } from '../../../personas/types.ts';
import { MAX_ANSWERERS_PER_HUMAN } from '../../constants.ts';

/** Personas named by `@handle` in a text, case-insensitively, in order of first mention. */
export function mentionedPersonas(text: string, personas: readonly Persona[]): Persona[] {
  const byHandle = new Map(personas.map((p) => [p.handle.toLowerCase(), p]));
  const out: Persona[] = [];
  // A handle starts after a non-word character, so an e-mail address is not a mention.
  for (const match of text.matchAll(/(?<![\w@])@([A-Za-z0-9_]{2,40})/g)) {
    const persona = byHandle.get(match[1]!.toLowerCase());
    if (persona && !out.includes(persona)) out.push(persona);
  }
  return out;
}

/** Who must answer a human message: those @mentioned (the explicit ask), then the persona replied to; capped. */
export function answerersFor(
  text: string,
  replyToPersonaId: string | undefined,
  personas: readonly Persona[],
): string[] {
  const ids = mentionedPersonas(text, personas).map((p) => p.id);
  if (
    replyToPersonaId &&
    !ids.includes(replyToPersonaId) &&
    personas.some((p) => p.id === replyToPersonaId)
  ) {
    ids.push(replyToPersonaId);
  }
  return ids.slice(0, MAX_ANSWERERS_PER_HUMAN);
}
