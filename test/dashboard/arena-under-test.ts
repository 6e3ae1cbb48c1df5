import { createArena } from '../../engine/arena.ts';
import { systemClock } from '../../engine/clock.ts';
import type { EventBus } from '../../engine/events.ts';
import { createOfflineProvider } from '../../engine/llm/offline.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import { estimatePromptTokens, estimateTokens } from '../../engine/llm/tokens.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import { silentLogger } from '../../engine/log.ts';
import type { Persona } from '../../personas/types.ts';
import type { TestDatabase } from '../helpers/db.ts';
import type { ArenaUnderTest } from './harness.ts';

/** Holds finished LLM calls back while closed: the streamed text stays on screen, uncommitted. */
export interface Gate {
  close(): void;
  open(): void;
}

function gated(inner: LlmProvider): LlmProvider & Gate {
  let release: (() => void) | null = null;
  let closed: Promise<void> | null = null;
  return {
    name: inner.name,
    models: () => inner.models(),
    async chat(request, onDelta) {
      const result = await inner.chat(request, onDelta);
      if (closed) await closed;
      // Stands in for a model that reports its tokens (offline counts none), so budget bars move.
      return {
        ...result,
        promptTokens: estimatePromptTokens(request.messages),
        completionTokens: estimateTokens(result.text),
      };
    },
    close() {
      closed ??= new Promise((r) => (release = r));
    },
    open() {
      release?.();
      closed = null;
    },
  };
}

/**
 * The real engine on the test database with the offline provider streaming at a watchable pace,
 * priced (offline is free by default) so the budget bars move.
 */
export async function arenaUnderTest(p: {
  bus: EventBus;
  t: TestDatabase;
  personas: readonly Persona[];
}): Promise<ArenaUnderTest & { gate: Gate }> {
  const llm = gated(createOfflineProvider({ personas: p.personas, chunkDelayMs: 8 }));
  const { arena, runner } = createArena({
    db: p.t.db,
    llm,
    bus: p.bus,
    clock: systemClock,
    personas: p.personas,
    log: silentLogger,
    instanceId: 'dashboard-browser-test',
    settings: { rounds: 2, budget: { dailyUsd: 50, monthlyUsd: 1500 }, retryDelaysMs: [0, 0] },
    prices: createPriceTable({ overrides: 'offline:*=40/200' }),
  });
  await runner.start();
  return {
    arena,
    gate: llm,
    close: async () => {
      llm.open();
      await runner.stop();
    },
  };
}
