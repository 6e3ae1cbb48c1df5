import { z } from 'zod';

const id = z.string().trim().min(1).max(100);

export const startDebateBody = z
  .object({
    idea: z.string().trim().min(3, 'the idea needs at least 3 characters').max(2000).optional(),
    ideaId: z.uuid().optional(),
    rounds: z.number().int().min(1).max(10).optional(),
    lang: z.enum(['ko', 'en']).optional(),
    budgetCapUsd: z.number().positive().max(10_000).optional(),
    startedBy: z.string().trim().min(1).max(80).optional(),
  })
  .strict()
  .refine((b) => b.idea !== undefined || b.ideaId !== undefined, {
    message: 'give an idea (text) or an ideaId',
    path: ['idea'],
  })
  .refine((b) => b.idea === undefined || b.ideaId === undefined, {
    message: 'give an idea (text) or an ideaId, not both',
    path: ['ideaId'],
  });

export const pauseBody = z.object({ reason: z.string().trim().min(1).max(50).optional() }).strict();
export const emptyBody = z.object({}).strict();

export const humanMessageBody = z
  .object({
    text: z.string().trim().min(1, 'the message is empty').max(4000),
    author: z.string().trim().min(1).max(80).optional(),
    replyToPersonaId: id.optional(),
  })
  .strict();

/** A person's idea from the dashboard: the same 3–500 character rule as `arena ideas add`. */
export const addIdeaBody = z
  .object({
    title: z.string().trim().min(3, 'the idea needs at least 3 characters').max(500),
    summary: z.string().trim().min(1).max(2000).optional(),
    by: z.string().trim().min(1).max(80).optional(),
  })
  .strict();

export const debateIdParam = z.uuid({ message: 'not a debate id' });

const limit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).optional().default(fallback);

export const debatesQuery = z.object({
  status: z.enum(['active', 'paused', 'completed', 'cancelled', 'failed']).optional(),
  limit: limit(200, 50),
});

export const ideasQuery = z.object({
  status: z.enum(['pending', 'in_debate', 'selected', 'rejected', 'planned']).optional(),
  limit: limit(500, 100),
});

export const signalsQuery = z.object({
  source: z.string().trim().min(1).max(50).optional(),
  category: z.string().trim().min(1).max(50).optional(),
  /** Hours to look back for the best-scored list. */
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .optional()
    .default(72),
  limit: limit(500, 50),
  /** `score` (default): the best-scored of the last `hours`, or of a source or category; `newest`: newest first. */
  order: z.enum(['score', 'newest']).optional(),
});

export const trendsQuery = z.object({
  period: z.enum(['24h', '7d', '30d']).optional().default('24h'),
  limit: limit(100, 10),
});
