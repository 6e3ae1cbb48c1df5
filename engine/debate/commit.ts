import { recordAgentMessage } from '../../db/repositories/agents.ts';
import { updateLeased } from '../../db/repositories/debate-leases.ts';
import { insertMessage } from '../../db/repositories/debate-messages.ts';
import { setIdeaStatus } from '../../db/repositories/ideas.ts';
import { appendPlanSection, SECTION_COLUMNS, setFinalPlan } from '../../db/repositories/plans.ts';
import type {
  DebateMessageRow,
  DebateSessionRow,
  DebateSessionUpdate,
  NewDebateMessage,
} from '../../db/schema.ts';
import { settle } from '../budget/index.ts';
import type { Engine } from './engine.ts';
import type { Usage } from './llm-call.ts';
import type { ActiveStep } from './planner.ts';

/** The commit found the lease gone (another runner owns the debate) or the debate stopped: nothing was written. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(readonly debateId: string) {
    super(`lease on debate ${debateId} was lost; the turn was not committed`);
  }
}

export interface CommitInput {
  session: DebateSessionRow;
  step: ActiveStep;
  row: NewDebateMessage;
  usages: readonly Usage[];
  idea: { id: string; title: string };
  /** The speaker's @handle, for the byline of a plan section. */
  handle?: string | undefined;
}

/**
 * One turn, one short transaction: the message with its turn index, its usage (api_usage and the
 * debate's totals), the persona's counters and what the step changes (summary, outcome, plan,
 * idea status). Fenced by the lease, so a runner that lost the debate commits nothing.
 */
export function commitStep(
  engine: Engine,
  input: CommitInput,
): Promise<{ message: DebateMessageRow; session: DebateSessionRow }> {
  const { db, clock, instanceId, settings } = engine;
  const { step, row, session } = input;
  const now = clock.now();
  return db.transaction().execute(async (trx) => {
    const updated = await updateLeased(trx, {
      id: session.id,
      owner: instanceId,
      now,
      ttlMs: settings.leaseMs,
      statuses: ['active', 'paused'],
      set: sessionChanges(input),
    });
    if (!updated) throw new LeaseLostError(session.id);
    const message = await insertMessage(trx, row);
    for (const u of input.usages) await settle(trx, { ...u, debateId: session.id, now });
    if (row.author_kind === 'persona') {
      const tokens = (row.prompt_tokens ?? 0) + (row.completion_tokens ?? 0);
      await recordAgentMessage(trx, { id: row.agent_id, name: row.agent_name, tokens, now });
    }
    const plan = {
      debateId: session.id,
      ideaId: input.idea.id,
      title: input.idea.title,
      text: row.content,
      now,
    };
    if (step.kind === 'outcome' && step.decision.outcome !== 'needs_refinement') {
      await setIdeaStatus(trx, input.idea.id, step.decision.outcome, {
        now,
        score: step.decision.average ?? 0,
      });
    } else if (step.kind === 'section') {
      const byline = `**${row.agent_name}**${input.handle ? ` (@${input.handle})` : ''}`;
      await appendPlanSection(trx, {
        ...plan,
        column: SECTION_COLUMNS[step.section],
        text: `${byline}\n\n${row.content}`,
      });
    } else if (step.kind === 'final') {
      await setFinalPlan(trx, plan);
      await setIdeaStatus(trx, input.idea.id, 'planned', { now });
    }
    return { message, session: updated };
  });
}

function sessionChanges({ step, row, session }: CommitInput): DebateSessionUpdate {
  const set: DebateSessionUpdate = { turn_in_flight: null };
  const participants = session.participants ?? [];
  if (row.author_kind === 'persona' && !participants.includes(row.agent_id)) {
    set.participants = [...participants, row.agent_id];
  }
  if (step.kind === 'summary') set.summary = row.content;
  if (step.kind === 'outcome') set.outcome = step.decision.outcome;
  return set;
}
