import { z } from 'zod';
import type { AuthorKind, DebateMessageRow, MessageType } from '../../db/schema.ts';
import type { Phase, PlanSection } from '../../personas/types.ts';
import { type Verdict, VerdictSchema } from './verdict.ts';

export const PLAN_SECTIONS = [
  'prd',
  'architecture',
  'user_research',
  'business_model',
  'project_plan',
] as const;
// `unreadable`: too few verdicts could be read to decide; not an outcome of the debate.
const OUTCOMES = ['selected', 'rejected', 'needs_refinement', 'unreadable'] as const;

const cycle = z.number().int().min(1);
const round = z.number().int().min(1);

/**
 * What step of the debate a committed engine message was. Stored in the message's metadata, it is
 * what lets the planner derive the next step from committed messages alone.
 */
export const StepTagSchema = z.discriminatedUnion('kind', [
  // slot: position in the round's lineup; null for an extra turn answering a person.
  z.object({ kind: z.literal('turn'), cycle, round, slot: z.number().int().min(0).nullable() }),
  z.object({ kind: z.literal('summary'), cycle, round }),
  z.object({ kind: z.literal('verdict'), cycle }),
  z.object({ kind: z.literal('outcome'), cycle, outcome: z.enum(OUTCOMES), average: z.number().nullable() }),
  z.object({ kind: z.literal('section'), section: z.enum(PLAN_SECTIONS) }),
  z.object({ kind: z.literal('final') }),
]);

export type StepTag = z.infer<typeof StepTagSchema>;

const MessageMetaSchema = z.object({
  step: StepTagSchema.optional(),
  verdict: VerdictSchema.nullish(),
  human: z.object({ answerers: z.array(z.string()) }).optional(),
});

/** A committed message as the planner sees it: positions, authors and links by turn index. */
export interface HistoryEntry {
  id: string;
  turnIndex: number;
  authorKind: AuthorKind;
  agentId: string;
  agentName: string;
  type: MessageType;
  phase: Phase;
  round: number;
  content: string;
  /** Turn indexes of the messages this one answers. */
  refs: number[];
  step: StepTag | null;
  verdict: Verdict | null;
  /** Human messages: personas asked to answer (by @handle or reply), in order. */
  answerers: string[];
}

/** Maps rows (any order) to history entries ordered by turn index. */
export function toHistory(rows: readonly DebateMessageRow[]): HistoryEntry[] {
  const sorted = [...rows].sort((a, b) => a.turn_index - b.turn_index);
  const turnOf = new Map(sorted.map((r) => [r.id, r.turn_index]));
  return sorted.map((row) => toEntry(row, turnOf));
}

/** Adds a freshly committed row to a history, keeping turn order (a replayed turn lands before later ones). */
export function withEntry(history: readonly HistoryEntry[], row: DebateMessageRow): HistoryEntry[] {
  const turnOf = new Map(history.map((e) => [e.id, e.turnIndex]));
  const entry = toEntry(row, turnOf);
  return [
    ...history.filter((e) => e.turnIndex < entry.turnIndex),
    entry,
    ...history.filter((e) => e.turnIndex > entry.turnIndex),
  ];
}

function toEntry(row: DebateMessageRow, turnOf: ReadonlyMap<string, number>): HistoryEntry {
  const meta = MessageMetaSchema.safeParse(row.metadata ?? {});
  const m = meta.success ? meta.data : {};
  return {
    id: row.id,
    turnIndex: row.turn_index,
    authorKind: row.author_kind,
    agentId: row.agent_id,
    agentName: row.agent_name,
    type: row.message_type,
    phase: row.phase,
    round: row.round_number,
    content: row.content,
    refs: (row.references ?? []).map((id) => turnOf.get(id)).filter((t): t is number => t !== undefined),
    step: m.step ?? null,
    verdict: m.verdict ?? null,
    answerers: m.human?.answerers ?? [],
  };
}

/** Turn index the next message takes. */
export function nextTurnIndex(history: readonly HistoryEntry[]): number {
  return history.length === 0 ? 0 : history[history.length - 1]!.turnIndex + 1;
}

/** Whether a later engine message (any step) already answers this one. */
export function isAnswered(history: readonly HistoryEntry[], target: HistoryEntry): boolean {
  return history.some(
    (e) => e.turnIndex > target.turnIndex && e.authorKind !== 'human' && e.refs.includes(target.turnIndex),
  );
}

export function isPlanSection(value: string): value is PlanSection {
  return (PLAN_SECTIONS as readonly string[]).includes(value);
}
