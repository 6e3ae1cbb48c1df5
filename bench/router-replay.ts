// The router scenario of `npm run bench`: whole default debates (divergence, summary, verdicts,
// outcome, plan sections, final plan) planned by the real planner and lineup, replayed against the
// simulated 24 GB GPU behind Ollama's protocol, through the real Ollama provider. Steps are sent
// the way the engine sends them: divergence one speaker at a time, verdicts and plan sections as
// groups (planGroup), each call with the engine's route hints. No database: the debate's history is
// kept in memory, so what is measured is the model schedule alone.

import type { HistoryEntry } from '../engine/debate/history.ts';
import { stepEntry } from '../engine/debate/message.ts';
import { createCast } from '../engine/debate/plan/cast.ts';
import { planGroup, upcomingModels } from '../engine/debate/plan/group.ts';
import { type ActiveStep, type PlanContext, planNextStep } from '../engine/debate/plan/planner.ts';
import { resolveSettings } from '../engine/debate/settings.ts';
import { createOllamaProvider } from '../engine/llm/ollama.ts';
import { createOllamaInspector } from '../engine/llm/router/ollama-inspector.ts';
import { createLlmRouter, type LlmRouterOptions } from '../engine/llm/router/router.ts';
import type { LlmProvider } from '../engine/llm/types.ts';
import { silentLogger } from '../engine/log.ts';
import type { Persona } from '../personas/types.ts';
import { type SimulatedOllamaOptions, startSimulatedOllama } from '../test/fakes/simulated-ollama.ts';

/** The default catalog's five models, in billions of parameters as Ollama lists them. */
export const DEFAULT_MODELS: Record<string, number> = {
  'phi4:14b': 14.7,
  'qwen2.5:14b': 14.8,
  'qwen2.5:32b': 32.8,
  'llama3.2:3b': 3.2,
  'llama3.3:70b': 70.6,
};

export interface ReplayOptions {
  personas: readonly Persona[];
  debates: number;
  /** Through the router (model-aware, groups at once) or straight to Ollama one call at a time (before). */
  routed: boolean;
  /** ms to load one GB; 0 for instant loads (the wall/critical-path ratio). */
  loadMsPerGb: number;
  /** ms one call generates for. */
  generateMs: number;
  rounds?: number;
  /** Debate ids (and so seeds and ideas) are `${idPrefix}-${n}`, n from `firstDebate` (default 0). */
  idPrefix?: string;
  firstDebate?: number;
  /** GPU memory; default 24 GB. A huge one isolates the router's own overhead from memory limits. */
  memoryGb?: number;
  /** Router limits, e.g. a shorter gather window for a fast simulation. */
  limits?: LlmRouterOptions['limits'];
  /** Routed: the planner gets the router's loaded models (model-aware divergence order); default true. */
  modelAware?: boolean;
  /** The router's GPU memory; unset, it learns a lower bound from /api/ps (as the app does). */
  gpuMemoryBytes?: number;
  /** Delays the simulated server adds (late chat requests, slow /api/ps): tests of ordering under load. */
  serverDelays?: SimulatedOllamaOptions['delays'];
}

export interface ReplayResult {
  debates: number;
  routed: boolean;
  loadMsPerGb: number;
  generateMs: number;
  calls: number;
  loads: number;
  loadsByModel: Record<string, number>;
  /** Distinct models per phase summed over phases: the "one load per distinct model per phase" bound of one debate. */
  modelsPerPhase: number;
  /** Distinct models debate 0 called in each phase. */
  modelsByPhase: Record<string, number>;
  /** Loads while debate 0 was in each phase (exact for one debate). */
  loadsByPhase: Record<string, number>;
  /**
   * Routed: debate 0's single steps (divergence turns, the summary, the final plan) whose model the
   * router did not report loaded (`loadedModels()`) when the step was planned, per phase: for one
   * debate, the most loads that phase's single steps may make.
   */
  unreportedByPhase: Record<string, number>;
  /** Routed: debate 0's single steps that loaded a model the router reported loaded when the step was planned (0 for one debate). */
  loadedWhenReported: number;
  loadMs: number;
  wallMs: number;
  /** The longest debate's critical path: sequential steps' generation + the longest of each group. */
  criticalPathMs: number;
  /** Wall time over the critical path. */
  ratio: number;
  /** Debate 0, per phase: wall time and that phase's critical path (where the ratio is lost). */
  phases: Record<string, { wallMs: number; criticalMs: number }>;
}

const IDEAS = [
  'a wallet app for DAOs',
  'a marketplace for idle GPUs',
  'a bakery app that predicts demand',
  'an open-source CRM for clinics',
  'a language tutor that listens',
];

export async function replayDebates(opts: ReplayOptions): Promise<ReplayResult> {
  const sim = await startSimulatedOllama({
    models: DEFAULT_MODELS,
    memoryGb: opts.memoryGb ?? 24,
    loadMsPerGb: opts.loadMsPerGb,
    generateMs: opts.generateMs,
    ...(opts.serverDelays ? { delays: opts.serverDelays } : {}),
  });
  try {
    const ollama = createOllamaProvider({ host: sim.url, timeoutMs: 600_000, log: silentLogger });
    const router = opts.routed
      ? createLlmRouter({
          provider: ollama,
          inspector: createOllamaInspector(sim.url),
          resolveModel: ollama.resolveModel,
          ...(opts.limits ? { limits: opts.limits } : {}),
          ...(opts.gpuMemoryBytes !== undefined ? { gpuMemoryBytes: opts.gpuMemoryBytes } : {}),
        })
      : undefined;
    const llm: LlmProvider = router ?? ollama;
    // The app's router has read /api/ps long before its first debate.
    await router?.refresh();
    const cast = createCast(opts.personas);
    const moderatorModel = resolveSettings().moderatorModel;
    const phaseModels = new Map<string, Set<string>>();
    const phaseLoads: Record<string, number> = {};
    const unreported: Record<string, number> = {};
    let loadedWhenReported = 0;
    const phaseTimes: ReplayResult['phases'] = {};
    let critical = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: opts.debates }, async (_, d) => {
        const n = d + (opts.firstDebate ?? 0);
        const debateId = `${opts.idPrefix ?? 'bench'}-${n}`;
        const ctx: PlanContext = {
          seed: debateId,
          idea: IDEAS[n % IDEAS.length]!,
          rounds: opts.rounds ?? 2,
          cast,
          moderatorModel,
        };
        const history: HistoryEntry[] = [];
        let path = 0;
        const modelOf = (step: ActiveStep) =>
          'speakerId' in step ? cast.byId.get(step.speakerId)!.model : moderatorModel;
        const call = async (step: ActiveStep, siblings: number) => {
          const model = modelOf(step);
          await llm.chat({
            model,
            messages: [{ role: 'user', content: `${step.kind} of ${debateId}` }],
            route: {
              debateId,
              upcomingModels: upcomingModels(cast, step, moderatorModel),
              ...(siblings > 1 ? { siblings } : {}),
            },
          });
          if (d === 0) {
            const seen = phaseModels.get(step.phase) ?? new Set<string>();
            phaseModels.set(step.phase, seen.add(model));
          }
        };
        for (;;) {
          const known = router?.loadedModels();
          const step = planNextStep(
            { ...ctx, ...(router && opts.modelAware !== false ? { loadedModels: known } : {}) },
            history,
          );
          if (step.kind === 'done') break;
          if (step.kind === 'outcome') {
            history.push(entryOf(step, history.length));
            continue;
          }
          const group = planGroup(ctx, history, step, history.length);
          const steps = group.length > 1 ? group : [step];
          const loadsBefore = sim.gpu.stats().loads;
          const stepStarted = performance.now();
          if (router && steps.length > 1) await Promise.all(steps.map((s) => call(s, steps.length)));
          else for (const s of steps) await call(s, 1);
          // One step or one group: the critical path grows by one generation either way.
          path += opts.generateMs;
          if (d === 0) {
            const loads = sim.gpu.stats().loads - loadsBefore;
            phaseLoads[step.phase] = (phaseLoads[step.phase] ?? 0) + loads;
            if (router && steps.length === 1) {
              const reported = known?.has(modelOf(step)) === true;
              if (!reported) unreported[step.phase] = (unreported[step.phase] ?? 0) + 1;
              else if (loads > 0) loadedWhenReported++;
            }
            const ms = performance.now() - stepStarted;
            const t = phaseTimes[step.phase] ?? { wallMs: 0, criticalMs: 0 };
            phaseTimes[step.phase] = { wallMs: t.wallMs + ms, criticalMs: t.criticalMs + opts.generateMs };
          }
          for (const s of steps) history.push(entryOf(s, history.length));
        }
        critical = Math.max(critical, path);
      }),
    );
    const wallMs = performance.now() - started;
    const s = sim.gpu.stats();
    return {
      debates: opts.debates,
      routed: opts.routed,
      loadMsPerGb: opts.loadMsPerGb,
      generateMs: opts.generateMs,
      calls: s.calls,
      loads: s.loads,
      loadsByModel: s.loadsByModel,
      modelsPerPhase: [...phaseModels.values()].reduce((n, set) => n + set.size, 0),
      modelsByPhase: Object.fromEntries([...phaseModels].map(([phase, set]) => [phase, set.size])),
      loadsByPhase: phaseLoads,
      unreportedByPhase: unreported,
      loadedWhenReported,
      loadMs: Math.round(s.loadMs),
      wallMs: Math.round(wallMs),
      criticalPathMs: critical,
      ratio: Math.round((wallMs / critical) * 100) / 100,
      phases: Object.fromEntries(
        Object.entries(phaseTimes).map(([p, t]) => [
          p,
          { wallMs: Math.round(t.wallMs), criticalMs: t.criticalMs },
        ]),
      ),
    };
  } finally {
    await sim.close();
  }
}

/** What a committed step leaves in the history; every verdict scores 8, so the debate is selected and plans. */
function entryOf(step: ActiveStep, turnIndex: number): HistoryEntry {
  const speaker = 'speakerId' in step ? step.speakerId : 'moderator';
  return stepEntry(step, turnIndex, {
    content: `${speaker} ${step.kind}`,
    verdict:
      step.kind === 'verdict'
        ? { score: 8, strengths: [], risks: ['custody'], conditions: ['an audit'] }
        : null,
  });
}
