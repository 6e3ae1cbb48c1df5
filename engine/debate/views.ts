import type { DebateListRow } from '../../db/repositories/debates.ts';
import type { DebateMessageRow, PlanRow } from '../../db/schema.ts';
import type { DebateSummaryView, PlanView } from '../api.ts';
import type { DebateMessageView } from '../events.ts';
import { debateMeta } from './meta.ts';
import { type Cast, finalPlanAuthor, planWriters } from './plan/cast.ts';

// Rows become the views every viewer sees here, and only here.

export function toSummaryView(row: DebateListRow, cast: Cast): DebateSummaryView {
  const meta = debateMeta(row);
  // A refinement round comes on top of the planned rounds.
  const totalRounds = row.phase === 'divergence' ? Math.max(meta.rounds, row.round_number) : meta.rounds;
  return {
    id: row.id,
    ideaId: row.idea_id,
    title: row.title,
    status: row.status,
    pauseReason: row.pause_reason,
    phase: row.phase,
    round: row.round_number,
    totalRounds,
    progress: phaseProgress(row, cast, totalRounds),
    outcome: row.outcome,
    lang: row.lang === 'ko' ? 'ko' : 'en',
    messageCount: Number(row.message_count),
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    costUsd: Number(row.cost_usd),
    startedAt: new Date(row.started_at).toISOString(),
    completedAt: row.completed_at ? new Date(row.completed_at).toISOString() : null,
  };
}

function phaseProgress(row: DebateListRow, cast: Cast, totalRounds: number): DebateSummaryView['progress'] {
  if (row.phase === 'divergence') return { done: row.round_number, total: totalRounds };
  if (row.phase === 'convergence') {
    const total = cast.convergence.length;
    return { done: Math.min(Number(row.verdict_count), total), total };
  }
  const total = planWriters(cast).length + (finalPlanAuthor(cast) ? 1 : 0);
  return { done: Math.min(Number(row.plan_count), total), total };
}

export function toMessageView(row: DebateMessageRow, cast: Cast): DebateMessageView {
  const persona = row.author_kind === 'persona' ? cast.byId.get(row.agent_id) : undefined;
  return {
    id: row.id,
    debateId: row.session_id,
    turnIndex: row.turn_index,
    phase: row.phase,
    round: row.round_number,
    authorKind: row.author_kind,
    agentId: row.agent_id,
    agentName: row.agent_name,
    handle: persona?.handle ?? null,
    color: persona?.color ?? null,
    type: row.message_type,
    content: row.content,
    references: row.references ?? [],
    model: row.model_used,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    costUsd: Number(row.cost_usd),
    metadata: row.metadata,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function toPlanView(row: PlanRow): PlanView {
  return {
    id: row.id,
    title: row.title,
    prd: row.prd_content,
    architecture: row.architecture_content,
    userResearch: row.user_research_content,
    businessModel: row.business_model_content,
    projectPlan: row.project_plan_content,
    finalPlan: row.final_plan,
  };
}
