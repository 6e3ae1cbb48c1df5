import { END } from '@langchain/langgraph';
import type { ChatMetadata } from '../../engine/llm/types.ts';
import { buildSystemPrompt } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import type { ScriptStep } from '../script.ts';

/** Graph nodes, one per kind of debate step. */
export const NODES = {
  turn: 'diverge',
  summary: 'summarize',
  verdict: 'evaluate',
  outcome: 'decide',
  section: 'write_section',
  final: 'write_final',
} as const;

export type NodeName = (typeof NODES)[ScriptStep['kind']];
export const NODE_NAMES = Object.values(NODES);

/** Messages of the transcript a prompt carries: about what the arena fits in a 4k context. */
export const RECENT_MESSAGES = 8;

/** Where the graph goes after `stepIndex` steps: the node of the next scripted step, or the end. */
export function nextNode(script: readonly ScriptStep[], stepIndex: number): NodeName | typeof END {
  const step = script[stepIndex];
  return step ? NODES[step.kind] : END;
}

const MODERATOR =
  'You are the neutral moderator of a product debate. Summarise what was said, who agreed and what is open.';

/** The speaker's system prompt, built per call as the arena builds it. */
export function systemPrompt(personas: ReadonlyMap<string, Persona>, step: ScriptStep): string {
  const persona = personas.get(step.speaker);
  return persona ? buildSystemPrompt(persona, { lang: 'en', phase: step.phase }) : MODERATOR;
}

/** The task line of a step, after the transcript. */
export function brief(step: ScriptStep, idea: string): string {
  switch (step.kind) {
    case 'verdict':
      return `Score the idea "${idea}" from 1 to 10 as JSON: {"score", "strengths", "risks", "conditions"}.`;
    case 'summary':
      return `Summarise the discussion of "${idea}" so far.`;
    case 'section':
      return `Write the ${step.section ?? 'plan'} section of the plan for "${idea}".`;
    case 'final':
      return `Compose the final plan for "${idea}" from the sections above.`;
    default:
      return `Your turn (${step.reaction}) on "${idea}": answer the latest messages.`;
  }
}

/** The metadata the fake model composes its reply from: the same as the arena sends. */
export function metadataOf(step: ScriptStep, idea: string, turnIndex: number): ChatMetadata {
  const task =
    step.kind === 'section' || step.kind === 'final' ? 'plan' : step.kind === 'outcome' ? 'turn' : step.kind;
  return {
    personaId: step.speaker,
    task,
    lang: 'en',
    phase: step.phase,
    idea,
    round: step.round,
    turnIndex,
    reaction: step.reaction,
    ...(step.kind === 'section' && step.section ? { planSection: step.section } : {}),
    ...(step.kind === 'final' ? { planSection: 'final' as const } : {}),
  };
}
