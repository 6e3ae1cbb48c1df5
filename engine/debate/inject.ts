import { z } from 'zod';
import { insertMessage, latestMessageBy } from '../../db/repositories/debate-messages.ts';
import { insertWithNextTurnIndex } from '../../db/repositories/debates.ts';
import type { HumanMessageInput } from '../api.ts';
import { HUMAN_TEXT_MAX_CHARS } from '../constants.ts';
import type { DebateMessageView } from '../events.ts';
import { sanitizeName, stripControl } from '../text/sanitize.ts';
import { isDebateId } from './control.ts';
import type { Engine } from './engine.ts';
import { DebateInputError } from './errors.ts';
import { answerersFor } from './plan/mentions.ts';
import { planNextStep } from './plan/planner.ts';
import { loadRun, modelAware } from './run/run-state.ts';
import { toMessageView } from './views.ts';

const HumanSchema = z.object({
  // Stored sanitised: one line, no control characters (prompts quote it again anyway).
  author: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .transform((v) => sanitizeName(v)),
  authorId: z.string().trim().min(1).max(100),
  text: z.string().transform(stripControl).pipe(z.string().trim().min(1).max(HUMAN_TEXT_MAX_CHARS)),
  replyToPersonaId: z.string().max(100).optional(),
  sourceId: z.string().trim().min(1).max(200).optional(),
});

export type InjectResult =
  | { ok: true; message: DebateMessageView; nextPersonaId: string | null }
  | { ok: false; reason: 'not_found' | 'already_finished' | 'duplicate' };

/**
 * Stores a person's message at once (after any turn in flight) and announces it. The runner then
 * answers it next: a persona named by @handle, or replied to, speaks first, even out of phase order.
 * Invalid input throws a DebateInputError.
 */
export async function injectHuman(
  engine: Engine,
  debateId: string,
  input: HumanMessageInput,
): Promise<InjectResult> {
  const parsed = HumanSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DebateInputError(`${issue.path.join('.')}: ${issue.message}`, 'invalid_input');
  }
  const v = parsed.data;
  if (!isDebateId(debateId)) return { ok: false, reason: 'not_found' };
  const answerers = answerersFor(v.text, v.replyToPersonaId, engine.cast.all);
  const now = engine.clock.now();
  const inserted = await insertWithNextTurnIndex(
    engine.db,
    debateId,
    async (trx, session, { turnIndex, commitSeq }) => {
      // A reply to a persona's post links to that persona's latest message.
      const repliedTo = v.replyToPersonaId
        ? await latestMessageBy(trx, debateId, v.replyToPersonaId)
        : undefined;
      const message = await insertMessage(trx, {
        session_id: debateId,
        turn_index: turnIndex,
        commit_seq: commitSeq,
        phase: session.phase,
        round_number: session.round_number,
        author_kind: 'human',
        agent_id: v.authorId,
        agent_name: v.author,
        message_type: 'human',
        content: v.text,
        references: repliedTo ? [repliedTo.id] : [],
        metadata: { human: { answerers } },
        created_at: now,
        source_id: v.sourceId ?? null,
      });
      return { message, session };
    },
    v.sourceId,
  );
  if (!inserted.ok) return inserted;
  const { message, session } = inserted.value;
  const view = toMessageView(message, engine.cast);
  await engine.emit({ type: 'message.created', debateId, message: view });
  await engine.note('info', 'a person joined the debate', {
    debateId,
    turnIndex: message.turn_index,
    answerers,
  });
  if (answerers[0]) return { ok: true, message: view, nextPersonaId: answerers[0] };
  // Otherwise the next scheduled speaker answers: known now, unless a turn in flight must end first.
  if (session.turn_in_flight !== null) return { ok: true, message: view, nextPersonaId: null };
  const run = await loadRun(engine, session);
  const step = planNextStep(modelAware(engine, run), run.history);
  return { ok: true, message: view, nextPersonaId: 'speakerId' in step ? step.speakerId : null };
}
