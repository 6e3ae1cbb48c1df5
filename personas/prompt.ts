import { DEFAULT_MAX_CHARS } from './constants.ts';
import { BEHAVIOUR_KEYS, BEHAVIOUR_LABELS, behaviourModifiers, traitLabels } from './personality.ts';
import { PLAN_SECTION_LABELS, PROMPT_TEXT } from './prompt-text.ts';
import type { Lang, Persona, Phase } from './types.ts';

export interface SystemPromptOptions {
  lang: Lang;
  /** The phase the persona speaks in; defaults to its own. */
  phase?: Phase;
  /** Reply length limit stated in the prompt; defaults to DEFAULT_MAX_CHARS for the phase. */
  maxChars?: number;
}

/** The persona's system prompt: pure and deterministic, the seed's structure plus phase and output rules. */
export function buildSystemPrompt(persona: Persona, options: SystemPromptOptions): string {
  const { lang } = options;
  const phase = options.phase ?? persona.phase;
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS[phase];
  if (!Number.isInteger(maxChars) || maxChars <= 0)
    throw new RangeError(`maxChars must be a positive integer`);
  const t = PROMPT_TEXT[lang];
  const modifiers = behaviourModifiers(persona.personality, lang);
  const section = persona.planSection && PLAN_SECTION_LABELS[persona.planSection][lang];
  return [
    t.intro(persona.name, persona.handle, persona.role[lang]),
    `${t.personality}\n${capitalise(traitLabels(persona.personality, lang).join(t.listSeparator))}`,
    [t.behaviour, ...BEHAVIOUR_KEYS.map((k) => `- ${BEHAVIOUR_LABELS[k][lang]}: ${modifiers[k]}`)].join('\n'),
    `${t.expertise}\n${persona.expertise.join(t.listSeparator)}`,
    `${t.catchphrase}\n${t.catchphraseLine(persona.catchphrase[lang])}`,
    `${t.perspective}\n${persona.guidance[lang]}`,
    t.phase(phase, section),
    t.rules(persona.name, maxChars, phase),
  ].join('\n\n');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
