import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { adminExecute, databaseUrl } from '../db/admin.ts';
import type { ChildOutput, ChildSpec } from './child.ts';
import { buildImage, helpTimes, idleStart, removeImage } from './footprint.ts';
import { pollHealth } from './health-server.ts';
import type { ScenarioResult } from './result.ts';

// `npm run bench -- --suite`: issue #11's targets, each measured once, in about 10 minutes on an
// idle 2-core machine. Prints a Markdown block ready for docs/benchmarks.md.

const PARTS = ['a', 'b', 'c', 'd', 'e'] as const;
type Part = (typeof PARTS)[number];

interface SuiteDeps {
  postgresUrl: string | undefined;
  /** PATH for the fresh-shell environment of `arena start` and `arena --help` (bench/args.ts). */
  path: string;
  inChild: (spec: ChildSpec, onSignal?: (line: string) => void) => Promise<ChildOutput>;
}

export async function runSuite(argv: string[], deps: SuiteDeps): Promise<number> {
  const program = new Command('bench --suite')
    .description(
      "Issue #11's targets: (a) 100 debates vs LangGraph, (b) 500 debates + health, (c) PGlite timer, (d) idle RSS, (e) --help",
    )
    .option('--only <parts>', `which parts: ${PARTS.join(',')}`, PARTS.join(','))
    .option('--out <file>', 'where the JSON goes', 'bench/results/suite.json')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'commander.helpDisplayed' || code === 'commander.help' ? 0 : 2;
  }
  const opts = program.opts<{ only: string; out: string }>();
  const parts = opts.only.split(',').map((p) => p.trim()) as Part[];
  if (parts.some((p) => !PARTS.includes(p))) {
    process.stderr.write(`bench: --only takes a comma-separated list of ${PARTS.join(', ')}\n`);
    return 2;
  }
  const needsPostgres = parts.some((p) => p === 'a' || p === 'b' || p === 'd');
  if (needsPostgres && !deps.postgresUrl) {
    process.stderr.write(
      'bench: --suite needs BENCH_DATABASE_URL, a Postgres server where it may create databases\n',
    );
    return 2;
  }
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const uptimeBefore = uptime();
  progress(uptimeBefore);
  const began = Date.now();
  const out: Record<string, unknown> = {};
  const md: string[] = [];
  let ok = true;
  // Each part's table goes to stderr as soon as it is done; a part that fails is reported and the
  // others still run.
  const emit = (text: string) => process.stderr.write(`\n${text}\n\n`);
  const guarded = async (part: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      ok = false;
      const text = `**(${part}) failed:** ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      md.push(text);
      emit(text);
    }
  };

  if (parts.includes('a'))
    await guarded('a', async () => {
      progress('(a) 100 debates on Postgres: arena, LangGraph + PostgresSaver, LangGraph + MemorySaver');
      const common = { rounds: 2, latencyMs: 0, debates: [100] };
      const arena = await deps.inChild({ kind: 'arena', dialect: 'postgres', priced: true, ...common });
      const script = arena.script!;
      const durable = await deps.inChild({
        kind: 'langgraph',
        variant: 'langgraph-postgres',
        script,
        ...common,
      });
      const memory = await deps.inChild({ kind: 'langgraph', variant: 'langgraph', script, ...common });
      const rows = [...arena.results, ...durable.results, ...memory.results];
      out.a = rows;
      ok &&= rows.every((r) => r.completed === r.debates);
      md.push(tableA(rows));
      emit(md.at(-1)!);
    });
  if (parts.includes('b'))
    await guarded('b', async () => {
      progress('(b) 500 debates on Postgres with /api/health polled every 50 ms');
      let poller: ReturnType<typeof pollHealth> | undefined;
      let health: { latencies: number[]; failures: number; degraded: number } | undefined;
      const stopPolling = async () => {
        if (poller) health = await poller.stop();
        poller = undefined;
      };
      const spec: ChildSpec = {
        kind: 'arena',
        dialect: 'postgres',
        priced: true,
        rounds: 1,
        latencyMs: 0,
        debates: [500],
        health: true,
      };
      const result = await deps.inChild(spec, (line) => {
        const port = /^health-port (\d+)$/.exec(line);
        if (port) poller = pollHealth(Number(port[1]));
        if (line === 'health-stop') void stopPolling();
      });
      await stopPolling();
      const r = result.results[0]!;
      const h = health ?? { latencies: [], failures: 0, degraded: 0 };
      out.b = {
        result: r,
        health: { ...summary(h.latencies), failures: h.failures, degraded: h.degraded },
      };
      ok &&= r.completed === r.debates;
      md.push(tableB(r, h));
      emit(md.at(-1)!);
    });
  if (parts.includes('c'))
    await guarded('c', async () => {
      progress('(c) 200 debates on PGlite, the model answering after 500 ms: a 20 ms timer');
      const result = await deps.inChild({
        kind: 'arena',
        dialect: 'pglite',
        priced: true,
        rounds: 1,
        latencyMs: 500,
        debates: [200],
      });
      const r = result.results[0]!;
      out.c = r;
      ok &&= r.completed === r.debates;
      md.push(tableC(r));
      emit(md.at(-1)!);
    });
  if (parts.includes('d') || parts.includes('e'))
    await guarded('d/e', async () => {
      const image = buildImage(progress);
      try {
        if (parts.includes('d')) {
          const d = await footprint(image, deps.postgresUrl!, deps.path, progress);
          out.d = d;
          md.push(tableD(d));
        }
        if (parts.includes('e')) {
          progress('(e) arena --help in the compiled image');
          const e = helpTimes(image, deps.path);
          out.e = e;
          md.push(tableE(e));
        }
      } finally {
        removeImage(image);
      }
    });

  const uptimeAfter = uptime();
  const minutes = ((Date.now() - began) / 60_000).toFixed(1);
  const header = [
    `Command: \`BENCH_DATABASE_URL=… npm run bench -- --suite${argv.length ? ` ${argv.join(' ')}` : ''}\``,
    `(${new Date().toISOString().slice(0, 16)}Z, ${minutes} min, Node ${process.version}, ${os.cpus().length} CPUs)`,
    '',
    `- load before: \`${uptimeBefore}\``,
    `- load after: \`${uptimeAfter}\``,
    '',
  ].join('\n');
  process.stdout.write(`\n${header}\n${md.join('\n\n')}\n`);
  await mkdir(path.dirname(opts.out), { recursive: true });
  await writeFile(
    opts.out,
    `${JSON.stringify({ argv, uptimeBefore, uptimeAfter, minutes, ...out }, null, 2)}\n`,
  );
  progress(`${uptimeAfter}; JSON written to ${opts.out}`);
  return ok ? 0 : 1;
}

async function footprint(
  image: string,
  postgresUrl: string,
  pathEnv: string,
  progress: (line: string) => void,
) {
  const idleMs = 15_000;
  const port = 39_000 + Math.floor(Math.random() * 1000);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arena-idle-'));
  const name = `arena_idle_${process.pid}`;
  try {
    progress('(d) idle RSS: PGlite, first start (fresh data folder)');
    const pgliteFirst = await idleStart(image, { dataDir, idleMs, port, path: pathEnv });
    progress('(d) idle RSS: PGlite, later start');
    const pgliteLater = await idleStart(image, { dataDir, idleMs, port, path: pathEnv });
    await adminExecute(postgresUrl, `create database ${name}`);
    const url = databaseUrl(postgresUrl, name);
    progress('(d) idle RSS: Postgres, first start (fresh database)');
    const pgFirst = await idleStart(image, {
      dataDir,
      databaseUrl: url,
      idleMs,
      port,
      path: pathEnv,
    });
    progress('(d) idle RSS: Postgres, later start');
    const pgLater = await idleStart(image, {
      dataDir,
      databaseUrl: url,
      idleMs,
      port,
      path: pathEnv,
    });
    return { idleMs, pgliteFirst, pgliteLater, pgFirst, pgLater };
  } finally {
    await adminExecute(postgresUrl, `drop database if exists ${name} with (force)`).catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  }
}

const f = (n: number | null | undefined, d = 1) => (n === null || n === undefined ? '–' : n.toFixed(d));
const mark = (pass: boolean) => (pass ? '✓' : '✗');

function perCall(r: ScenarioResult) {
  const k = r.llmCalls === 0 ? 0 : r.turns / r.llmCalls;
  const proc = r.cpu.msPerTurn * k;
  const backend =
    r.cpu.dbBackendMsPerTurn === null || r.cpu.dbBackendMsPerTurn === undefined
      ? null
      : r.cpu.dbBackendMsPerTurn * k;
  return { callsPerSec: r.llmCalls / (r.wallMs / 1000), proc, backend, total: proc + (backend ?? 0) };
}

function tableA(rows: ScenarioResult[]): string {
  const lines = [
    '**(a) 100 concurrent debates on Postgres, 2 rounds, instant priced model**',
    '',
    '| system | completed | calls/s | CPU ms/call (process) | CPU ms/call (Postgres backends) | CPU ms/call (total) | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const c = perCall(r);
    lines.push(
      `| ${r.system}/${r.store} | ${r.completed}/${r.debates} | ${f(c.callsPerSec)} | ${f(c.proc, 2)} | ${f(c.backend, 2)} | ${f(c.total, 2)} | ${f(r.memory.peakRssMb, 0)} |`,
    );
  }
  const arena = rows.find((r) => r.system === 'arena');
  const peer = rows.find((r) => r.system === 'langgraph-postgres');
  if (arena && peer) {
    const a = perCall(arena);
    const p = perCall(peer);
    const speed = a.callsPerSec / p.callsPerSec;
    const cpu = a.total / p.total;
    const rss = arena.memory.peakRssMb / peer.memory.peakRssMb;
    lines.push(
      '',
      `Against LangGraph + PostgresSaver: calls/s **${f(speed, 2)}×** (target ≥ 2× ${mark(speed >= 2)}), ` +
        `CPU per call ${f(cpu, 2)}× (target ≤ 1 ${mark(cpu <= 1)}), peak RSS ${f(rss, 2)}× (target ≤ 1 ${mark(rss <= 1)}).`,
    );
  }
  return lines.join('\n');
}

function tableB(r: ScenarioResult, h: { latencies: number[]; failures: number; degraded: number }): string {
  const s = summary(h.latencies);
  const c = perCall(r);
  return [
    "**(b) 500 concurrent debates on Postgres, 1 round, instant priced model; the app's dashboard `/api/health` every 50 ms from another process**",
    '',
    '| completed | calls/s | health requests | health p50 ms | health p99 ms | health max ms | failed | degraded | peak RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${r.completed}/${r.debates} | ${f(c.callsPerSec)} | ${s.count} | ${f(s.p50)} | ${f(s.p99)} | ${f(s.max)} | ${h.failures} | ${h.degraded} | ${f(r.memory.peakRssMb, 0)} |`,
    '',
    `Targets: all complete ${mark(r.completed === r.debates)}, health p99 < 100 ms ${mark(s.count > 0 && s.p99 < 100)}, peak RSS < 500 MB ${mark(r.memory.peakRssMb < 500)}.`,
  ].join('\n');
}

function tableC(r: ScenarioResult): string {
  return [
    '**(c) 200 concurrent debates on PGlite, 1 round, the model answering after 500 ms: how late a 20 ms timer fires**',
    '',
    '| completed | wall s | timer late p99 ms | timer late max ms | peak RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: |',
    `| ${r.completed}/${r.debates} | ${f(r.wallMs / 1000)} | ${f(r.loopDelayP99Ms)} | ${f(r.loopDelayMaxMs)} | ${f(r.memory.peakRssMb, 0)} |`,
    '',
    `Target: p99 < 50 ms ${mark(r.loopDelayP99Ms < 50)}.`,
  ].join('\n');
}

function tableD(d: Awaited<ReturnType<typeof footprint>>): string {
  const row = (what: string, x: { rssMb: number; readyMs: number }, target: number) =>
    `| ${what} | ${f(x.rssMb, 0)} | ${f(x.readyMs / 1000)} | ≤ ${target} ${mark(x.rssMb <= target)} |`;
  return [
    `**(d) idle RSS of \`arena start\` (compiled image, offline model, ${d.idleMs / 1000} s idle after the dashboard line)**`,
    '',
    '| start | RSS MB | ready s | target MB |',
    '| --- | ---: | ---: | --- |',
    row('PGlite, first start', d.pgliteFirst, 200),
    row('PGlite, later start', d.pgliteLater, 160),
    row('Postgres, first start', d.pgFirst, 120),
    row('Postgres, later start', d.pgLater, 120),
  ].join('\n');
}

function tableE(e: { helpMs: number[]; nodeMs: number[] }): string {
  const h = summary(e.helpMs);
  const n = summary(e.nodeMs);
  return [
    `**(e) \`arena --help\`, compiled image, ${e.helpMs.length} runs after one warm-up**`,
    '',
    '| | median s | min s |',
    '| --- | ---: | ---: |',
    `| \`node bin/arena.js --help\` | ${f(h.p50 / 1000, 2)} | ${f(h.min / 1000, 2)} |`,
    `| \`node -e 0\` (for scale) | ${f(n.p50 / 1000, 2)} | ${f(n.min / 1000, 2)} |`,
    '',
    `Target: < 0.5 s ${mark(h.p50 < 500)}.`,
  ].join('\n');
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return { count: sorted.length, min: sorted[0] ?? 0, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`;
  }
}
