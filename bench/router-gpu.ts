// The LLM router against the simulated 24 GB GPU: model loads for one and ten debates' convergence
// and planning calls (8 verdicts, 10 sections, the final plan), sent the way the engine sends them:
// before = one call at a time in persona order, straight to Ollama; after = independent steps together
// through the router. Run: node --import tsx bench/router-gpu.ts
import { createOllamaProvider } from '../engine/llm/ollama.ts';
import { createOllamaInspector } from '../engine/llm/router/ollama-inspector.ts';
import { createLlmRouter } from '../engine/llm/router/router.ts';
import type { LlmProvider } from '../engine/llm/types.ts';
import { silentLogger } from '../engine/log.ts';
import { builtinCatalog } from '../personas/index.ts';
import { startSimulatedOllama } from '../test/fakes/simulated-ollama.ts';

const MODELS = {
  'phi4:14b': 14.7,
  'qwen2.5:14b': 14.8,
  'qwen2.5:32b': 32.8,
  'llama3.2:3b': 3.2,
  'llama3.3:70b': 70.6,
};
const personas = await builtinCatalog();
const verdicts = personas.filter((p) => p.phase === 'convergence').map((p) => p.model);
const planners = personas.filter((p) => p.phase === 'planning');
const sections = planners.filter((p) => p.planSection).map((p) => p.model);
const final = planners[0]!.model;

async function run(debates: number, routed: boolean) {
  const sim = await startSimulatedOllama({ models: MODELS, memoryGb: 24, loadMsPerGb: 2, generateMs: 20 });
  const ollama = createOllamaProvider({ host: sim.url, timeoutMs: 60_000, log: silentLogger });
  const llm: LlmProvider = routed
    ? createLlmRouter({
        provider: ollama,
        inspector: createOllamaInspector(sim.url),
        resolveModel: ollama.resolveModel,
        limits: { gatherMs: 10 },
      })
    : ollama;
  const groups = [verdicts, sections, [final]];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: debates }, async (_, d) => {
      for (const [i, group] of groups.entries()) {
        const call = (model: string) =>
          llm.chat({
            model,
            messages: [{ role: 'user', content: 'x' }],
            route: { debateId: `d${d}`, upcomingModels: groups.slice(i + 1).flat() },
          });
        if (routed) await Promise.all(group.map(call));
        else for (const m of group) await call(m);
      }
    }),
  );
  const wallMs = performance.now() - started;
  const s = sim.gpu.stats();
  await sim.close();
  return {
    debates,
    routed,
    loads: s.loads,
    loadMs: Math.round(s.loadMs),
    calls: s.calls,
    wallMs: Math.round(wallMs),
  };
}

for (const debates of [1, 10])
  for (const routed of [false, true]) console.log(JSON.stringify(await run(debates, routed)));
