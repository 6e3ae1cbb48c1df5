import type { Kysely } from 'kysely';
import { requestThread } from '../../db/repositories/chat-thread-requests.ts';
import { topPendingIdea } from '../../db/repositories/ideas.ts';
import type { ChatPlatformName, Database } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';

/** Where the daily debate goes: a channel on a configured chat platform (AUTO_DEBATE_CHANNEL). */
export interface DebateThreadTarget {
  /** e.g. `discord:<guild>/<channel>`, for messages. */
  label: string;
  platform: ChatPlatformName;
  workspaceId: string;
  channelId: string;
}

/**
 * `debate.auto`: the top pending idea is debated in a new thread of the configured channel, as if a
 * person had typed `/arena start` there. The debate and a request for its thread are written in one
 * transaction, so whichever process runs the job (a worker has no chat connection), a bot process
 * opens the thread and binds it (bot/thread-requests.ts), and delivery posts the debate from its
 * log, from the first turn. Nothing pending: nothing happens.
 */
export async function autoDebate(deps: {
  db: Kysely<Database>;
  arena: Arena;
  target: DebateThreadTarget;
}): Promise<Record<string, unknown>> {
  const { target } = deps;
  const idea = await topPendingIdea(deps.db);
  if (!idea) return { started: false, reason: 'no pending idea' };
  const started = await deps.arena.startDebate({
    ideaId: idea.id,
    origin: 'scheduler',
    startedBy: 'debate.auto',
    withinCreation: (trx, debateId) =>
      requestThread(trx, {
        platform: target.platform,
        workspaceId: target.workspaceId,
        channelId: target.channelId,
        title: idea.title,
        debateId,
        createdBy: 'debate.auto',
      }),
  });
  return {
    started: true,
    ideaId: idea.id,
    debateId: started.debateId,
    title: idea.title,
    channel: target.label,
    thread: 'requested',
  };
}

/**
 * AUTO_DEBATE_CHANNEL (`discord:<workspace>/<channel>`, validated by config) when its platform is
 * configured here; the bot processes share this configuration and open the thread.
 */
export function debateTargetOf(
  channel: string | undefined,
  configured: (platform: string) => boolean,
): DebateThreadTarget | undefined {
  if (!channel) return undefined;
  const [platform = '', rest = ''] = channel.split(/:(.*)/s);
  const [workspaceId = '', channelId = ''] = rest.split('/');
  if (!configured(platform)) return undefined;
  return { label: channel, platform: platform as ChatPlatformName, workspaceId, channelId };
}
