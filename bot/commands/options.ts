import { z } from 'zod';
import { LANGS, PHASES } from '../../personas/types.ts';
import { MAX_IDEA_CHARS, MIN_IDEA_CHARS } from '../constants.ts';

// Option values arrive from the platform as loose JSON; each schema turns them into typed values or
// into a message that tells the person what to type instead.

const idea = z
  .string({ error: 'Give the idea as text, e.g. `/arena start idea: a marketplace for idle GPUs`.' })
  .transform((v) => v.trim())
  .superRefine((v, ctx) => {
    if (v === '') {
      ctx.addIssue({
        code: 'custom',
        message: 'The idea is empty. Try `/arena start idea: a marketplace for idle GPUs`.',
      });
    } else if (v.length < MIN_IDEA_CHARS) {
      ctx.addIssue({
        code: 'custom',
        message: `That idea is too short to debate. Say it in a few words, e.g. \`/arena start idea: a marketplace for idle GPUs\`.`,
      });
    } else if (v.length > MAX_IDEA_CHARS) {
      ctx.addIssue({
        code: 'custom',
        message: `That idea is ${v.length} characters; the limit is ${MAX_IDEA_CHARS}. Start with the gist and add details in the thread.`,
      });
    }
  });

const rounds = z
  .number({ error: 'Rounds must be a whole number from 1 to 10.' })
  .int('Rounds must be a whole number from 1 to 10.')
  .min(1, 'Rounds must be a whole number from 1 to 10.')
  .max(10, 'Rounds must be a whole number from 1 to 10.');

const lang = z.enum(LANGS, { error: `Language must be one of: ${LANGS.join(', ')}.` });
const phase = z.enum(PHASES, { error: `Phase must be one of: ${PHASES.join(', ')}.` });

// Platforms send absent options as undefined or null.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

export const startOptions = z.object({ idea, rounds: optional(rounds), lang: optional(lang) });
export const personasOptions = z.object({ phase: optional(phase) });
export const summonOptions = z.object({
  persona: z
    .string({ error: 'Name a persona, e.g. `/arena summon persona: SecurityParanoid`.' })
    .transform((v) => v.replace(/^[@\s]+/, '').trim())
    .refine((v) => v !== '', 'Name a persona, e.g. `/arena summon persona: SecurityParanoid`.'),
});
export const noOptions = z.object({});
export const ideasOptions = z.object({
  add: optional(
    z
      .string({ error: 'Give the idea as text, e.g. `/arena ideas add: a marketplace for idle GPUs`.' })
      .transform((v) => v.replace(/\s+/g, ' ').trim())
      .refine(
        (v) => v !== '',
        'Say the idea after `add`, e.g. `/arena ideas add: a marketplace for idle GPUs`.',
      ),
  ),
});
export const exportOptions = z.object({
  format: optional(z.enum(['md', 'json'], { error: 'Export as `md` (the default) or `json`.' })),
});

export type StartOptions = z.infer<typeof startOptions>;

/** The first problem of a failed parse, as one short sentence for the person. */
export function describeOptionError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Those options are not valid.';
  return issue.message;
}
