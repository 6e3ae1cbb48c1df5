import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { builtinCatalog } from '../../personas/index.ts';
import { type FakeOllamaServer, startOllamaServer } from '../../test/fakes/ollama-server.ts';
import { type ArenaExit, type ArenaProcess, startArenaProcess } from './arena-process.ts';
import { type ChaosVerdict, checkRun, type DebateEvidence, type GlobalEvidence } from './check.ts';
import { Cleanups } from './cleanups.ts';
import { openChaosDatabase } from './database.ts';
import { startDiscordPlatform } from './discord.ts';
import { collectEvidence, collectGlobalEvidence, settle } from './evidence.ts';
import { type FaultTargets, LLM_TIMEOUT_MS } from './faults.ts';
import { runKills, talk, talkable, waitConnected } from './kill-loop.ts';
import type { ChaosOptions } from './options.ts';
import { type ChaosPlatform, type ChaosThread, PUBLIC_URL } from './platform.ts';
import type { ChaosStats } from './report.ts';
import { startSlackPlatform } from './slack.ts';
import { random } from './timing.ts';

const MODELS = ['qwen2.5:14b', 'qwen2.5:32b', 'llama3.2:3b'];

export interface ChaosIo {
  /** Progress lines (always) and the child's own lines (with --verbose). */
  log(line: string): void;
  /** PATH and HOME for the arena processes. */
  baseEnv: { PATH: string; HOME: string };
  /** The `arena` script to start (default: this checkout's bin/arena.js, which runs the sources). */
  arenaBin?: string;
  /** Where the run registers what it must undo; the caller may run them early (Ctrl-C). */
  cleanups?: Cleanups;
}

export interface ChaosResult {
  stats: ChaosStats;
  verdict: ChaosVerdict;
  /** What the verdict was drawn from (a test re-checks it doctored). */
  evidence: { debates: DebateEvidence[]; global: GlobalEvidence };
}

/** The whole scenario on the chosen platforms against a Postgres server: what happened, and the verdict. */
export async function runChaos(opts: ChaosOptions, io: ChaosIo): Promise<ChaosResult> {
  if (!opts.databaseUrl)
    throw new Error('chaos needs a Postgres server: --database-url, CHAOS_DATABASE_URL or TEST_DATABASE_URL');
  const started = Date.now();
  const loadBefore = loadavg();
  const stats: ChaosStats = {
    platform: opts.platform.join('+'),
    database: 'Postgres',
    seed: opts.seed,
    kills: 0,
    killsDuringStartup: 0,
    killsWhileDebating: 0,
    processes: 0,
    dbOutages: 0,
    backendsTerminated: 0,
    llmFaults: { http500: 0, stalls: 0 },
    platformFaults: { http500: 0, http429: 0 },
    humanMessages: 0,
    seconds: 0,
    load: '',
  };
  const crashes: ArenaExit[] = [];
  const cleanups = io.cleanups ?? new Cleanups();
  let child: ArenaProcess | null = null;

  try {
    // 1. A fresh database, the chat platforms and the model, all failing now and then.
    const database = await openChaosDatabase(opts.databaseUrl, { keep: opts.keep, log: io.log }, cleanups);
    const db = database.handle.db;
    const platforms: ChaosPlatform[] = [];
    for (const name of opts.platform) {
      const platform = name === 'discord' ? await startDiscordPlatform() : await startSlackPlatform();
      cleanups.add(() => platform.close());
      platforms.push(platform);
    }
    const llm = await startModel(opts.chunkDelayMs);
    cleanups.add(() => llm.close());
    const cwd = await mkdtemp(path.join(tmpdir(), 'arena-chaos-'));
    cleanups.add(() => rm(cwd, { recursive: true, force: true }));
    // The child is killed before anything it uses goes away (cleanups run last-in first-out).
    cleanups.add(async () => child?.kill());
    const env: Record<string, string> = {
      ...io.baseEnv,
      DATABASE_URL: database.arenaUrl,
      DASHBOARD_PORT: '0',
      LLM_PROVIDER: 'ollama',
      OLLAMA_HOST: llm.url,
      LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS),
      DEBATE_ROUNDS: '1',
      JOBS: 'off',
      LOG_LEVEL: 'info',
      PUBLIC_URL,
      ARENA_SECRET_KEY: randomBytes(24).toString('hex'),
      // Per-person chat limits are tested elsewhere: here every /arena start must go through.
      CHAT_COMMANDS_PER_MINUTE: '1000',
      ...Object.assign({}, ...platforms.map((p) => p.env)),
    };
    const spawn = (): ArenaProcess => {
      // Interrupted: the loop still running must not start a process nobody would kill.
      if (cleanups.started) throw new Error('interrupted');
      stats.processes++;
      const n = stats.processes;
      const p = startArenaProcess({
        env,
        cwd,
        ...(io.arenaBin ? { bin: io.arenaBin } : {}),
        ...(opts.verbose ? { onLine: (line: string) => io.log(`  [arena ${n}] ${line}`) } : {}),
      });
      io.log(`arena process ${n} started (pid ${p.pid})`);
      void p.exited.then((exit) => {
        if (exit.byUs) return;
        crashes.push(exit);
        io.log(`arena process ${n} died by itself (code ${exit.code}): ${exit.stderrTail.slice(-600)}`);
      });
      return p;
    };
    const faults: FaultTargets = { llm, platforms, database, stats, rand: random(opts.seed), log: io.log };

    // 2. Debates started from chat on each platform.
    child = spawn();
    const threads: ChaosThread[] = [];
    await waitConnected(platforms, child);
    for (const platform of platforms) {
      for (let i = 0; i < opts.debates; i++) {
        const idea = `Chaos idea ${i + 1} on ${platform.name}: ${IDEAS[i % IDEAS.length]}`;
        threads.push({ platform, threadId: await platform.startDebate(idea, 300_000), people: [] });
      }
    }
    io.log(`${threads.length} debates started from chat`);

    // 3. Kills at random moments with faults before each, the outage halfway, people writing early on.
    child = await runKills({ opts, faults, db, threads, spawn }, child);

    // 4. One last process finishes everything (a thread nobody wrote into yet gets its message now).
    if (!child?.running()) child = spawn();
    const late = await talkable({ db, threads });
    if (late.length > 0) {
      await waitConnected(platforms, child).catch(() => {});
      await talk({ db, faults }, late);
    }
    io.log('last arena process: waiting for every debate and delivery to finish');
    await settle(db, threads, opts.settleMs).catch((e: Error) => io.log(e.message));
    const stopped = await child.stop();
    child = null;
    if (stopped.code !== 0 && !crashes.includes(stopped))
      crashes.push({ ...stopped, byUs: false, stderrTail: `did not stop cleanly: ${stopped.stderrTail}` });

    // 5. The verdict.
    const prompts = llm.chatRequests().map((r) => (r.body?.messages ?? []).map((m) => m.content).join('\n'));
    const evidence = await collectEvidence({ db, threads, personas: await builtinCatalog(), prompts });
    const global = await collectGlobalEvidence(db, crashes.length);
    const verdict = checkRun(evidence, global, threads.length);
    verdict.problems.push(
      ...threads
        .filter((t) => t.people.length === 0)
        .map((t) => `no one wrote into ${t.platform.name} thread ${t.threadId}: its debate ended first`),
      ...crashes.map((c) => `arena exit ${c.code ?? c.signal}: ${lastLines(c.stderrTail)}`),
    );
    verdict.ok &&= verdict.problems.length === 0;
    stats.seconds = Math.round((Date.now() - started) / 1000);
    const loadAfter = loadavg();
    stats.load = `${loadBefore[0]!.toFixed(1)} → ${loadAfter[0]!.toFixed(1)} (1 min, ${availableParallelism()} cores)`;
    return { stats, verdict, evidence: { debates: evidence, global } };
  } finally {
    await cleanups.run();
  }
}

const IDEAS = [
  'a tool library for a street',
  'night buses run by volunteers',
  'shared cargo bikes for shops',
  'a repair café booking app',
  'rooftop gardens on car parks',
];

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ').slice(0, 400);
}

/** Every reply is unique, so a post in a thread names exactly one model answer. */
async function startModel(chunkDelayMs: number): Promise<FakeOllamaServer> {
  let n = 0;
  const llm = await startOllamaServer({
    models: MODELS,
    responder: (body) => {
      n++;
      return body.format
        ? JSON.stringify({ score: 7, strengths: ['clear need'], risks: ['churn'], conditions: ['pilot'] })
        : `${body.model} answer ${n}-${randomBytes(3).toString('hex')}: a short point about cost, risk and who benefits.`;
    },
  });
  llm.setChunkDelay(chunkDelayMs);
  return llm;
}
