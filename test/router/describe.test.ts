import { describe, expect, it } from 'vitest';
import { describeRouter } from '../../engine/llm/router/describe.ts';

describe('the LLM router row of the PROCESSES panel', () => {
  it('names loaded models, queue depth per model, calls in flight and loads so far', () => {
    const line = describeRouter({
      provider: 'ollama',
      concurrency: 4,
      loadedModels: [
        { model: 'qwen2.5:14b', sizeBytes: 9e9 },
        { model: 'phi4:14b', sizeBytes: 9e9 },
      ],
      queued: { 'qwen2.5:32b': 3, 'llama3.2:3b': 1 },
      queuedTotal: 4,
      inFlight: 2,
      inFlightByModel: { 'qwen2.5:14b': 2 },
      modelLoads: 7,
      callsTotal: 20,
      oldestWaitMs: 1200,
      rateLimitedUntil: null,
      rateLimitHits: 0,
    });
    expect(line).toBe(
      'ollama · loaded qwen2.5:14b, phi4:14b · queued qwen2.5:32b 3, llama3.2:3b 1 · 2 in flight · 7 model loads',
    );
  });
});
