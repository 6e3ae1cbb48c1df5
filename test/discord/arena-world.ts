import type { Kysely } from 'kysely';
import { type DiscordBot, startDiscordBot } from '../../bot/discord/client.ts';
import { registerArenaCommands } from '../../bot/discord/register.ts';
import type { ChatLimits } from '../../bot/limits/chat-limits.ts';
import type { Database } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';
import { createArena } from '../../engine/arena.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { systemClock } from '../../engine/clock.ts';
import type { DebateRunner } from '../../engine/debate/run/runner.ts';
import type { ArenaEvent, EventBus } from '../../engine/events.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import { silentLogger } from '../../engine/log.ts';
import type { Persona } from '../../personas/types.ts';
import {
  type DiscordEmulator,
  type RateLimitConfig,
  startDiscordEmulator,
} from '../emulators/discord/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestEngine, PUBLIC_URL, testLog } from '../helpers/engine.ts';
import { testSecrets } from '../helpers/secrets.ts';

export { PUBLIC_URL } from '../helpers/engine.ts';

const log = testLog;

/** A small cast that still covers every phase: fewer turns keep the end-to-end suite quick. */
export function smallCast(all: readonly Persona[]): Persona[] {
  const pick = (ids: string[]) => ids.map((id) => all.find((p) => p.id === id)!);
  const divergence = pick(['dev_optimistic', 'security_paranoid', 'design_bold', 'biz_analyst']);
  const convergence = all.filter((p) => p.phase === 'convergence').slice(0, 3);
  // One planner per plan section, plus the final plan's author.
  const planners: Persona[] = [];
  for (const p of all.filter((x) => x.phase === 'planning')) {
    if (!planners.some((q) => q.planSection === p.planSection)) planners.push(p);
  }
  return [...divergence, ...convergence, ...planners];
}

export interface ArenaInstance {
  arena: Arena;
  runner: DebateRunner;
  discord: DiscordBot;
  /** Stops bot and runner at once, as a crash would: nothing in flight is committed. */
  kill(): Promise<void>;
}

/** The real engine and the real discord.js bot on one database, pointed at the emulator. */
export async function startInstance(props: {
  db: Kysely<Database>;
  emu: DiscordEmulator;
  llm: LlmProvider;
  personas: readonly Persona[];
  managerRole?: string;
  instanceId?: string;
  /** The bot's own connection (e.g. through a proxy that a test cuts); the engine's by default. */
  botDb?: Kysely<Database>;
  /** Per-person limits (default: the product's defaults, in memory). */
  limits?: ChatLimits;
  /** What the bot hears of the engine's bus (e.g. a bus that drops some events); all of it by default. */
  botBus?: (bus: EventBus) => EventBus;
}): Promise<ArenaInstance> {
  const { arena, runner, bus } = createTestEngine({
    db: props.db,
    llm: props.llm,
    personas: props.personas,
    instanceId: props.instanceId ?? 'discord-e2e',
  });
  const discord = await startDiscordBot({
    token: props.emu.token,
    applicationId: props.emu.seed.applicationId,
    apiUrl: props.emu.apiUrl,
    arena,
    bus: props.botBus ? props.botBus(bus) : bus,
    db: props.botDb ?? props.db,
    personas: props.personas,
    publicUrl: PUBLIC_URL,
    ...(props.managerRole ? { managerRole: props.managerRole } : {}),
    ...(props.limits ? { limits: props.limits } : {}),
    log,
    clock: systemClock,
    secrets: testSecrets,
  });
  // The bot first, so it is listening (and has resumed its threads) before the first turn starts.
  await runner.start();
  return {
    arena,
    runner,
    discord,
    async kill() {
      await Promise.all([discord.stop(), runner.stop()]);
    },
  };
}

/** The Discord emulator with the arena's commands registered in its guild, as `arena discord register` does. */
export async function startEmulator(
  rateLimits?: Partial<RateLimitConfig>,
  opts: { interactionDeadlineMs?: number } = {},
): Promise<DiscordEmulator> {
  const emu = await startDiscordEmulator({
    rateLimits: rateLimits ?? {
      webhook: { limit: 50, windowMs: 1000 },
      channel: { limit: 500, windowMs: 1000 },
    },
    ...opts,
  });
  await registerArenaCommands({
    token: emu.token,
    applicationId: emu.seed.applicationId,
    apiUrl: emu.apiUrl,
    guildId: emu.seed.guildId,
  });
  return emu;
}

/** The bus as a subscriber that misses some events sees it (a Redis hiccup, a process that was down). */
export function droppingBus(bus: EventBus, drop: (e: ArenaEvent) => boolean): EventBus {
  return {
    publish: (e) => bus.publish(e),
    subscribe: (fn) => bus.subscribe((e) => (drop(e) ? undefined : fn(e))),
    close: () => bus.close(),
  };
}

/** An Arena over a database, to read a committed debate (it never runs anything). */
export function readOnlyArena(db: Kysely<Database>, personas: readonly Persona[]): Arena {
  return createArena({
    db,
    llm: createFakeLlm(),
    bus: createMemoryBus(),
    clock: systemClock,
    personas,
    log: silentLogger,
    instanceId: 'reader',
    prices: createPriceTable({ overrides: 'fake:*=0/0' }),
  }).arena;
}

/** Streams chosen turns' answers word by word with a pause, so a persona's post is seen growing. */
export function slowTurn(inner: LlmProvider, turnIndex: number | 'all', msPerWord: number): LlmProvider {
  return {
    ...inner,
    name: inner.name,
    models: () => inner.models(),
    async chat(req, onDelta) {
      const m = req.metadata;
      if (m?.task !== 'turn' || (turnIndex !== 'all' && m.turnIndex !== turnIndex))
        return inner.chat(req, onDelta);
      const result = await inner.chat(req);
      for (const word of result.text.match(/\S+\s*/g) ?? []) {
        await new Promise((r) => setTimeout(r, msPerWord));
        if (req.signal?.aborted) throw req.signal.reason;
        onDelta?.(word);
      }
      return result;
    },
  };
}

/**
 * Never answers a chosen turn: its words stream as `inner` streams them, then the call waits until
 * it is aborted (its process is stopped). A test that means to crash an instance before, or while,
 * that turn is written cannot be outrun by a fast model on a slow machine.
 */
export function stallTurn(inner: LlmProvider, turnIndex: number): LlmProvider {
  return {
    ...inner,
    name: inner.name,
    models: () => inner.models(),
    async chat(req, onDelta) {
      const result = await inner.chat(req, onDelta);
      if (req.metadata?.task !== 'turn' || req.metadata.turnIndex !== turnIndex) return result;
      const signal = req.signal;
      if (!signal) throw new Error('stallTurn: the call has no abort signal to wait for');
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      throw signal.reason;
    },
  };
}
