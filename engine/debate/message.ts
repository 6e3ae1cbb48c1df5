import type { TurnMessage } from '../../db/repositories/turns.ts';
import type { MessageType } from '../../db/schema.ts';
import type { Persona } from '../../personas/types.ts';
import { MESSAGE_MAX_CHARS } from '../constants.ts';
import type { HistoryEntry, StepTag } from './history.ts';
import { LABELS } from './labels.ts';
import type { Cast } from './plan/cast.ts';
import type { ActiveStep } from './plan/planner.ts';
import type { Usage } from './run/llm-call.ts';
import type { Verdict } from './verdict.ts';

/** What a step produced, before it becomes a row. */
export interface Draft {
  content: string;
  model: string | null;
  usages: Usage[];
  /** Extra message metadata, e.g. the parsed verdict. */
  meta: Record<string, unknown>;
}

export const MODERATOR_ID = 'moderator';

export function messageTypeOf(step: ActiveStep): MessageType {
  switch (step.kind) {
    case 'turn':
      return step.reaction;
    case 'verdict':
      return 'verdict';
    case 'section':
    case 'final':
      return 'plan';
    default:
      return 'summary';
  }
}

export function speakerOf(step: ActiveStep, cast: Cast): Persona | undefined {
  return 'speakerId' in step ? cast.byId.get(step.speakerId) : undefined;
}

/** The tag that lets the planner recognise this message as the step it was. */
export function stepTag(step: ActiveStep): StepTag {
  switch (step.kind) {
    case 'turn':
      return { kind: 'turn', cycle: step.cycle, round: step.round, slot: step.slot };
    case 'summary':
      return { kind: 'summary', cycle: step.cycle, round: step.round };
    case 'verdict':
      return { kind: 'verdict', cycle: step.cycle };
    case 'outcome':
      return {
        kind: 'outcome',
        cycle: step.cycle,
        outcome: step.decision.outcome,
        average: step.decision.average,
      };
    case 'section':
      return { kind: 'section', section: step.section };
    case 'final':
      return { kind: 'final' };
  }
}

/** The debate_messages row of a step: its turn index, author, links and spending. */
/**
 * The history entry a step leaves once committed, as the planner reads it (the content and a
 * verdict as given): a group's steps not committed yet, and debates replayed without a database.
 */
export function stepEntry(
  step: ActiveStep,
  turnIndex: number,
  fill: { id?: string; content?: string; verdict?: Verdict | null } = {},
): HistoryEntry {
  const speaker = 'speakerId' in step ? step.speakerId : MODERATOR_ID;
  return {
    id: fill.id ?? `m${turnIndex}`,
    turnIndex,
    authorKind: 'speakerId' in step ? 'persona' : 'system',
    agentId: speaker,
    agentName: speaker,
    type: messageTypeOf(step),
    phase: step.phase,
    round: step.round,
    content: fill.content ?? '',
    refs: step.refs,
    step: stepTag(step),
    verdict: fill.verdict ?? null,
    answerers: [],
  };
}

export function messageRow(p: {
  debateId: string;
  lang: 'ko' | 'en';
  step: ActiveStep;
  turnIndex: number;
  history: readonly HistoryEntry[];
  cast: Cast;
  draft: Draft;
  now: Date;
}): TurnMessage {
  const { step, draft } = p;
  const speaker = speakerOf(step, p.cast);
  const sum = (k: 'promptTokens' | 'completionTokens' | 'costUsd') =>
    draft.usages.reduce((n, u) => n + u[k], 0);
  const ids = step.refs
    .map((t) => p.history.find((e) => e.turnIndex === t)?.id)
    .filter((id): id is string => !!id);
  return {
    session_id: p.debateId,
    turn_index: p.turnIndex,
    phase: step.phase,
    round_number: step.round,
    author_kind: speaker ? 'persona' : 'system',
    agent_id: speaker?.id ?? MODERATOR_ID,
    agent_name: speaker?.name ?? LABELS[p.lang].moderator,
    message_type: messageTypeOf(step),
    content: draft.content,
    references: ids,
    personality_traits: speaker ? { ...speaker.personality } : null,
    token_count: sum('completionTokens'),
    prompt_tokens: sum('promptTokens'),
    completion_tokens: sum('completionTokens'),
    cost_usd: Number(sum('costUsd').toFixed(6)),
    model_used: draft.model,
    metadata: { step: stepTag(step), ...draft.meta },
    created_at: p.now,
  };
}

/** A model's answer as a message: trimmed, without a self-introduction prefix, capped. */
export function cleanAnswer(text: string, speaker: Persona | undefined): string {
  let out = text.trim();
  if (speaker) {
    // Models like to start with "Alex Kim:" or "**@OptimisticDev**:" although the prompt says not to.
    const names = [speaker.name, `@${speaker.handle}`, speaker.handle].map((n) =>
      n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
    out = out.replace(new RegExp(`^\\**(?:${names.join('|')})\\**\\s*[:：]\\s*`, 'i'), '');
  }
  return out.length > MESSAGE_MAX_CHARS ? `${out.slice(0, MESSAGE_MAX_CHARS - 1)}…` : out;
}
