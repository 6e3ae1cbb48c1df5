import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ideaHasOpenDebate, insertDebate } from '../../db/repositories/debates.ts';
import { getIdea, insertIdea, setIdeaStatus } from '../../db/repositories/ideas.ts';
import type { StartDebateInput } from '../api.ts';
import { IDEA_MAX_CHARS, IDEA_MIN_CHARS, IDEA_TITLE_MAX_CHARS, MAX_ROUNDS } from '../constants.ts';
import { oneLineSafe, stripControl } from '../text/sanitize.ts';
import type { Engine } from './engine.ts';
import { DebateInputError, DebateRefusedError } from './errors.ts';
import type { DebateMeta } from './meta.ts';

const StartSchema = z
  .object({
    // Control characters are stripped at this edge: a stored idea never clears a terminal.
    idea: z
      .string()
      .transform(stripControl)
      .pipe(
        z
          .string()
          .trim()
          .min(IDEA_MIN_CHARS, `the idea needs at least ${IDEA_MIN_CHARS} characters`)
          .max(IDEA_MAX_CHARS, `the idea may have at most ${IDEA_MAX_CHARS} characters`),
      )
      .optional(),
    ideaId: z.uuid().optional(),
    rounds: z
      .number()
      .int(`expected a whole number from 1 to ${MAX_ROUNDS}`)
      .min(1, `expected a whole number from 1 to ${MAX_ROUNDS}`)
      .max(MAX_ROUNDS, `expected a whole number from 1 to ${MAX_ROUNDS}`)
      .optional(),
    lang: z.enum(['ko', 'en']).optional(),
    origin: z.string().trim().min(1).max(40),
    startedBy: z.string().transform(oneLineSafe).pipe(z.string().max(100)).optional(),
    budgetCapUsd: z.number().nonnegative().finite().optional(),
    /** Pins the planner's seed (tests compare runs of one debate); the debate id otherwise. */
    seed: z.string().min(1).max(100).optional(),
  })
  .refine((v) => v.idea !== undefined || v.ideaId !== undefined, {
    message: 'an idea text or an ideaId is required',
  });

export type StartInput = StartDebateInput & { seed?: string };

/**
 * Creates the debate (and the idea, for free text) in one transaction and announces it. Refused
 * (DebateRefusedError, nothing created) while the LLM router's queue is full or the provider does
 * not answer: accepting work the models cannot do would only leave debates waiting or paused.
 */
export async function startDebate(
  engine: Engine,
  input: StartInput,
): Promise<{ debateId: string; ideaId: string; title: string }> {
  const parsed = StartSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DebateInputError(`${issue.path.join('.') || 'input'}: ${issue.message}`, 'invalid_input');
  }
  const v = parsed.data;
  const admission = await engine.admit();
  if (!admission.ok && admission.reason === 'llm_unreachable')
    throw new DebateRefusedError(admission.detail, admission.reason);
  if (!admission.ok) {
    throw new DebateRefusedError(
      `the arena is busy: ${admission.detail}`,
      admission.reason,
      admission.retryAfterSeconds,
    );
  }
  const { db, clock, settings } = engine;
  const now = clock.now();
  const id = randomUUID();
  const lang = v.lang ?? settings.lang;
  const cap = v.budgetCapUsd ?? settings.budget.debateUsd;
  const meta: DebateMeta = {
    rounds: v.rounds ?? settings.rounds,
    seed: v.seed ?? id,
    origin: v.origin,
    startedBy: v.startedBy ?? null,
    budgetCapUsd: Number.isFinite(cap) ? cap : null,
  };
  const idea = await db.transaction().execute(async (trx) => {
    const idea = v.ideaId
      ? await existingIdea(trx, v.ideaId)
      : await insertIdea(trx, {
          title: titleOf(v.idea!),
          summary: v.idea!,
          source_type: 'manual',
          metadata: { origin: v.origin, startedBy: v.startedBy ?? null },
          created_at: now,
          updated_at: now,
        });
    await setIdeaStatus(trx, idea.id, 'in_debate', { now });
    await insertDebate(trx, {
      id,
      idea_id: idea.id,
      phase: 'divergence',
      round_number: 1,
      status: 'active',
      lang,
      participants: [],
      metadata: meta,
      started_at: now,
      created_at: now,
      updated_at: now,
    });
    // Bound where it was started in the same transaction: never a debate spending with no thread.
    await input.withinCreation?.(trx, id);
    return idea;
  });
  await engine.emit({
    type: 'debate.created',
    debateId: id,
    ideaId: idea.id,
    title: idea.title,
    lang,
    rounds: meta.rounds,
    origin: v.origin,
  });
  await engine.note('info', 'debate started', {
    debateId: id,
    ideaId: idea.id,
    origin: v.origin,
    rounds: meta.rounds,
    lang,
  });
  return { debateId: id, ideaId: idea.id, title: idea.title };
}

async function existingIdea(db: Engine['db'], ideaId: string) {
  const idea = await getIdea(db, ideaId);
  if (!idea) throw new DebateInputError(`no idea with id ${ideaId}`, 'idea_not_found');
  if (await ideaHasOpenDebate(db, ideaId)) {
    throw new DebateInputError(`idea ${ideaId} is already being debated`, 'idea_busy');
  }
  return idea;
}

/** The first line of an idea, cut at a word boundary: a title for lists and chat threads. */
export function titleOf(text: string): string {
  const line = text.trim().split('\n')[0]!.replace(/\s+/g, ' ');
  if (line.length <= IDEA_TITLE_MAX_CHARS) return line;
  const cut = line.slice(0, IDEA_TITLE_MAX_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > IDEA_TITLE_MAX_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}
