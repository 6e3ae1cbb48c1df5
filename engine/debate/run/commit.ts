import { SECTION_COLUMNS } from '../../../db/repositories/plans.ts';
import { commitTurn, type TurnCommit, type TurnMessage } from '../../../db/repositories/turns.ts';
import type { DebateMessageRow, DebateSessionRow } from '../../../db/schema.ts';
import type { Engine } from '../engine.ts';
import { isDecided } from '../plan/outcome.ts';
import type { ActiveStep } from '../plan/planner.ts';
import type { Usage } from './llm-call.ts';

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
  row: TurnMessage;
  usages: readonly Usage[];
  idea: { id: string; title: string };
  /** The speaker's @handle, for the byline of a plan section. */
  handle?: string | undefined;
}

/**
 * One turn, one short transaction: the message with its turn index and commit number, its usage
 * (the debate's totals, its holds given back), and for planning steps the plan write and the
 * idea's status, fenced by the lease — one statement (commitTurn). The budget window, persona
 * counters and api_usage are folded later (foldTurnStats).
 */
export async function commitStep(
  engine: Pick<Engine, 'db' | 'clock' | 'instanceId' | 'settings' | 'leases'>,
  input: CommitInput,
): Promise<{ message: DebateMessageRow; session: DebateSessionRow }> {
  const { db, clock, instanceId, settings } = engine;
  const { row, session } = input;
  const now = clock.now();
  const set = sessionChanges(input);
  const commit: TurnCommit = {
    lease: { id: session.id, owner: instanceId, now, ttlMs: settings.leaseMs },
    message: row,
    set,
    usages: input.usages.map((u) => ({
      provider: u.provider,
      model: u.model,
      input: u.promptTokens,
      output: u.completionTokens,
      cost: Number(u.costUsd.toFixed(6)),
      ...(u.hold ? { held: u.hold.amountUsd, held_day: u.hold.day } : {}),
    })),
    ...stepEffects(input),
  };
  const message = await commitTurn(db, commit);
  if (!message) throw new LeaseLostError(session.id);
  engine.leases.extended(session.id, now);
  const cost = commit.usages.reduce((n, u) => n + u.cost, 0);
  const held = commit.usages.reduce((n, u) => n + (u.held ?? 0), 0);
  const updated: DebateSessionRow = {
    ...session,
    ...set,
    turn_in_flight: null,
    turn_speaker: null,
    next_seq: session.next_seq + 1,
    prompt_tokens: session.prompt_tokens + (row.prompt_tokens ?? 0),
    completion_tokens: session.completion_tokens + (row.completion_tokens ?? 0),
    cost_usd: (Number(session.cost_usd) + cost).toFixed(6),
    held_usd: Math.max(Number(session.held_usd) - held, 0).toFixed(6),
    updated_at: now,
  };
  return { message, session: updated };
}

/** The plan and idea writes of an outcome, a plan section or the final plan; none for other steps. */
function stepEffects(input: CommitInput): Pick<TurnCommit, 'plan' | 'idea'> {
  const { step, row, idea } = input;
  // Only a decision moves the idea: needs_refinement goes on, unreadable decided nothing.
  if (
    step.kind === 'outcome' &&
    (step.decision.outcome === 'selected' || step.decision.outcome === 'rejected')
  ) {
    return { idea: { id: idea.id, status: step.decision.outcome, score: step.decision.average ?? 0 } };
  }
  if (step.kind === 'section') {
    const byline = `**${row.agent_name}**${input.handle ? ` (@${input.handle})` : ''}`;
    const column = SECTION_COLUMNS[step.section];
    const text = `${byline}\n\n${row.content}`;
    return { plan: { kind: 'section', ideaId: idea.id, title: idea.title, column, text } };
  }
  if (step.kind === 'final') {
    return {
      plan: { kind: 'final', ideaId: idea.id, title: idea.title, text: row.content },
      idea: { id: idea.id, status: 'planned' },
    };
  }
  return {};
}

function sessionChanges({ step, row, session }: CommitInput): TurnCommit['set'] {
  const set: TurnCommit['set'] = {};
  const participants = session.participants ?? [];
  if (row.author_kind === 'persona' && !participants.includes(row.agent_id)) {
    set.participants = [...participants, row.agent_id];
  }
  if (step.kind === 'summary') set.summary = row.content;
  // Unreadable verdicts decide nothing: the debate has no outcome until the evaluators are read.
  if (step.kind === 'outcome') set.outcome = isDecided(step.decision.outcome) ? step.decision.outcome : null;
  return set;
}
