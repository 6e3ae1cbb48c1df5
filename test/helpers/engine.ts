import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { createArena } from '../../engine/arena.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { systemClock } from '../../engine/clock.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import { createConsoleLogger, type Logger, silentLogger } from '../../engine/log.ts';
import type { Persona } from '../../personas/types.ts';

/** The public URL the test worlds give the app (avatar links, thread links). */
export const PUBLIC_URL = 'https://arena.example';

let chosenLog: Logger | undefined;
/** ARENA_TEST_LOG=debug prints what the bot and the engine do; read at the first log line, not at import. */
function chooseLog(): Logger {
  chosenLog ??= process.env.ARENA_TEST_LOG
    ? createConsoleLogger({ level: process.env.ARENA_TEST_LOG as 'debug' })
    : silentLogger;
  return chosenLog;
}

/**
 * The tests' logger, for diagnosing a failing test. It reads the environment lazily, so a module
 * that imports it (the emulator worlds, which `npm run chaos` uses too) reads nothing when loaded.
 */
export const testLog: Logger = {
  debug: (message, fields) => chooseLog().debug(message, fields),
  info: (message, fields) => chooseLog().info(message, fields),
  warn: (message, fields) => chooseLog().warn(message, fields),
  error: (message, fields) => chooseLog().error(message, fields),
  child: (source) => chooseLog().child(source),
};

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
