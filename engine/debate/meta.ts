import { z } from 'zod';
import type { DebateSessionRow } from '../../db/schema.ts';
import { DEFAULT_ROUNDS } from '../constants.ts';

/** Settings and bookkeeping a debate keeps in `debate_sessions.metadata`. */
export const DebateMetaSchema = z.object({
  rounds: z.number().int().min(1),
  /** Seeds every planning choice: the debate id unless a test pins it. */
  seed: z.string().min(1),
  origin: z.string(),
  startedBy: z.string().nullish(),
  /** Per-debate spending cap in USD; null when there is none. */
  budgetCapUsd: z.number().nonnegative().nullable(),
  /** Which budget window paused the debate, and when: a daily pause lifts when the day rolls over. */
  budgetWindow: z.enum(['day', 'month', 'debate']).nullish(),
  /** Estimated cost of the call the budget refused: what a resume needs room for. */
  budgetNeedUsd: z.number().nonnegative().nullish(),
  pausedAt: z.string().nullish(),
  /** Error pauses so far: the runner resumes an error pause by itself, waiting longer each time. */
  errorPauses: z.number().int().nonnegative().nullish(),
});

export type DebateMeta = z.infer<typeof DebateMetaSchema>;

/** The metadata of a debate row; a row written by hand or an older version runs with defaults. */
export function debateMeta(row: Pick<DebateSessionRow, 'metadata' | 'id'>): DebateMeta {
  const parsed = DebateMetaSchema.safeParse(row.metadata ?? {});
  return parsed.success
    ? parsed.data
    : { rounds: DEFAULT_ROUNDS, seed: row.id, origin: 'unknown', budgetCapUsd: null };
}
