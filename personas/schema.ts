import { z } from 'zod';
import { AXES } from './personality.ts';
import type { Persona, PersonaGroup, Phase, PlanSection } from './types.ts';

// Discord refuses webhook usernames containing these words, in any case.
const RESERVED_WORDS = /discord|clyde/i;
const RESERVED_REASON = 'must not contain "discord" or "clyde" (Discord rejects such webhook usernames)';

export const PLAN_SECTIONS = [
  'prd',
  'architecture',
  'user_research',
  'business_model',
  'project_plan',
] as const satisfies readonly PlanSection[];

/** Groups allowed in each phase (seed 2.2–2.4). */
export const GROUPS_BY_PHASE: Record<Phase, readonly PersonaGroup[]> = {
  divergence: ['technical', 'design_product', 'business_marketing'],
  convergence: ['convergence'],
  planning: ['planning'],
};

const text = z.string().trim().min(1, 'must not be empty');
const localized = z.strictObject({ ko: text, en: text });

export const personaIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,47}$/, 'expected 2–48 characters of a-z, 0-9 and _, starting with a letter');

export const handleSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{1,31}$/, 'expected 2–32 ASCII letters, digits or _, starting with a letter')
  .refine((h) => !RESERVED_WORDS.test(h), RESERVED_REASON);

const nameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters (a webhook username)')
  .refine((n) => !RESERVED_WORDS.test(n), RESERVED_REASON);

/** One persona file (YAML or JSON), validated and normalised into a `Persona`. */
export const personaFileSchema = z
  .strictObject({
    id: personaIdSchema,
    name: nameSchema,
    handle: handleSchema,
    role: localized,
    group: z.enum(['technical', 'design_product', 'business_marketing', 'convergence', 'planning']),
    phase: z.enum(['divergence', 'convergence', 'planning']),
    personality: z.strictObject({
      thinking: z.enum(AXES.thinking),
      decision: z.enum(AXES.decision),
      communication: z.enum(AXES.communication),
      action: z.enum(AXES.action),
    }),
    model: z.string().trim().min(1, 'must not be empty'),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour like "#00ff88"')
      .transform((c) => c.toLowerCase()),
    expertise: z.array(text).min(1, 'must list at least one area'),
    catchphrase: localized,
    guidance: localized,
    planSection: z.enum(PLAN_SECTIONS).optional(),
    avatarUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  })
  .superRefine((p, ctx) => {
    const groups = GROUPS_BY_PHASE[p.phase];
    if (!groups.includes(p.group)) {
      const expected = groups.map((g) => `"${g}"`).join(' | ');
      ctx.addIssue({
        code: 'custom',
        path: ['group'],
        message: `expected ${expected} in phase "${p.phase}"`,
      });
    }
    if (p.phase === 'planning' && p.planSection === undefined) {
      ctx.addIssue({ code: 'custom', path: ['planSection'], message: 'required for a planning persona' });
    }
    if (p.phase !== 'planning' && p.planSection !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['planSection'],
        message: 'only planning personas own a plan section',
      });
    }
  });

// A compile-time check that the schema's output is exactly what the rest of the code calls a Persona.
type Parsed = z.output<typeof personaFileSchema>;
const _sameShape: [Parsed, Persona] extends [Persona, Parsed] ? true : never = true;
void _sameShape;
