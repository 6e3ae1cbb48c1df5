import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { createArena } from '../../engine/arena.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { DebateSettingsInput } from '../../engine/debate/settings.ts';
import type { ArenaEvent } from '../../engine/events.ts';
import { createPriceTable, type PriceTable } from '../../engine/llm/pricing.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createFixedClock, type FixedClock } from '../fakes/fixed-clock.ts';

export interface HarnessOptions {
  llm?: LlmProvider;
  clock?: FixedClock;
  settings?: DebateSettingsInput;
  prices?: PriceTable;
  instanceId?: string;
  personas?: readonly Persona[];
}

/** The real engine on a test database, with a fake LLM, a fixed clock and a recording memory bus. */
export async function createHarness(db: Kysely<Database>, opts: HarnessOptions = {}) {
  const bus = createMemoryBus();
  const events: ArenaEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const llm = opts.llm ?? createFakeLlm();
  const clock = opts.clock ?? createFixedClock();
  const personas = opts.personas ?? (await builtinCatalog());
  const { arena, runner } = createArena({
    db,
    llm,
    bus,
    clock,
    personas,
    log: silentLogger,
    instanceId: opts.instanceId ?? 'test-runner',
    settings: { retryDelaysMs: [0, 0], ...opts.settings },
    prices: opts.prices ?? createPriceTable({ overrides: 'fake:*=0/0' }),
  });
  const of = <T extends ArenaEvent['type']>(type: T, debateId?: string) =>
    events.filter(
      (e): e is Extract<ArenaEvent, { type: T }> =>
        e.type === type && (debateId === undefined || !('debateId' in e) || e.debateId === debateId),
    );
  return { arena, runner, bus, events, of, llm, clock, personas };
}
