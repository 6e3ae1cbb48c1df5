import type { Kysely } from 'kysely';
import { findBindingsByDebate, insertThreadBinding, type ThreadBinding } from '../db/repositories/chat.ts';
import { claimDeliveries, liveDeliveryHolders } from '../db/repositories/chat-delivery.ts';
import { enqueueOutbox, findOutboxByRemoteId } from '../db/repositories/chat-outbox.ts';
import type { Database } from '../db/schema.ts';
import type { Arena, DebateDetailView } from '../engine/api.ts';
import type { Clock } from '../engine/clock.ts';
import type { ArenaEvent, EventBus } from '../engine/events.ts';
import type { Logger } from '../engine/log.ts';
import type { Lang, Persona } from '../personas/types.ts';
import { dispatchCommand } from './commands/index.ts';
import type { CommandDeps } from './commands/types.ts';
import {
  DEFAULT_CHAT_LIMITS,
  DELIVERY_LEASE_MS,
  SWEEP_CLAIM_LIMIT,
  SWEEP_MS,
  UNBOUND_CACHE_MS,
} from './constants.ts';
import { localOwner, ownerIsGone } from './delivery/owner.ts';
import { projectBinding } from './delivery/projector.ts';
import { createRelay } from './delivery/relay.ts';
import { OUTBOX_KIND, type OutboxPayload, personaIdentity } from './delivery/render.ts';
import { createHumanInput } from './humans/human-input.ts';
import { createKeyedQueue } from './keyed-queue.ts';
import { type ChatLimits, createChatLimits, slowDownText } from './limits/chat-limits.ts';
import type { ChatPlatform, ThreadRef } from './platform.ts';
import { createThreadRequests } from './thread-requests.ts';

export interface ChatBotDeps {
  platform: ChatPlatform;
  arena: Arena;
  bus: EventBus;
  db: Kysely<Database>;
  personas: readonly Persona[];
  /** Where avatars are served: `${publicUrl}/avatars/<id>.png`. */
  publicUrl: string;
  exportMarkdown(detail: DebateDetailView, lang: Lang): string;
  managerRoleLabel?: string;
  clock: Clock;
  log: Logger;
  /**
   * This process's name on the threads it delivers; default `<host>:<pid>`. Several bot processes
   * share one database: each thread is delivered by one of them at a time (chat-delivery.ts).
   */
  deliveryOwner?: string;
  /** How long a thread's delivery lease lasts without renewal (default DELIVERY_LEASE_MS). */
  deliveryLeaseMs?: number;
  /** Per-person limits on commands and messages (default: the default numbers, in this process). */
  limits?: ChatLimits;
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

/**
 * Delivery is a projection of the committed log: each thread's worker fills its outbox from
 * `debate_messages` past the thread's cursor and posts the rows in order. Events only wake workers
 * (and feed streaming previews); a periodic sweep finds any thread whose wake-up was missed.
 */
export function createChatBot(deps: ChatBotDeps): ChatBot {
  const { platform, arena, db, clock } = deps;
  const log = deps.log.child(platform.name);
  const personas = new Map(deps.personas.map((p) => [p.id, p]));
  const project = (b: ThreadBinding) =>
    projectBinding({ db, platform: platform.name, personas, publicUrl: deps.publicUrl }, b);
  const owner = deps.deliveryOwner ?? localOwner();
  const leaseMs = deps.deliveryLeaseMs ?? DELIVERY_LEASE_MS;
  const relay = createRelay({ db, platform, clock, log, project, owner, leaseMs });
  /**
   * Threads with work that no live process delivers: free, their holder's lease ran out, or their
   * holder is a process on this host that was killed (taken at once, not after its lease).
   */
  const claimFree = async () => {
    const goneOwners = (await liveDeliveryHolders(db, platform.name, owner)).filter(ownerIsGone);
    if (goneOwners.length > 0) log.info('taking over the threads of killed processes', { goneOwners });
    return claimDeliveries(db, platform.name, owner, { leaseMs, limit: SWEEP_CLAIM_LIMIT, goneOwners });
  };
  const queue = createKeyedQueue();
  const limits = deps.limits ?? createChatLimits({ settings: DEFAULT_CHAT_LIMITS, log });
  // Debate id → its threads on this platform; an empty list (with a time) means "not ours".
  const bindings = new Map<string, { list: ThreadBinding[]; at: number }>();
  let unsubscribe: (() => void) | null = null;
  let sweepTimer: ReturnType<typeof setInterval> | null = null;
  let sweeping: Promise<void> | null = null;
  let stopped = false;

  async function bindingsOf(debateId: string): Promise<ThreadBinding[]> {
    const cached = bindings.get(debateId);
    if (cached && (cached.list.length > 0 || Date.now() - cached.at < UNBOUND_CACHE_MS)) return cached.list;
    const list = await findBindingsByDebate(db, platform.name, debateId);
    bindings.set(debateId, { list, at: Date.now() });
    return list;
  }

  const putNotice = (b: ThreadBinding, key: string, payload: OutboxPayload) =>
    enqueueOutbox(db, {
      bindingId: b.id,
      platform: platform.name,
      debateId: b.debateId,
      kind: OUTBOX_KIND.notice,
      dedupKey: key,
      payload,
    });

  async function handle(b: ThreadBinding, event: ArenaEvent): Promise<void> {
    if (event.type === 'turn.started') {
      const persona = personas.get(event.personaId);
      // The moderator's summary is the bot's own post: its preview is one too, so it can be edited.
      const identity = persona
        ? personaIdentity(persona, event.handle, deps.publicUrl, event.personaId)
        : null;
      relay.attach(b);
      relay.streamStart(b.id, event.turnIndex, identity, event.personaId, persona ? '' : '📝 ');
      return;
    }
    if (event.type === 'message.delta') {
      relay.streamDelta(b.id, event.turnIndex, event.delta);
      return;
    }
    // Anything else (a commit, a pause, the end) is in the log: the worker projects it from there.
    relay.attach(b);
  }

  function onEvent(event: ArenaEvent): void {
    if (stopped || !('debateId' in event)) return;
    // A debate created elsewhere (a worker's `debate.auto`) may have asked for a thread here.
    if (event.type === 'debate.created') void requests.run();
    const debateId = event.debateId;
    void queue
      .run(debateId, async () => {
        if (stopped) return;
        for (const b of await bindingsOf(debateId)) await handle(b, event);
        if (event.type === 'debate.completed') bindings.delete(debateId);
      })
      // A missed wake-up costs a delay, never a post: the sweep finds the thread again.
      .catch((error) => log.warn('event handling failed', { type: event.type, error: String(error) }));
  }

  /** Attaches a worker to every thread with undelivered work, whatever events were seen. */
  function sweep(): Promise<void> {
    sweeping ??= (async () => {
      try {
        await requests.run();
        const list = await claimFree();
        for (const b of list) if (!stopped) relay.attach(b, true);
      } catch (error) {
        log.warn('delivery sweep failed', { error: error instanceof Error ? error.message : String(error) });
      } finally {
        sweeping = null;
      }
    })();
    return sweeping;
  }

  const bindingRow = (thread: ThreadRef, debateId: string, createdBy: string) => ({
    platform: platform.name,
    workspaceId: thread.workspaceId,
    channelId: thread.channelId,
    threadId: thread.threadId,
    debateId,
    createdBy,
  });

  /** Remembers a new binding and starts delivering its thread. */
  const follow = (b: ThreadBinding) =>
    queue.run(b.debateId, async () => {
      const cached = bindings.get(b.debateId);
      bindings.set(b.debateId, {
        list: [...(cached?.list ?? []).filter((x) => x.id !== b.id), b],
        at: Date.now(),
      });
      relay.attach(b);
    });

  const requests = createThreadRequests({ db, platform, owner, log, follow });

  const bind: ChatBot['bind'] = async ({ thread, debateId, createdBy }) => {
    const b = await insertThreadBinding(db, bindingRow(thread, debateId, createdBy));
    await follow(b);
    return b;
  };

  const startInThread: CommandDeps['startInThread'] = async ({ thread, createdBy, debate }) => {
    let bound: ThreadBinding | null = null;
    const started = await arena.startDebate({
      ...debate,
      withinCreation: async (trx, debateId) => {
        bound = await insertThreadBinding(trx, bindingRow(thread, debateId, createdBy));
      },
    });
    if (!bound) throw new Error('the arena started the debate without binding its thread');
    await follow(bound);
    return started;
  };

  const notify = async (b: ThreadBinding, key: string, text: string) => {
    if (await putNotice(b, key, { text })) relay.attach(b);
  };

  const commandDeps: CommandDeps = {
    arena,
    db,
    platform,
    personas: deps.personas,
    bind,
    startInThread,
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
    limits,
    arena,
    platform: platform.name,
    format: platform.format,
    log,
    notify,
    personaOfPost,
  });

  return {
    bind,
    async start() {
      unsubscribe = deps.bus.subscribe(onEvent);
      platform.onCommand(async (cmd) => {
        // Counted before anything runs: a person spamming commands (or buttons) costs one reply each.
        const limit = await limits.command(`${platform.name}:${cmd.workspaceId}:${cmd.user.id}`);
        if (limit.ok) return dispatchCommand(cmd, commandDeps);
        const what = '/arena commands and buttons';
        const text = slowDownText({
          limit: limits.settings.commandsPerMinute,
          what,
          retryInMs: limit.retryInMs,
        });
        await cmd.respond({ ok: false, text });
      });
      platform.onHumanMessage(humanInput);
      // Threads with work left, taken now; with the database away, the periodic sweep takes them
      // once it answers (a failed start would leave this platform down for the process's life).
      try {
        await requests.run();
        const first = await claimFree();
        for (const b of first) relay.attach(b, true);
        if (first.length > 0) log.info('resuming debate threads', { count: first.length });
      } catch (error) {
        log.warn('could not resume debate threads yet; the sweep retries', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      sweepTimer = setInterval(() => void sweep(), SWEEP_MS);
      sweepTimer.unref?.();
    },
    stop() {
      stopped = true;
      requests.stop();
      unsubscribe?.();
      if (sweepTimer) clearInterval(sweepTimer);
      relay.stop();
    },
    async idle() {
      await queue.drain();
      await sweeping;
      await requests.idle();
      await relay.idle();
    },
  };
}
