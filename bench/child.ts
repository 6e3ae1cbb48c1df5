import { z } from 'zod';
import { createArenaBench } from './arena-bench.ts';
import { startHealthServer } from './health-server.ts';
import { createLangGraphBench } from './langgraph-bench.ts';
import type { ScenarioResult } from './result.ts';
import type { DebateScript } from './script.ts';

const ScriptSchema = z.array(
  z.object({
    kind: z.enum(['turn', 'summary', 'verdict', 'outcome', 'section', 'final']),
    speaker: z.string(),
    phase: z.enum(['divergence', 'convergence', 'planning']),
    round: z.number(),
    reaction: z.string(),
    section: z.enum(['prd', 'architecture', 'user_research', 'business_model', 'project_plan']).optional(),
  }),
);

/** One child process's work: every scenario of one system, in a process of its own so memory figures stay apart. */
export const ChildSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('arena'),
    dialect: z.enum(['pglite', 'postgres']),
    rounds: z.number().int().min(1),
    latencyMs: z.number().int().min(0),
    priced: z.boolean(),
    debates: z.array(z.number().int().min(1)),
    /** Serve the app's dashboard (its /api/health) while each scenario runs, for the parent to poll. */
    health: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('langgraph'),
    variant: z.enum(['langgraph', 'langgraph-postgres', 'langgraph-lean']),
    rounds: z.number().int().min(1),
    latencyMs: z.number().int().min(0),
    script: ScriptSchema,
    debates: z.array(z.number().int().min(1)),
  }),
]);

export type ChildSpec = z.infer<typeof ChildSpecSchema>;

export interface ChildOutput {
  results: ScenarioResult[];
  /** The arena's debate shape, for the LangGraph children. */
  script?: DebateScript;
}

/** Runs a child's scenarios in order (smallest first), reporting progress through `progress`. */
export async function runChild(
  spec: ChildSpec,
  deps: {
    postgresUrl: string | undefined;
    progress: (line: string) => void;
    /** A line for the parent while the child runs (the health server's port, its end). */
    signal?: (line: string) => void;
  },
): Promise<ChildOutput> {
  const results: ScenarioResult[] = [];
  if (spec.kind === 'arena') {
    deps.progress(`arena/${spec.dialect}: fresh database, warm-up debate`);
    const bench = await createArenaBench({ ...spec, postgresUrl: deps.postgresUrl });
    try {
      for (const n of spec.debates) {
        deps.progress(`arena/${spec.dialect}: ${n} debate(s)`);
        const health = spec.health ? await startHealthServer(bench.dashboardParts) : undefined;
        if (health) deps.signal?.(`health-port ${health.port}`);
        try {
          results.push(await bench.run(n));
        } finally {
          if (health) {
            deps.signal?.('health-stop');
            await health.close();
          }
        }
      }
      return { results, script: bench.script };
    } finally {
      await bench.close();
    }
  }
  deps.progress(`${spec.variant}: warm-up debate`);
  const bench = await createLangGraphBench({ ...spec, postgresUrl: deps.postgresUrl });
  try {
    for (const n of spec.debates) {
      deps.progress(`${spec.variant}: ${n} debate(s)`);
      results.push(await bench.run(n));
    }
    return { results };
  } finally {
    await bench.close();
  }
}
