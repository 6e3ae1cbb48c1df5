import type { MessageType } from '../../../db/schema.ts';
import { interaction } from '../../../personas/interaction.ts';
import type { Persona } from '../../../personas/types.ts';
import { TARGET_WINDOW } from '../../constants.ts';
import type { HistoryEntry } from '../history.ts';
import { argMax, seededRng, weightedPick } from './random.ts';

export type Reaction = Extract<MessageType, 'propose' | 'support' | 'challenge' | 'refine' | 'merge'>;

export interface TurnChoice {
  reaction: Reaction;
  /** The message answered, or null for an opening proposal. */
  target: HistoryEntry | null;
  /** Turn indexes referenced: the target, plus a second message for a merge. */
  refs: number[];
}

export interface TurnChoiceInput {
  seed: string;
  turnIndex: number;
  round: number;
  speaker: Persona;
  /** Persona messages of the current discussion, oldest first. */
  discussion: readonly HistoryEntry[];
  personas: ReadonlyMap<string, Persona>;
  /** A person's message this turn must answer; overrides the choice of target. */
  human?: HistoryEntry | undefined;
  /** Answered when the discussion is empty, e.g. the previous outcome in a refinement round. */
  fallbackTarget?: HistoryEntry | undefined;
}

/**
 * The seed's `_select_response_target` and `_determine_reaction_type`: whom a persona answers and how,
 * from both personalities and the interaction patterns between them. Seeded, so a replay agrees.
 */
export function chooseTurn(input: TurnChoiceInput): TurnChoice {
  const rng = seededRng(input.seed, 'turn', input.turnIndex);
  if (input.human) {
    return {
      reaction: pickReaction(input.speaker, null, null, input.round, rng),
      target: input.human,
      refs: [input.human.turnIndex],
    };
  }
  const candidates = input.discussion.filter((m) => m.agentId !== input.speaker.id).slice(-TARGET_WINDOW);
  if (candidates.length === 0) {
    const fallback = input.fallbackTarget;
    return fallback
      ? { reaction: 'refine', target: fallback, refs: [fallback.turnIndex] }
      : { reaction: 'propose', target: null, refs: [] };
  }
  const target = pickTarget(input, candidates, rng);
  const second = argMax(
    candidates.filter((m) => m.agentId !== target.agentId),
    (m) => m.turnIndex,
  );
  const author = input.personas.get(target.agentId) ?? null;
  const reaction = pickReaction(input.speaker, author, second ?? null, input.round, rng, target.type);
  const refs = reaction === 'merge' && second ? [target.turnIndex, second.turnIndex] : [target.turnIndex];
  return { reaction, target, refs };
}

function pickTarget(input: TurnChoiceInput, candidates: HistoryEntry[], rng: () => number): HistoryEntry {
  const answers = (m: HistoryEntry) => input.discussion.filter((x) => x.refs.includes(m.turnIndex)).length;
  const lastOwn = [...input.discussion].reverse().find((m) => m.agentId === input.speaker.id);
  const lastAnsweredAuthor =
    lastOwn?.refs[0] !== undefined ? authorOf(input.discussion, lastOwn.refs[0]) : null;
  const jitter = candidates.map(() => rng());
  return argMax(candidates, (m) => {
    const author = input.personas.get(m.agentId);
    const i = candidates.indexOf(m);
    return (
      (i + 1) / candidates.length + // recent messages are the live thread
      (author ? interaction(input.speaker, author).length : 0) + // the seed's productive pairings
      (m.type === 'propose' ? 0.5 : 0) - // proposals invite reactions
      0.75 * answers(m) - // spread attention over the room
      (m.agentId === lastAnsweredAuthor ? 1 : 0) + // no ping-pong between two speakers
      0.5 * jitter[i]!
    );
  })!;
}

function authorOf(history: readonly HistoryEntry[], turnIndex: number): string | null {
  return history.find((m) => m.turnIndex === turnIndex)?.agentId ?? null;
}

function pickReaction(
  speaker: Persona,
  author: Persona | null,
  second: HistoryEntry | null,
  round: number,
  rng: () => number,
  targetType?: MessageType,
): Reaction {
  const p = speaker.personality;
  if (!author) {
    // Answering a person: engage with their point in the speaker's own style; never merge or ignore it.
    return weightedPick(
      {
        support: p.communication === 'supporter' ? 1.5 : 0.5,
        challenge: p.communication === 'challenger' ? 1 : 0.3,
        refine: 1.2,
      },
      rng,
    );
  }
  const q = author.personality;
  return weightedPick(
    {
      support: (p.communication === 'supporter' ? 2 : 0.4) + (p.thinking === q.thinking ? 0.8 : 0),
      challenge:
        (p.communication === 'challenger' ? 2 : 0.3) +
        (p.thinking === 'cautious' && q.thinking === 'optimistic' ? 1.2 : 0),
      refine:
        1 +
        (p.action === 'pragmatic' && q.action === 'innovative' ? 1.2 : 0) +
        (targetType === 'challenge' ? 0.5 : 0), // a critique invites a fix
      merge: second ? 0.6 + (p.decision === 'analytical' ? 0.6 : 0) + (round >= 2 ? 0.8 : 0) : 0,
      propose: p.action === 'innovative' ? 0.7 : 0.2,
    },
    rng,
  );
}
