// `npm run bench -- --systems router`: whole default debates replayed against the simulated 24 GB GPU
// (bench/router-replay.ts). Three tables: model loads (before: one call at a time straight to
// Ollama; after: through the router), the router's GPU memory for 10 debates (learnt: the most
// /api/ps has reported loaded at once, the app's default; given: 24 GB set), and the
// wall/critical-path ratio with instant loads, per phase of the first debate.
import { builtinCatalog } from '../personas/index.ts';
import { type ReplayResult, replayDebates } from './router-replay.ts';

export interface RouterBenchReport {
  loads: ReplayResult[];
  policy: Array<ReplayResult & { policy: 'learnt' | 'given' }>;
  ratio: Array<ReplayResult & { memoryGb: number }>;
}

/** Runs every router scenario (about a minute on an idle 2-core machine). */
export async function runRouterBench(progress: (line: string) => void): Promise<RouterBenchReport> {
  const personas = await builtinCatalog();
  const loads: ReplayResult[] = [];
  for (const debates of [1, 10]) {
    for (const routed of [false, true]) {
      progress(`router: ${debates} debate(s) ${routed ? 'through the router' : 'straight to Ollama'}`);
      loads.push(await replayDebates({ personas, debates, routed, loadMsPerGb: 2, generateMs: 20 }));
    }
  }
  const policy: RouterBenchReport['policy'] = [];
  for (const p of ['learnt', 'given'] as const) {
    progress(`router: 10 debates, GPU memory ${p}`);
    const r = await replayDebates({
      personas,
      debates: 10,
      routed: true,
      loadMsPerGb: 2,
      generateMs: 100,
      // Without the GPU's memory size (the default), the router learns a lower bound from /api/ps.
      ...(p === 'given' ? { gpuMemoryBytes: 24 * 1024 ** 3 } : {}),
    });
    policy.push({ ...r, policy: p });
  }
  const ratio: RouterBenchReport['ratio'] = [];
  for (const [debates, routed, memoryGb] of [
    [1, false, 24],
    [1, true, 24],
    [1, true, 1000],
    [10, true, 24],
  ] as const) {
    progress(`router: instant loads, ${debates} debate(s), ${memoryGb} GB, ${routed ? 'router' : 'direct'}`);
    const r = await replayDebates({ personas, debates, routed, loadMsPerGb: 0, generateMs: 300, memoryGb });
    ratio.push({ ...r, memoryGb });
  }
  return { loads, policy, ratio };
}

export function formatRouterTables(r: RouterBenchReport): string {
  const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  const phases = (x: ReplayResult) =>
    ['divergence', 'convergence', 'planning'].map((p) => x.loadsByPhase[p] ?? 0).join(' / ');
  const lines = [
    '### Router: model loads, whole default debates, simulated 24 GB GPU (2 ms/GB load, 20 ms/call)',
    '',
    row([
      'debates',
      'how',
      'calls',
      'loads',
      'loads by phase (debate 1: div / conv / plan)',
      'load ms',
      'wall ms',
    ]),
    row(['---', '---', '---', '---', '---', '---', '---']),
    ...r.loads.map((x) =>
      row([x.debates, x.routed ? 'router' : 'direct', x.calls, x.loads, phases(x), x.loadMs, x.wallMs]),
    ),
    '',
    `Distinct models per phase of one debate, summed: ${r.loads[0]?.modelsPerPhase ?? '?'}.`,
    '',
    '### Router: GPU memory learnt from /api/ps or given, 10 debates (2 ms/GB load, 100 ms/call)',
    '',
    row(['GPU memory', 'loads', 'load ms', 'wall ms', 'critical path ms', 'wall / critical']),
    row(['---', '---', '---', '---', '---', '---']),
    ...r.policy.map((x) => row([x.policy, x.loads, x.loadMs, x.wallMs, x.criticalPathMs, x.ratio])),
    '',
    '### Router: wall time / critical path, instant loads (300 ms/call)',
    '',
    row([
      'debates',
      'how',
      'GPU GB',
      'loads',
      'wall ms',
      'critical path ms',
      'wall / critical',
      'debate 1 per phase, wall / critical ms (div; conv; plan)',
    ]),
    row(['---', '---', '---', '---', '---', '---', '---', '---']),
    ...r.ratio.map((x) =>
      row([
        x.debates,
        x.routed ? 'router' : 'direct',
        x.memoryGb,
        x.loads,
        x.wallMs,
        x.criticalPathMs,
        x.ratio,
        ['divergence', 'convergence', 'planning']
          .map((p) => `${x.phases[p]?.wallMs ?? 0} / ${x.phases[p]?.criticalMs ?? 0}`)
          .join('; '),
      ]),
    ),
  ];
  return lines.join('\n');
}
