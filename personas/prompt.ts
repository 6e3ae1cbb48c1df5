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
  /**
   * Longest prompt wanted. When the persona's own text makes it longer, that text is shortened; the
   * phase instructions and the output (safety) rules are never cut.
   */
  budgetChars?: number;
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
  const own = [
    t.intro(persona.name, persona.handle, persona.role[lang]),
    `${t.personality}\n${capitalise(traitLabels(persona.personality, lang).join(t.listSeparator))}`,
    [t.behaviour, ...BEHAVIOUR_KEYS.map((k) => `- ${BEHAVIOUR_LABELS[k][lang]}: ${modifiers[k]}`)].join('\n'),
    `${t.expertise}\n${persona.expertise.join(t.listSeparator)}`,
    `${t.catchphrase}\n${t.catchphraseLine(persona.catchphrase[lang])}`,
    `${t.perspective}\n${persona.guidance[lang]}`,
  ];
  // The rules name the persona; a very long custom name is shortened there, never the rules.
  const fixed = [t.phase(phase, section), t.rules(clipTo(persona.name, 80), maxChars, phase)];
  const room =
    options.budgetChars === undefined
      ? Number.POSITIVE_INFINITY
      : options.budgetChars - fixed.join('\n\n').length - SEPARATOR.length * own.length;
  return [...fitSections(own, room), ...fixed].join(SEPARATOR);
}

const SEPARATOR = '\n\n';

/**
 * Shortens sections to fit `room` characters in all, fairly: short sections stay whole, the longest
 * share what is left equally (water-filling). A section with no room left disappears.
 */
export function fitSections(sections: readonly string[], room: number): string[] {
  const total = sections.reduce((n, s) => n + s.length, 0);
  if (total <= room) return [...sections];
  const budget = Math.max(0, Math.floor(room));
  const order = sections.map((s, i) => ({ i, len: s.length })).sort((a, b) => a.len - b.len);
  const allot = new Array<number>(sections.length).fill(0);
  let left = budget;
  order.forEach(({ i, len }, k) => {
    const share = Math.floor(left / (order.length - k));
    allot[i] = Math.min(len, share);
    left -= allot[i]!;
  });
  return sections.map((s, i) => clipTo(s, allot[i]!)).filter((s) => s !== '');
}

function clipTo(text: string, chars: number): string {
  if (text.length <= chars) return text;
  if (chars <= 1) return '';
  return `${text.slice(0, chars - 1).trimEnd()}…`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
