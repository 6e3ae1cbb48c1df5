import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedGpu, keepAliveMs } from '../fakes/simulated-gpu.ts';
import { type SimulatedOllama, startSimulatedOllama } from '../fakes/simulated-ollama.ts';

let sim: SimulatedOllama | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('simulated GPU (the router benchmark test double)', () => {
  it('evicts the least recently used idle model when a new one does not fit', async () => {
    const gpu = createSimulatedGpu({
      models: { a: 14.8, b: 14.7, c: 3.2, big: 32.8 },
      loadMsPerGb: 0,
      generateMs: 0,
    });
    expect(gpu.sizeOf('a')! / 1024 ** 3).toBeCloseTo(9.18, 1); // 0.62 GB per billion parameters
    await gpu.run('a', undefined, () => 1);
    await gpu.run('b', undefined, () => 1);
    await gpu.run('c', undefined, () => 1); // 9.2 + 9.1 + 2 GB fit in 24 GB together
    expect(gpu.loaded().map((m) => m.name)).toEqual(['a', 'b', 'c']);
    await gpu.run('a', undefined, () => 1); // a is used again: b is now the least recently used
    await gpu.run('big', undefined, () => 1); // 20.3 GB: evicts b, then c, then a
    expect(gpu.loaded().map((m) => m.name)).toEqual(['big']);
    expect(gpu.events.filter((e) => e.kind === 'evict').map((e) => e.model)).toEqual(['b', 'c', 'a']);
    expect(gpu.stats()).toMatchObject({ loads: 4, evictions: 3, calls: 5 });
  });

  it('never evicts a busy model: a load waits for it; parallel slots per model are bounded', async () => {
    const gpu = createSimulatedGpu({
      models: { a: 32.8, b: 32.8 },
      loadMsPerGb: 0,
      generateMs: 5,
      slotsPerModel: 2,
    });
    await Promise.all([
      gpu.run('a', undefined, () => 1),
      gpu.run('a', undefined, () => 1),
      gpu.run('a', undefined, () => 1),
      gpu.run('b', undefined, () => 1),
    ]);
    expect(gpu.stats()).toMatchObject({ loads: 2, maxInFlight: 2 });
    const order = gpu.events.filter((e) => e.kind !== 'end').map((e) => `${e.kind}:${e.model}`);
    // b's load waits until every a call is done (a is busy until then).
    expect(order.indexOf('load:b')).toBeGreaterThan(order.lastIndexOf('start:a'));
  });

  it('honours keep_alive: 0 unloads when idle, a negative value keeps the model', async () => {
    const gpu = createSimulatedGpu({ models: { a: 3, b: 3 }, loadMsPerGb: 0, generateMs: 0 });
    await gpu.run('a', 0, () => 1);
    await gpu.run('b', -1, () => 1);
    expect(gpu.loaded().map((m) => m.name)).toEqual(['b']);
    expect(keepAliveMs('5m')).toBe(300_000);
    expect(keepAliveMs(0)).toBe(0);
    expect(keepAliveMs('-1')).toBe(-1);
    expect(keepAliveMs(30)).toBe(30_000);
  });

  it("speaks Ollama's protocol: /api/tags, /api/show, /api/ps and a streamed /api/chat", async () => {
    sim = await startSimulatedOllama({ models: { 'qwen2.5:14b': 14.8 }, loadMsPerGb: 0, generateMs: 0 });
    const tags = (await (await fetch(`${sim.url}/api/tags`)).json()) as {
      models: Array<{ name: string; size: number }>;
    };
    expect(tags.models[0]).toMatchObject({ name: 'qwen2.5:14b' });
    expect(tags.models[0]!.size).toBeGreaterThan(9e9);
    const show = await fetch(`${sim.url}/api/show`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen2.5:14b' }),
    });
    expect(await show.json()).toMatchObject({ details: { parameter_size: '14.8B' } });
    expect(await (await fetch(`${sim.url}/api/ps`)).json()).toEqual({ models: [] });
    const chat = await fetch(`${sim.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'qwen2.5:14b',
        messages: [{ role: 'user', content: 'hi' }],
        keep_alive: '10m',
      }),
    });
    const lines = (await chat.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { done: boolean });
    expect(lines.at(-1)).toMatchObject({ done: true });
    const ps = (await (await fetch(`${sim.url}/api/ps`)).json()) as {
      models: Array<{ name: string; size_vram: number }>;
    };
    expect(ps.models.map((m) => m.name)).toEqual(['qwen2.5:14b']);
    expect(sim.keepAlives).toEqual([{ model: 'qwen2.5:14b', keepAlive: '10m' }]);
    expect(sim.gpu.stats().loads).toBe(1);
  });
});
