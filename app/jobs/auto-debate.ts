import type { Kysely } from 'kysely';
import { topPendingIdea } from '../../db/repositories/ideas.ts';
import type { Database } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';

/** Where the daily debate goes: a channel on a connected chat platform, opened and mirrored by the bot. */
export interface DebateThreadTarget {
  /** e.g. `discord:<guild>/<channel>`, for messages. */
  label: string;
  /** Opens a thread for the debate and returns a function that binds the debate to it. */
  openThread(title: string): Promise<{ bind(debateId: string): Promise<void> }>;
}

/**
 * `debate.auto`: the top pending idea is debated in a new thread of the configured channel, as if a
 * person had typed `/arena start` there. Nothing pending: nothing happens.
 */
export async function autoDebate(deps: {
  db: Kysely<Database>;
  arena: Arena;
  target: DebateThreadTarget;
}): Promise<Record<string, unknown>> {
  const idea = await topPendingIdea(deps.db);
  if (!idea) return { started: false, reason: 'no pending idea' };
  // The thread first, as `/arena start` does: a debate nobody can see would spend the budget.
  const thread = await deps.target.openThread(idea.title.slice(0, 100));
  const started = await deps.arena.startDebate({
    ideaId: idea.id,
    origin: 'scheduler',
    startedBy: 'debate.auto',
  });
  await thread.bind(started.debateId);
  return {
    started: true,
    ideaId: idea.id,
    debateId: started.debateId,
    title: idea.title,
    channel: deps.target.label,
  };
}
