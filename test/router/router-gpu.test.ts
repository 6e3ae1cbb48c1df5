import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { replayDebates } from '../../bench/router-replay.ts';
import { createOllamaProvider } from '../../engine/llm/ollama.ts';
import { createOllamaInspector } from '../../engine/llm/router/ollama-inspector.ts';
import { createLlmRouter } from '../../engine/llm/router/router.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import type { GpuEvent, SimulatedGpu } from '../fakes/simulated-gpu.ts';
import {
  type SimulatedChatBody,
  type SimulatedOllama,
  startSimulatedOllama,
} from '../fakes/simulated-ollama.ts';

// The default catalog's five models (parameter counts as Ollama lists them).
const MODELS = {
  'phi4:14b': 14.7,
  'qwen2.5:14b': 14.8,
  'qwen2.5:32b': 32.8,
  'llama3.2:3b': 3.2,
  'llama3.3:70b': 70.6,
};
// The default convergence lineup's models, in persona order, and the plan writers' (then the final plan).
const VERDICTS = ['32b', '32b', '32b', '14b', '70b', '14b', '32b', '32b'];
const SECTIONS = ['32b', '32b', '14b', '14b', 'phi4', 'phi4', '70b', '3b', 'phi4', '14b'];
const full = (short: string) =>
  ({
    '32b': 'qwen2.5:32b',
    '14b': 'qwen2.5:14b',
    '70b': 'llama3.3:70b',
    phi4: 'phi4:14b',
    '3b': 'llama3.2:3b',
  })[short]!;

let sim: SimulatedOllama | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function setup(opts: {
  router: boolean;
  generateMs?: number | ((model: string) => number);
  sleep?: (ms: number) => Promise<void>;
}) {
  sim = await startSimulatedOllama({
    models: MODELS,
    memoryGb: 24,
    loadMsPerGb: 0.05,
    generateMs: opts.generateMs ?? 1,
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
  });
  const ollama = createOllamaProvider({ host: sim.url, timeoutMs: 10_000, log: silentLogger });
  const llm: LlmProvider = opts.router
    ? createLlmRouter({
        provider: ollama,
        inspector: createOllamaInspector(sim.url),
        resolveModel: ollama.resolveModel,
        limits: { gatherMs: 5 },
      })
    : ollama;
  return { llm, gpu: sim.gpu };
}

/** The most distinct models generating at the same moment. */
function mostModelsRunning(events: readonly GpuEvent[]): number {
  const running = new Map<string, number>();
  let most = 0;
  for (const e of events) {
    if (e.kind === 'start') running.set(e.model, (running.get(e.model) ?? 0) + 1);
    if (e.kind === 'end') running.set(e.model, (running.get(e.model) ?? 1) - 1);
    most = Math.max(most, [...running.values()].filter((n) => n > 0).length);
  }
  return most;
}

const call = (llm: LlmProvider, model: string, debateId: string, upcomingModels: string[]) =>
  llm.chat({ model, messages: [{ role: 'user', content: 'hi' }], route: { debateId, upcomingModels } });

/** One debate's convergence then planning: independent steps issued together, as the engine does. */
async function phases(llm: LlmProvider, debateId: string, together: boolean) {
  const groups = [VERDICTS.map(full), SECTIONS.map(full), ['llama3.3:70b']];
  for (const [i, group] of groups.entries()) {
    const upcoming = groups.slice(i + 1).flat();
    if (together) await Promise.all(group.map((m) => call(llm, m, debateId, upcoming)));
    else for (const m of group) await call(llm, m, debateId, upcoming);
  }
}

describe('LLM router on a simulated 24 GB GPU (load counts, not times)', () => {
  it('loads each distinct model once per phase when independent steps come together', async () => {
    const before = await setup({ router: false });
    await phases(before.llm, 'd1', false);
    const sequential = before.gpu.stats().loads;
    await sim!.close();

    const after = await setup({ router: true });
    await phases(after.llm, 'd1', true);
    const stats = after.gpu.stats();
    // convergence: 32b, 14b, 70b; planning: 32b, 14b + phi4 + 3b, 70b (kept for the final plan).
    expect(stats.loads).toBeLessThanOrEqual(3 + 5);
    expect(stats.loads).toBeLessThan(sequential);
    expect(stats.calls).toBe(VERDICTS.length + SECTIONS.length + 1);
  });

  it('ten debates started together share loads: at most twice the loads of one', async () => {
    const one = await setup({ router: true });
    await phases(one.llm, 'solo', true);
    const single = one.gpu.stats().loads;
    await sim!.close();

    const many = await setup({ router: true });
    await Promise.all(Array.from({ length: 10 }, (_, i) => phases(many.llm, `d${i}`, true)));
    expect(many.gpu.stats().calls).toBe(10 * (VERDICTS.length + SECTIONS.length + 1));
    expect(many.gpu.stats().loads).toBeLessThanOrEqual(2 * single);
  });

  it('models that fit together run together: a load ends at its first token, the next one starts beside it', async () => {
    // A section's generation lasts until it is released (or 5 s): what is asserted is an ordering.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sleep = (ms: number) =>
      Promise.race([
        new Promise<void>((resolve) => setTimeout(resolve, ms)),
        ...(ms >= 5_000 ? [released] : []),
      ]);
    const generateMs = (model: string) => (model === 'llama3.3:70b' ? 1 : 5_000);
    const { llm, gpu } = await setup({ router: true, generateMs, sleep });
    // The 70b takes the whole GPU: /api/ps reports 24 GB loaded, which the router learns as its memory.
    await call(llm, 'llama3.3:70b', 'd1', []);
    gpu.resetStats();
    const sections = Promise.all(SECTIONS.map(full).map((m) => call(llm, m, 'd1', ['llama3.3:70b'])));
    try {
      await vi.waitFor(() => expect(mostModelsRunning(gpu.events)).toBeGreaterThanOrEqual(3), {
        timeout: 15_000,
      });
    } finally {
      release();
      await sections;
    }
    // qwen2.5:14b (3 sections), phi4:14b (3) and llama3.2:3b (1) take 20.3 GB: all three at once.
    expect(gpu.stats().loads).toBeLessThanOrEqual(5);
  });

  it('without the router, ten debates thrash the GPU', async () => {
    const many = await setup({ router: false });
    await Promise.all(Array.from({ length: 10 }, (_, i) => phases(many.llm, `d${i}`, false)));
    expect(many.gpu.stats().loads).toBeGreaterThan(20);
  });
});

// Whole default debates (real planner and lineup, divergence included) through the router, as
// `npm run bench -- --systems router` replays them (bench/router-replay.ts). Counts, never times.
describe('a whole default debate on the simulated 24 GB GPU', () => {
  let personas: readonly Persona[];
  beforeAll(async () => {
    personas = await builtinCatalog();
  });
  // A generous gather window: it only holds a load while a group's calls or a debate's next call
  // are on their way, so a slow machine cannot make a load start on half the picture.
  const fast = { loadMsPerGb: 0.05, generateMs: 2, limits: { gatherMs: 100 } } as const;
  const PHASES = ['divergence', 'convergence', 'planning'];

  it('the benchmark debate loads each distinct model at most once per phase (fewer than in lineup order)', async () => {
    const routed = await replayDebates({ personas, debates: 1, routed: true, ...fast });
    expect(routed.calls).toBe(30);
    expect(routed.modelsByPhase).toEqual({ divergence: 4, convergence: 3, planning: 5 });
    for (const phase of PHASES) {
      expect(routed.loadsByPhase[phase] ?? 0).toBeLessThanOrEqual(routed.modelsByPhase[phase]!);
    }
    expect(routed.loads).toBeLessThanOrEqual(12);
    // The same debate with the lineup's order (no loaded models given to the planner) loads more.
    const lineup = await replayDebates({ personas, debates: 1, routed: true, modelAware: false, ...fast });
    expect(lineup.loadsByPhase.divergence).toBeGreaterThan(routed.loadsByPhase.divergence!);
    const direct = await replayDebates({ personas, debates: 1, routed: false, ...fast });
    expect(direct.loads).toBeGreaterThan(routed.loads);
  }, 120_000);

  /**
   * What the router guarantees one debate, whatever the timing: a group (verdicts, plan sections)
   * loads each distinct model at most once; a single step (a divergence turn, the summary, the final
   * plan) whose model the router reported loaded when it was planned loads nothing, so the single
   * steps of a phase load at most as often as their model was not reported loaded. Divergence is a
   * conversation: who speaks in a round is the lineup's, and its loads depend on the order the
   * planner's tie-breaker picks from the reported models, so they are bounded by that, not by the
   * distinct models (a round that needs qwen2.5:32b between two qwen2.5:14b turns loads 14b twice).
   */
  function expectGuarantees(r: Awaited<ReturnType<typeof replayDebates>>) {
    expect(r.calls).toBe(30);
    for (const phase of ['convergence', 'planning']) {
      expect(r.loadsByPhase[phase] ?? 0).toBeLessThanOrEqual(r.modelsByPhase[phase]!);
    }
    expect(r.loadedWhenReported).toBe(0);
    // Divergence has no group: each of its loads comes from a step whose model was not reported.
    expect(r.loadsByPhase.divergence ?? 0).toBeLessThanOrEqual(r.unreportedByPhase.divergence ?? 0);
  }

  /** One routed debate of seed `n`, its server's answers delayed as given. */
  const replayOne = (n: number, serverDelays?: Parameters<typeof replayDebates>[0]['serverDelays']) =>
    replayDebates({
      personas,
      debates: 1,
      routed: true,
      firstDebate: n,
      ...fast,
      ...(serverDelays ? { serverDelays } : {}),
    });

  it('other debates (other seeds and ideas): groups load each model once, a reported model never loads', async () => {
    for (let n = 1; n <= 10; n++) expectGuarantees(await replayOne(n));
  }, 180_000);

  // A loaded machine delays requests: a call the router sent for a loaded model may reach the server
  // after a load the router sent later. Here every request for a loaded model is held until a request
  // that needs a load has reached the GPU (or 150 ms pass), so a load always overtakes the calls sent
  // before it if the router lets it: the server then evicts their idle model for the load and loads
  // it again for them (a group of 8 verdicts made 4 loads for 3 models). The router sends a load that
  // does not fit beside the busy models only once every call sent has started (its first token).
  it('a load never overtakes calls sent before it (requests for loaded models held at the server)', async () => {
    for (const n of [0, 5, 6]) {
      const held = new Set<() => void>();
      const chat = (body: SimulatedChatBody, gpu: SimulatedGpu) => {
        if (!gpu.loaded().some((m) => m.name === body.model)) {
          // Released once this request (it needs a load) is queued at the GPU.
          setTimeout(() => {
            for (const release of [...held]) release();
          }, 0);
          return undefined;
        }
        return new Promise<void>((resolve) => {
          const release = () => {
            clearTimeout(timer);
            held.delete(release);
            resolve();
          };
          const timer = setTimeout(release, 150);
          held.add(release);
        });
      };
      expectGuarantees(await replayOne(n, { chat }));
    }
  }, 180_000);

  it('the guarantees hold with random delays on chat requests and /api/ps answers', async () => {
    for (let n = 1; n <= 6; n++) {
      const random = seeded(n);
      const pause = () => new Promise<void>((resolve) => setTimeout(resolve, random() * 30));
      expectGuarantees(await replayOne(n, { chat: pause, ps: pause }));
    }
  }, 180_000);
});

/** A seeded random number in [0, 1) (mulberry32): the same delays for a seed on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
