import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../dashboard/metrics.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { describeRouter } from '../../engine/llm/router/describe.ts';
import { createLlmRouter } from '../../engine/llm/router/router.ts';
import type { ModelInspector } from '../../engine/llm/router/types.ts';
import type { ChatResult, LlmProvider } from '../../engine/llm/types.ts';

// The live router (not a hand-made snapshot): with one model loaded and busy and calls waiting for
// another, the PROCESSES row and /metrics show loaded models, queue depth per model, calls in flight
// and model loads.
describe('the LLM router in the PROCESSES panel and /metrics', () => {
  it('shows loaded models, queue depth per model, calls in flight and model loads', async () => {
    const release: Array<() => void> = [];
    const provider: LlmProvider = {
      name: 'ollama',
      models: async () => [],
      // Each call streams its first token at once (its model loaded and generating), ends when released.
      chat: (req, onDelta) =>
        new Promise<ChatResult>((resolve) => {
          onDelta?.('…');
          release.push(() =>
            resolve({
              text: 'ok',
              model: req.model,
              provider: 'ollama',
              promptTokens: 1,
              completionTokens: 1,
              ms: 0,
            }),
          );
        }),
    };
    const inspector: ModelInspector = {
      loaded: async () => [{ model: 'qwen2.5:14b', sizeBytes: 9_000_000_000 }],
      sizes: async () => new Map(),
    };
    const router = createLlmRouter({ provider, inspector, concurrency: 2, limits: { gatherMs: 1 } });
    await router.refresh();
    const ask = (model: string, debateId: string) =>
      router.chat({ model, messages: [{ role: 'user', content: 'x' }], route: { debateId } });
    // Three calls for the loaded model (two run, one waits), so the other model's two calls wait.
    const calls = [
      ask('qwen2.5:14b', 'a'),
      ask('qwen2.5:14b', 'b'),
      ask('qwen2.5:14b', 'e'),
      ask('qwen2.5:32b', 'c'),
      ask('qwen2.5:32b', 'd'),
    ];
    await new Promise((r) => setTimeout(r, 50));

    const line = describeRouter(router.snapshot());
    expect(line).toContain('loaded qwen2.5:14b');
    expect(line).toContain('queued qwen2.5:32b 2, qwen2.5:14b 1');
    expect(line).toContain('2 in flight');
    expect(line).toContain('0 model loads');

    const metrics = createMetrics(createMemoryBus(), Date.now);
    const render = () =>
      metrics.render({
        debatesByStatus: {},
        budget: null,
        deliveries: null,
        router: router.snapshot(),
        sseClients: 0,
        memory: process.memoryUsage(),
        cpuSeconds: 0,
        uptimeSeconds: 1,
      });
    const text = render();
    expect(text).toContain('arena_llm_loaded_model_bytes{model="qwen2.5:14b"} 9000000000');
    expect(text).toContain('arena_llm_queued{model="qwen2.5:32b"} 2');
    expect(text).toContain('arena_llm_queued{model="qwen2.5:14b"} 1');
    expect(text).toContain('arena_llm_in_flight 2');
    expect(text).toContain('arena_llm_model_loads_total 0');

    // Two answer: the loaded model's last call runs, then the other model loads (one load), both its calls run.
    for (const r of release.splice(0)) r();
    await new Promise((r) => setTimeout(r, 100));
    expect(render()).toContain('arena_llm_model_loads_total 1');
    expect(render()).toContain('arena_llm_in_flight 3');
    expect(describeRouter(router.snapshot())).toContain('1 model load');
    for (const r of release.splice(0)) r();
    await Promise.all(calls);
    expect(render()).toContain('arena_llm_in_flight 0');
    expect(render()).toContain('arena_llm_calls_total 5');
  });
});
