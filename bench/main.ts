import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BenchArgs, type BenchEnv, BenchUsageError, loadBenchEnv, parseBenchArgs } from './args.ts';
import { type ChildOutput, type ChildSpec, ChildSpecSchema, runChild } from './child.ts';
import { imageNodeFlags } from './footprint.ts';
import { buildReport, formatTables, writeReport } from './report.ts';
import type { ScenarioResult } from './result.ts';
import type { DebateScript } from './script.ts';

const CHILD_FLAG = '--child';
const RESULT_MARK = '@@bench-result ';
const BIN = fileURLToPath(new URL('../bin/bench.js', import.meta.url));

/** `npm run bench`: resolves to the exit code (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  // The benchmark is its own composition root: its environment is read once, in bench/args.ts.
  let env: BenchEnv;
  try {
    env = loadBenchEnv();
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n`);
    return 2;
  }
  const POSTGRES_URL = env.postgresUrl;
  const inChild = childRunner(env);
  if (argv[0] === CHILD_FLAG) return childMain(argv[1] ?? '', env);
  if (argv[0] === '--suite') {
    const { runSuite } = await import('./suite.ts');
    return runSuite(argv.slice(1), { postgresUrl: POSTGRES_URL, path: env.path, inChild });
  }
  let args: BenchArgs | 'help';
  try {
    args = parseBenchArgs(argv, (text) => process.stdout.write(text));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n`);
    return 2;
  }
  if (args === 'help') return 0;
  if (args.db === 'postgres' && !POSTGRES_URL) {
    process.stderr.write(
      'bench: --db postgres needs BENCH_DATABASE_URL, a server where the benchmark may create a database\n',
    );
    return 2;
  }
  const loadBefore = os.loadavg();
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  progress(`load average ${loadBefore.map((n) => n.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);

  // The LLM router on the simulated GPU: no database, no fake model, in this process.
  const router = args.systems.includes('router')
    ? await import('./router-bench.ts').then(async (m) =>
        m.formatRouterTables(await m.runRouterBench(progress)),
      )
    : undefined;
  if (router) process.stdout.write(`\n${router}\n`);
  if (args.systems.every((s) => s === 'router')) {
    progress(
      `load average after: ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    return 0;
  }

  const results: ScenarioResult[] = [];
  const common = { rounds: args.rounds, latencyMs: args.latency };
  // The arena runs first: its warm-up debate is the shape LangGraph replays.
  const arenaOut = await inChild({
    kind: 'arena',
    dialect: args.db,
    priced: args.price === 'priced',
    debates: args.systems.includes('arena') ? args.debates : [],
    ...common,
  });
  results.push(...arenaOut.results);
  const script: DebateScript | undefined = arenaOut.script;
  if (!script) throw new Error('the arena child returned no debate shape');
  for (const variant of ['langgraph', 'langgraph-postgres', 'langgraph-lean'] as const) {
    if (!args.systems.includes(variant)) continue;
    const out = await inChild({ kind: 'langgraph', variant, script, debates: args.debates, ...common });
    results.push(...out.results);
  }

  process.stdout.write(`\n${formatTables(results)}\n`);
  const report = buildReport(args, script, results, loadBefore);
  await writeReport(args.out, report);
  progress(`load average after: ${report.machine.loadAvgAfter.join(' ')}; report written to ${args.out}`);
  return results.every((r) => r.completed === r.debates) ? 0 : 1;
}

const SIGNAL_MARK = '@@bench-signal ';

/**
 * Runs one system's scenarios in a fresh process, so one system's memory never shows in another's.
 * `onSignal` hears the child's signal lines as they come (e.g. its health server's port).
 */
const childRunner =
  (env: BenchEnv) =>
  (spec: ChildSpec, onSignal?: (line: string) => void): Promise<ChildOutput> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [...imageNodeFlags(), '--expose-gc', BIN, CHILD_FLAG, JSON.stringify(spec)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
          // LangChain runs callbacks in the background by default, and then drops streamed tokens of
          // concurrent runs (see docs/benchmarks.md); awaiting them is what a streaming app must do.
          env: { ...env.inherited, LANGCHAIN_CALLBACKS_BACKGROUND: 'false' },
        },
      );
      let stdout = '';
      let pending = '';
      child.stdout.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        stdout += text;
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const l of lines) if (l.startsWith(SIGNAL_MARK)) onSignal?.(l.slice(SIGNAL_MARK.length));
      });
      child.on('error', reject);
      child.on('close', (code) => {
        const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
        if (code !== 0 || !line) {
          reject(new Error(`benchmark child (${spec.kind}) exited with code ${code}`));
          return;
        }
        resolve(JSON.parse(line.slice(RESULT_MARK.length)) as ChildOutput);
      });
    });

async function childMain(specJson: string, env: BenchEnv): Promise<number> {
  const spec = ChildSpecSchema.parse(JSON.parse(specJson));
  const out = await runChild(spec, {
    postgresUrl: env.postgresUrl,
    progress: (line) => process.stderr.write(`bench: ${line}\n`),
    signal: (line) => process.stdout.write(`${SIGNAL_MARK}${line}\n`),
  });
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(out)}\n`);
  return 0;
}
