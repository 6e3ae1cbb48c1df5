import { type Kysely, sql } from 'kysely';
import { createChatBot } from '../../bot/chat-bot.ts';
import type { ChatPlatform } from '../../bot/platform.ts';
import { transitionDebate } from '../../db/repositories/debates.ts';
import type { Database } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { ArenaEvent, EventBus } from '../../engine/events.ts';
import { silentLogger } from '../../engine/log.ts';
import type { Persona } from '../../personas/types.ts';

/**
 * The fake arena keeps debates in memory, but chat rows reference debate rows: this bus writes the
 * debate and each message to the database before passing the event on, as the engine commits
 * before it announces.
 */
export function committingBus(db: Kysely<Database>, inner: EventBus = createMemoryBus()): EventBus {
  return {
    async publish(e: ArenaEvent) {
      if (e.type === 'debate.created') {
        await db
          .insertInto('ideas')
          .values({ id: e.ideaId, title: e.title, summary: e.title, source_type: 'user' })
          .execute();
        await db
          .insertInto('debate_sessions')
          .values({
            id: e.debateId,
            idea_id: e.ideaId,
            phase: 'divergence',
            lang: e.lang,
            metadata: { rounds: e.rounds },
          })
          .execute();
      }
      // The session row follows what the engine would have committed, since delivery reads it.
      const session = (set: Record<string, unknown>) =>
        db
          .updateTable('debate_sessions')
          .set(set)
          .where('id', '=', (e as { debateId: string }).debateId)
          .execute();
      if (e.type === 'phase.changed') await session({ phase: e.phase, round_number: e.round });
      if (e.type === 'turn.started') await session({ turn_in_flight: e.turnIndex });
      // Transitions write their notice as the engine's do (the thread learns of them from the log).
      if (e.type === 'debate.paused') {
        await transitionDebate(
          db,
          e.debateId,
          ['active'],
          { status: 'paused', pause_reason: e.reason },
          { kind: 'paused', reason: e.reason },
        );
      }
      if (e.type === 'debate.resumed') {
        await transitionDebate(
          db,
          e.debateId,
          ['paused'],
          { status: 'active', pause_reason: null },
          { kind: 'resumed', reason: 'user' },
        );
      }
      if (e.type === 'debate.completed') await session({ status: e.status, outcome: e.outcome });
      if (e.type === 'message.created') {
        const m = e.message;
        // Numbered in commit order, from the counter the debate's notices share.
        const { seq } = await db
          .updateTable('debate_sessions')
          .set({ next_seq: sql<number>`next_seq + 1` })
          .where('id', '=', m.debateId)
          .returning(sql<number>`next_seq - 1`.as('seq'))
          .executeTakeFirstOrThrow();
        await db
          .insertInto('debate_messages')
          .values({
            id: m.id,
            session_id: m.debateId,
            turn_index: m.turnIndex,
            commit_seq: seq,
            phase: m.phase,
            agent_id: m.agentId.slice(0, 100),
            agent_name: m.agentName.slice(0, 100),
            message_type: m.type,
            content: m.content,
            author_kind: m.authorKind,
            round_number: m.round,
          })
          .execute();
        await db
          .updateTable('debate_sessions')
          .set({ turn_in_flight: null })
          .where('id', '=', m.debateId)
          .where('turn_in_flight', '=', m.turnIndex)
          .execute();
      }
      await inner.publish(e);
    },
    subscribe: (fn) => inner.subscribe(fn),
    close: () => inner.close(),
  };
}

export function startBot(props: {
  platform: ChatPlatform;
  arena: Arena;
  bus: EventBus;
  db: Kysely<Database>;
  personas: readonly Persona[];
  deliveryOwner?: string;
  deliveryLeaseMs?: number;
}) {
  const bot = createChatBot({
    ...props,
    publicUrl: 'https://arena.example',
    exportMarkdown: (d) =>
      `# ${d.title}\n\n${d.messages.map((m) => `- ${m.agentName}: ${m.content}`).join('\n')}\n`,
    clock: { now: () => new Date() },
    log: silentLogger,
  });
  return bot;
}
