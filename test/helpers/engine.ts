import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { createArena } from '../../engine/arena.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { systemClock } from '../../engine/clock.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import { createConsoleLogger, silentLogger } from '../../engine/log.ts';
import type { Persona } from '../../personas/types.ts';

// ARENA_TEST_LOG=debug prints what the bot and the engine do, for diagnosing a failing test.
export const testLog = process.env.ARENA_TEST_LOG
  ? createConsoleLogger({ level: process.env.ARENA_TEST_LOG as 'debug' })
  : silentLogger;

/** The real engine on a test database: one round, no retry delays, free fake prices, an in-process bus. */
export function createTestEngine(p: {
  db: Kysely<Database>;
  llm: LlmProvider;
  personas: readonly Persona[];
  instanceId: string;
  pollMs?: number;
}) {
  const bus = createMemoryBus();
  const { arena, runner } = createArena({
    db: p.db,
    llm: p.llm,
    bus,
    clock: systemClock,
    personas: p.personas,
    log: testLog,
    instanceId: p.instanceId,
    settings: { rounds: 1, retryDelaysMs: [0, 0], pollMs: p.pollMs ?? 200 },
    prices: createPriceTable({ overrides: 'fake:*=0/0' }),
  });
  return { arena, runner, bus };
}
