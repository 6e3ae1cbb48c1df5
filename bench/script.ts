import type { DebateMessageRow } from '../db/schema.ts';
import type { Phase, PlanSection } from '../personas/types.ts';

/** One step of a debate as the framework comparison replays it. */
export interface ScriptStep {
  kind: 'turn' | 'summary' | 'verdict' | 'outcome' | 'section' | 'final';
  /** Persona id of the speaker; 'moderator' or 'system' for the engine's own messages. */
  speaker: string;
  phase: Phase;
  round: number;
  /** The message type, e.g. propose, challenge, verdict, plan. */
  reaction: string;
  section?: PlanSection;
}

/** The exact sequence of steps one arena debate took: same count, same speakers, same kinds. */
export type DebateScript = ScriptStep[];

/** Reads the shape of a finished debate from its committed messages. */
export function scriptOf(rows: readonly DebateMessageRow[]): DebateScript {
  return [...rows]
    .sort((a, b) => a.turn_index - b.turn_index)
    .filter((row) => row.author_kind !== 'human')
    .map((row) => {
      const step = (row.metadata as { step?: { kind?: string; section?: string } } | null)?.step;
      const kind = (step?.kind ??
        (row.message_type === 'verdict' ? 'verdict' : 'turn')) as ScriptStep['kind'];
      return {
        kind,
        speaker: row.agent_id,
        phase: row.phase,
        round: row.round_number,
        reaction: row.message_type,
        ...(step?.section ? { section: step.section as PlanSection } : {}),
      };
    });
}

/** Model calls a script makes: every step but the outcome note, which the engine writes itself. */
export function callsOf(script: DebateScript): number {
  return script.filter((s) => s.kind !== 'outcome').length;
}
