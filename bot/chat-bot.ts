import type { Kysely } from 'kysely';
import {
  bindingsToResume,
  findBindingsByDebate,
  findOutboxByRemoteId,
  insertThreadBinding,
  type ThreadBinding,
} from '../db/repositories/chat.ts';
import type { Database } from '../db/schema.ts';
import type { Arena, DebateDetailView } from '../engine/api.ts';
import type { Clock } from '../engine/clock.ts';
import type { ArenaEvent, EventBus } from '../engine/events.ts';
import type { Logger } from '../engine/log.ts';
import type { Lang, Persona } from '../personas/types.ts';
import { dispatchCommand } from './commands/index.ts';
import type { CommandDeps } from './commands/types.ts';
import { EVENT_RETRY_DELAYS_MS, UNBOUND_CACHE_MS } from './constants.ts';
import { createOutboxWriter } from './delivery/outbox-writer.ts';
import { createRelay } from './delivery/relay.ts';
import { personaIdentity } from './delivery/render.ts';
import { createHumanInput } from './humans/human-input.ts';
import { createKeyedQueue } from './keyed-queue.ts';
import type { ChatPlatform, ThreadRef } from './platform.ts';

export interface ChatBotDeps {
  platform: ChatPlatform;
  arena: Arena;
  bus: EventBus;
  db: Kysely<Database>;
  personas: readonly Persona[];
  publicUrl: string;
  exportMarkdown(detail: DebateDetailView, lang: Lang): string;
  managerRoleLabel?: string;
  clock: Clock;
  log: Logger;
}

/** The platform-neutral bot: commands, human input and delivery of debates into threads. */
export interface ChatBot {
  /** Subscribes to the bus and resumes delivery of every thread that still has work. */
  start(): Promise<void>;
  /** Mirrors a debate into a thread opened elsewhere (e.g. by a scheduler). */
  bind(input: { thread: ThreadRef; debateId: string; createdBy: string }): Promise<ThreadBinding>;
  /** Stops at once without draining; the next start reconciles whatever was in flight. */
  stop(): void;
  /** Resolves when every queued event is handled and every thread worker has finished. */
  idle(): Promise<void>;
}

const FINISHED = new Set(['completed', 'cancelled', 'failed']);

export function createChatBot(deps: ChatBotDeps): ChatBot {
  const { platform, arena, db, clock } = deps;
  const log = deps.log.child(platform.name);
  const personas = new Map(deps.personas.map((p) => [p.id, p]));
  const writer = createOutboxWriter({
    db,
    arena,
    platform: platform.name,
    personas: deps.personas,
    publicUrl: deps.publicUrl,
    log,
  });
  const relay = createRelay({ db, platform, clock, log });
  const queue = createKeyedQueue();
  // Debate id → its threads on this platform; an empty list (with a time) means "not ours".
  const bindings = new Map<string, { list: ThreadBinding[]; at: number }>();
  let unsubscribe: (() => void) | null = null;
  let stopped = false;

  async function bindingsOf(debateId: string): Promise<ThreadBinding[]> {
    const cached = bindings.get(debateId);
    if (cached && (cached.list.length > 0 || Date.now() - cached.at < UNBOUND_CACHE_MS)) return cached.list;
    const list = await findBindingsByDebate(db, platform.name, debateId);
    bindings.set(debateId, { list, at: Date.now() });
    return list;
  }

  async function handle(b: ThreadBinding, event: ArenaEvent): Promise<void> {
    if (event.type === 'turn.started') {
      const persona = personas.get(event.personaId);
      relay.streamStart(
        b.id,
        event.turnIndex,
        personaIdentity(persona, event.handle, deps.publicUrl, event.personaId),
        event.personaId,
      );
      return;
    }
    if (event.type === 'message.delta') {
      relay.streamDelta(b.id, event.turnIndex, event.delta);
      return;
    }
    if (await writer.onEvent(b, event)) relay.wake(b.id);
    if (event.type === 'debate.completed') relay.finish(b.id);
  }

  function onEvent(event: ArenaEvent): void {
    if (stopped || !('debateId' in event)) return;
    const debateId = event.debateId;
    void queue
      .run(debateId, async () => {
        for (let attempt = 0; ; attempt++) {
          if (stopped) return;
          try {
            for (const b of await bindingsOf(debateId)) await handle(b, event);
            break;
          } catch (error) {
            // A database hiccup: try again shortly (every write is idempotent), then give up loudly.
            if (attempt >= EVENT_RETRY_DELAYS_MS.length) throw error;
            await new Promise((r) => setTimeout(r, EVENT_RETRY_DELAYS_MS[attempt]));
          }
        }
        if (event.type === 'debate.completed') bindings.delete(debateId);
      })
      .catch((error) => log.error('event handling failed', { type: event.type, error: String(error) }));
  }

  /** Queues what a thread is missing, then lets its worker deliver (reconciling first). */
  async function resumeBinding(b: ThreadBinding): Promise<void> {
    const { finished } = await writer.catchUp(b);
    relay.attach(b);
    // A debate may end before its thread is even bound: its worker stops once all is delivered.
    if (finished) relay.finish(b.id);
  }

  const bind: ChatBot['bind'] = async ({ thread, debateId, createdBy }) => {
    const b = await insertThreadBinding(db, {
      platform: platform.name,
      workspaceId: thread.workspaceId,
      channelId: thread.channelId,
      threadId: thread.threadId,
      debateId,
      createdBy,
    });
    await queue.run(debateId, async () => {
      const cached = bindings.get(debateId);
      bindings.set(debateId, {
        list: [...(cached?.list ?? []).filter((x) => x.id !== b.id), b],
        at: Date.now(),
      });
      await resumeBinding(b);
    });
    return b;
  };

  const notify = async (b: ThreadBinding, key: string, text: string) => {
    if (await writer.notice(b, key, { text })) {
      relay.attach(b);
      relay.wake(b.id);
      const detail = await arena.getDebate(b.debateId);
      if (!detail || FINISHED.has(detail.status)) relay.finish(b.id);
    }
  };

  const commandDeps: CommandDeps = {
    arena,
    db,
    platform,
    personas: deps.personas,
    bind,
    exportMarkdown: deps.exportMarkdown,
    log,
    ...(deps.managerRoleLabel ? { managerRoleLabel: deps.managerRoleLabel } : {}),
  };
  const personaOfPost = async (b: ThreadBinding, postId: string): Promise<string | null> => {
    const lookup = async () => {
      const recent = relay.personaOfPost(b.id, postId);
      if (recent) return recent;
      const row = await findOutboxByRemoteId(db, b.id, postId);
      return typeof row?.payload.personaId === 'string' ? row.payload.personaId : null;
    };
    // A reply can beat the answer to our own send: let the call in flight return, then look again.
    return (await lookup()) ?? (await relay.settled(b.id).then(lookup));
  };
  const humanInput = createHumanInput({
    db,
    arena,
    platform: platform.name,
    format: platform.format,
    clock,
    log,
    notify,
    personaOfPost,
  });

  return {
    bind,
    async start() {
      unsubscribe = deps.bus.subscribe(onEvent);
      platform.onCommand((cmd) => dispatchCommand(cmd, commandDeps));
      platform.onHumanMessage(humanInput);
      const live = [
        ...(await arena.listDebates({ status: 'active', limit: 1000 })),
        ...(await arena.listDebates({ status: 'paused', limit: 1000 })),
      ];
      const liveIds = new Set(live.map((d) => d.id));
      const toResume = await bindingsToResume(db, platform.name, [...liveIds]);
      for (const b of toResume) {
        void queue
          .run(b.debateId, () => resumeBinding(b))
          .catch((error) =>
            log.error('could not resume a thread', { thread: b.threadId, error: String(error) }),
          );
      }
      if (toResume.length > 0) log.info('resuming debate threads', { count: toResume.length });
    },
    stop() {
      stopped = true;
      unsubscribe?.();
      relay.stop();
    },
    async idle() {
      await queue.drain();
      await relay.idle();
    },
  };
}
