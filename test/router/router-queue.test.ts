import { describe, expect, it } from 'vitest';
import { createLlmRouter } from '../../engine/llm/router/router.ts';
import type { ModelInspector } from '../../engine/llm/router/types.ts';
import type { ChatRequest, ChatResult, LlmProvider } from '../../engine/llm/types.ts';

/**
 * A provider whose calls wait until the test releases them; records start order and overlap. A call
 * for which `generatesAtOnce` is true streams its first token at once (its model is loaded and
 * generating, as a local server does); the others stream nothing until they end (a load).
 */
function heldProvider(generatesAtOnce: (req: ChatRequest) => boolean = () => false) {
  const started: ChatRequest[] = [];
  const pending: Array<() => void> = [];
  // Calls that have not streamed yet: each streams its first token (starts generating) when called.
  const firstTokens: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const provider: LlmProvider = {
    name: 'fake',
    models: async () => [],
    async chat(req, onDelta): Promise<ChatResult> {
      started.push(req);
      if (generatesAtOnce(req)) onDelta?.('…');
      else firstTokens.push(() => onDelta?.('…'));
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((r) => pending.push(r));
      inFlight--;
      return { text: 'ok', model: req.model, provider: 'fake', promptTokens: 1, completionTokens: 1, ms: 0 };
    },
  };
  return {
    provider,
    started,
    maxInFlight: () => maxInFlight,
    /** The oldest call not yet generating streams its first token (the server started it). */
    async startOne() {
      firstTokens.shift()?.();
      await settle();
    },
    /** Lets the oldest running call finish, then waits for the router to dispatch what follows. */
    async releaseOne() {
      pending.shift()?.();
      await settle();
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 5));
const req = (model: string, debateId: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: debateId }],
  route: { debateId },
  ...extra,
});

describe('LLM router queues', () => {
  it('runs independent calls concurrently up to the concurrency per model', async () => {
    const fake = heldProvider();
    const router = createLlmRouter({ provider: fake.provider, concurrency: 3 });
    const calls = Array.from({ length: 8 }, (_, i) => router.chat(req('m', `d${i % 2}`)));
    await settle();
    expect(fake.started).toHaveLength(3);
    expect(router.snapshot()).toMatchObject({ inFlight: 3, queued: { m: 5 }, queuedTotal: 5 });
    for (let i = 0; i < 8; i++) await fake.releaseOne();
    await Promise.all(calls);
    expect(fake.maxInFlight()).toBe(3);
    expect(router.snapshot()).toMatchObject({ inFlight: 0, queuedTotal: 0, callsTotal: 8 });
  });

  it("a new debate's first turn is not delayed behind a long debate's queue (round-robin)", async () => {
    const fake = heldProvider();
    const router = createLlmRouter({ provider: fake.provider, concurrency: 1 });
    const long = Array.from({ length: 20 }, () => router.chat(req('m', 'long')));
    await settle();
    const fresh = router.chat(req('m', 'new'));
    await settle();
    await fake.releaseOne();
    // The second call to run is the new debate's, not the long debate's 2nd of 20.
    expect(fake.started.map((r) => r.route?.debateId).slice(0, 2)).toEqual(['long', 'new']);
    for (let i = 0; i < 21; i++) await fake.releaseOne();
    await Promise.all([...long, fresh]);
  });

  it("a person's reply jumps the queue for that debate's next turn", async () => {
    const fake = heldProvider();
    const router = createLlmRouter({ provider: fake.provider, concurrency: 1 });
    const others = ['a', 'b', 'c', 'd'].map((d) => router.chat(req('m', d)));
    await settle();
    const human = router.chat(req('m', 'e', { route: { debateId: 'e', priority: 'human' } }));
    await settle();
    await fake.releaseOne();
    expect(fake.started[1]?.route?.debateId).toBe('e');
    for (let i = 0; i < 5; i++) await fake.releaseOne();
    await Promise.all([...others, human]);
  });

  it('refuses new debates with a clear reason when the queue is full', async () => {
    const fake = heldProvider();
    const router = createLlmRouter({ provider: fake.provider, concurrency: 1, limits: { maxQueued: 3 } });
    expect(router.admit()).toEqual({ ok: true });
    const calls = Array.from({ length: 4 }, (_, i) => router.chat(req('m', `d${i}`)));
    await settle();
    const refused = router.admit();
    expect(refused).toMatchObject({ ok: false, reason: 'llm_queue_full' });
    expect(refused.ok ? '' : refused.detail).toMatch(/3 model calls are waiting/);
    for (let i = 0; i < 4; i++) await fake.releaseOne();
    await Promise.all(calls);
    expect(router.admit()).toEqual({ ok: true });
  });

  it('a call aborted while queued leaves the queue', async () => {
    const fake = heldProvider();
    const router = createLlmRouter({ provider: fake.provider, concurrency: 1 });
    const first = router.chat(req('m', 'a'));
    const controller = new AbortController();
    const second = router.chat({ ...req('m', 'b'), signal: controller.signal });
    await settle();
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
    expect(router.snapshot().queuedTotal).toBe(0);
    await fake.releaseOne();
    await first;
  });

  it('serves loaded models first, loads each model once, and sets keep_alive from pending needs', async () => {
    // b is loaded: its calls generate at once; a and c stream nothing until they end (their loads).
    const fake = heldProvider((r) => r.model === 'b');
    let loaded = ['b'];
    const inspector: ModelInspector = {
      loaded: async () => loaded.map((model) => ({ model, sizeBytes: 1 })),
      sizes: async () => new Map(),
    };
    const router = createLlmRouter({
      provider: fake.provider,
      concurrency: 4,
      inspector,
      limits: { gatherMs: 1 },
    });
    const calls = ['a', 'b', 'a', 'c', 'b', 'a'].map((m, i) =>
      router.chat(req(m, `d${i}`, { route: { debateId: `d${i}`, upcomingModels: ['c'] } })),
    );
    await settle();
    // b is loaded: both b calls go first; then the cold model with the most waiting calls (a ×3), all
    // at once; c waits while a loads (one load at a time).
    expect(fake.started.map((r) => r.model)).toEqual(['b', 'b', 'a', 'a', 'a']);
    expect(fake.started[0]?.keepAlive).toBe('30m'); // the other b call still waits
    expect(fake.started[1]?.keepAlive).toBe(0); // no later step needs b, others wait
    loaded = ['a'];
    for (let i = 0; i < 5; i++) await fake.releaseOne();
    loaded = ['c'];
    expect(fake.started.slice(5).map((r) => r.model)).toEqual(['c']);
    expect(fake.started[5]?.keepAlive).toBe('30m'); // the debates said they need c next
    await fake.releaseOne();
    await Promise.all(calls);
    expect(router.snapshot().modelLoads).toBe(2);
  });
  it('a load that does not fit waits until the calls sent for another model have started on the server', async () => {
    const GB = 1024 ** 3;
    const fake = heldProvider();
    const inspector: ModelInspector = {
      loaded: async () => [{ model: 'a', sizeBytes: 20 * GB }],
      sizes: async () =>
        new Map([
          ['a', 20 * GB],
          ['big', 20 * GB],
          ['small', 2 * GB],
        ]),
    };
    const router = createLlmRouter({
      provider: fake.provider,
      concurrency: 4,
      inspector,
      gpuMemoryBytes: 24 * GB,
      limits: { gatherMs: 1 },
    });
    await router.refresh();
    const a = router.chat(req('a', 'd1'));
    await settle();
    const big = router.chat(req('big', 'd2'));
    await settle();
    // Sent, a's call may still reach the server after a load sent now, which would evict a first.
    expect(fake.started.map((r) => r.model)).toEqual(['a']);
    // A model that fits beside a loads at once: nothing is evicted, whatever the order.
    const small = router.chat(req('small', 'd3'));
    await settle();
    expect(fake.started.map((r) => r.model)).toEqual(['a', 'small']);
    // a's first token: the server has it, so big's load reaches the server after it.
    await fake.startOne();
    await fake.startOne();
    expect(fake.started.map((r) => r.model)).toEqual(['a', 'small', 'big']);
    for (let i = 0; i < 3; i++) await fake.releaseOne();
    await Promise.all([a, big, small]);
  });
});
