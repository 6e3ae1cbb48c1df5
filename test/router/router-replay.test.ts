import { beforeAll, describe, expect, it } from 'vitest';
import { replayDebates } from '../../bench/router-replay.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';

// Whole default debates (real planner and lineup, divergence included) replayed against the
// simulated 24 GB GPU, as `npm run bench -- --systems router` does. Counts only, never times.
// One debate's counts are asserted in router-gpu.test.ts.
let personas: readonly Persona[];
beforeAll(async () => {
  personas = await builtinCatalog();
});

const fast = { loadMsPerGb: 0.05, generateMs: 2, limits: { gatherMs: 5 } } as const;

describe('router replay of whole debates on the simulated GPU (load counts)', () => {
  it('ten debates at once: far fewer loads than ten debates straight to Ollama', async () => {
    const direct = await replayDebates({ personas, debates: 10, routed: false, ...fast });
    const routed = await replayDebates({ personas, debates: 10, routed: true, ...fast });
    expect(routed.calls).toBe(300);
    expect(routed.loads).toBeLessThan(direct.loads);
    // Convergence and planning of ten debates share their loads like one debate's.
    expect(routed.loads).toBeLessThanOrEqual(40);
  }, 180_000);
});
