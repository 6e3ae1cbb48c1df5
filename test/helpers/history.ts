import type { HistoryEntry } from '../../engine/debate/history.ts';

/** A person's message in a debate's history (divergence, round 1), asking `answerers` if any. */
export function humanEntry(turnIndex: number, content: string, answerers: string[] = []): HistoryEntry {
  return {
    id: `m${turnIndex}`,
    turnIndex,
    authorKind: 'human',
    agentId: 'discord:1',
    agentName: 'Jane',
    type: 'human',
    phase: 'divergence',
    round: 1,
    content,
    refs: [],
    step: null,
    verdict: null,
    answerers,
  };
}
