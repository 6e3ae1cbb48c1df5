import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { registerArenaCommands } from '../../bot/discord/register.ts';
import { adminExecute } from '../../db/admin.ts';
import { connectDatabase, type DatabaseHandle, redactUrl } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { Database } from '../../db/schema.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { type DiscordEmulator, startDiscordEmulator } from '../../test/emulators/discord/index.ts';
import { type FakeOllamaServer, startOllamaServer } from '../../test/fakes/ollama-server.ts';
import { startTcpProxy, type TcpProxy } from '../../test/helpers/tcp-proxy.ts';
import { type ArenaExit, type ArenaProcess, startArenaProcess } from './arena-process.ts';
import { type ChaosVerdict, checkRun, type DebateEvidence, type GlobalEvidence } from './check.ts';
import { type ChaosThread, collectDiscordEvidence, collectGlobalEvidence } from './evidence.ts';
import type { ChaosOptions } from './options.ts';
import type { ChaosStats } from './report.ts';

/** The model's silence timeout in the arena under test; a stall lasts longer than it. */
const LLM_TIMEOUT_MS = 4_000;
const STALL_MS = LLM_TIMEOUT_MS + 2_000;
const MODELS = ['qwen2.5:14b', 'qwen2.5:32b', 'llama3.2:3b'];
const READY = /dashboard: http/;

export interface ChaosIo {
  /** Progress lines (always) and the child's own lines (with --verbose). */
  log(line: string): void;
  /** PATH and HOME for the arena processes. */
  baseEnv: { PATH: string; HOME: string };
}

export interface ChaosResult {
  stats: ChaosStats;
  verdict: ChaosVerdict;
  /** What the verdict was drawn from (a test re-checks it doctored). */
  evidence: { debates: DebateEvidence[]; global: GlobalEvidence };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small seeded generator (mulberry32), so a run's moments can be replayed with --seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** The whole scenario on Discord against a Postgres server; resolves with what happened and the verdict. */
export async function runChaos(opts: ChaosOptions, io: ChaosIo): Promise<ChaosResult> {
  if (opts.platform !== 'discord')
    throw new Error(
      `--platform ${opts.platform}: only discord is scripted so far (Slack's crash test is pending)`,
    );
  if (!opts.databaseUrl)
    throw new Error('chaos needs a Postgres server: --database-url, CHAOS_DATABASE_URL or TEST_DATABASE_URL');
  const started = Date.now();
  const loadBefore = loadavg();
  const rand = random(opts.seed);
  const between = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));
  const stats: ChaosStats = {
    platform: opts.platform,
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

  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  };
  let child: ArenaProcess | null = null;
  cleanups.push(async () => child?.kill());

  try {
    // 1. A fresh database on the server, reached by the arena through a proxy the run can cut.
    const dbName = `arena_chaos_${randomBytes(5).toString('hex')}`;
    await adminExecute(opts.databaseUrl, `create database ${dbName}`);
    const direct = new URL(opts.databaseUrl);
    direct.pathname = `/${dbName}`;
    cleanups.push(async () => {
      if (opts.keep) io.log(`database kept: ${redactUrl(direct.toString())}`);
      else await adminExecute(opts.databaseUrl!, `drop database if exists ${dbName} with (force)`);
    });
    const proxy: TcpProxy = await startTcpProxy({
      host: direct.hostname,
      port: Number(direct.port || 5432),
    });
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(direct.toString());
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // The run's own connection goes around the proxy: it watches while the arena's is cut.
    const handle: DatabaseHandle = await connectDatabase({
      databaseUrl: direct.toString(),
      applicationName: 'arena-chaos',
      maxConnections: 3,
    });
    cleanups.push(() => handle.close());
    const db = handle.db;
    const migrated = await migrateToLatest(db);
    if (migrated.error) throw migrated.error;

    // 2. The chat platform and the model, both failing now and then.
    const emu = await startEmulator();
    cleanups.push(() => emu.close());
    const llm = await startModel(opts.chunkDelayMs);
    cleanups.push(() => llm.close());

    const cwd = await mkdtemp(path.join(tmpdir(), 'arena-chaos-'));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));
    const env: Record<string, string> = {
      ...io.baseEnv,
      DATABASE_URL: viaProxy.toString(),
      DASHBOARD_PORT: '0',
      LLM_PROVIDER: 'ollama',
      OLLAMA_HOST: llm.url,
      LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS),
      DEBATE_ROUNDS: '1',
      JOBS: 'off',
      LOG_LEVEL: 'info',
      PUBLIC_URL: 'https://arena.example',
      ARENA_SECRET_KEY: randomBytes(24).toString('hex'),
      DISCORD_TOKEN: emu.token,
      DISCORD_APPLICATION_ID: emu.seed.applicationId,
      DISCORD_API_URL: emu.apiUrl,
    };
    const spawnArena = (): ArenaProcess => {
      stats.processes++;
      const n = stats.processes;
      const p = startArenaProcess({
        env,
        cwd,
        ...(opts.verbose ? { onLine: (line: string) => io.log(`  [arena ${n}] ${line}`) } : {}),
      });
      void p.exited.then((exit) => {
        if (!exit.byUs) {
          crashes.push(exit);
          io.log(`arena process ${n} died by itself (code ${exit.code}): ${exit.stderrTail.slice(-600)}`);
        }
      });
      return p;
    };
    const activeDebates = async () =>
      Number(
        (
          await db
            .selectFrom('debate_sessions')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', 'in', ['active', 'paused'])
            .executeTakeFirstOrThrow()
        ).n,
      );
    /** What a Postgres restart does to open connections: every backend of the arena is terminated. */
    const terminateBackends = async () => {
      const r = await sql<{ n: number }>`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = ${dbName} and application_name in ('arena', 'arena-health')`.execute(db);
      stats.backendsTerminated += r.rows[0]?.n ?? 0;
    };

    // 3. Debates started from chat, and a person's message in each thread.
    child = spawnArena();
    // Connected and identified: a command sent before the session is ready would go nowhere.
    await child.waitFor(/gateway connected/, 300_000);
    await until('the Discord gateway', async () => emu.gatewayConnections() > 0, 60_000);
    const threads: ChaosThread[] = [];
    for (let i = 0; i < opts.debates; i++) {
      const interaction = emu.invokeCommand({
        user: emu.seed.users.alice,
        channelId: emu.seed.channels.ideas,
        subcommand: 'start',
        options: { idea: `Chaos idea ${i + 1}: ${IDEAS[i % IDEAS.length]}`, rounds: 1 },
      });
      const reply = await emu
        .waitFor(
          () => emu.interactionReply(interaction.id)?.content.match(/<#(\d+)>/),
          300_000,
          `debate ${i + 1} to start`,
        )
        .catch((error: Error) => {
          const said = emu.interactionReply(interaction.id)?.content ?? 'no reply';
          throw new Error(`${error.message} (the bot answered: ${said.slice(0, 300)})`);
        });
      threads.push({ threadId: reply[1]!, humanMessageIds: [] });
    }
    io.log(`${threads.length} debates started from chat`);
    for (const [i, t] of threads.entries()) {
      await emu.waitFor(
        () => emu.messages(t.threadId).some((m) => m.webhookId !== null),
        180_000,
        `a persona post in thread ${i + 1}`,
      );
      const m = emu.sendUserMessage({
        user: emu.seed.users.bob,
        channelId: t.threadId,
        content: `Chaos check-in ${i + 1}: what would it cost a small town to try this?`,
      });
      t.humanMessageIds.push(m.id);
      stats.humanMessages++;
    }
    await until(
      "people's messages to be stored",
      async () => {
        const rows = await db
          .selectFrom('debate_messages')
          .select('source_id')
          .where('source_id', 'is not', null)
          .execute();
        return rows.length >= stats.humanMessages;
      },
      120_000,
    );
    io.log(`${stats.humanMessages} people's messages stored`);

    // 4. Kills at random moments, faults before each, and one database outage halfway.
    const outageAt = opts.dbOutageMs > 0 ? Math.max(1, Math.ceil(opts.kills / 2)) : -1;
    const injectFaults = () => {
      if (rand() < 0.4) {
        llm.failNext(1, 500);
        stats.llmFaults.http500++;
      }
      if (rand() < 0.25) {
        llm.failNext(1, { stallMs: STALL_MS });
        stats.llmFaults.stalls++;
      }
      if (rand() < 0.35) {
        // @discordjs/rest retries a 5xx three times: four make the send fail back to the relay.
        emu.failNext({ method: 'POST', pathPattern: '/webhooks/*', status: 500, count: 4 });
        stats.platformFaults.http500 += 4;
      }
      if (rand() < 0.35) {
        emu.failNext({
          method: 'POST',
          pathPattern: '/webhooks/*',
          status: 429,
          count: 2,
          body: { message: 'You are being rate limited.', retry_after: 0.4, global: false },
          headers: { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
        });
        stats.platformFaults.http429 += 2;
      }
    };
    for (let k = 1; k <= opts.kills; k++) {
      if (!child?.running()) child = spawnArena();
      injectFaults();
      if (k === outageAt) {
        await databaseOutage(child);
      } else if (rand() < 0.3) {
        // During start-up: migrations, reconciliation of threads, the gateway lease.
        await sleep(between(200, 3_000));
      } else {
        await child.waitFor(READY, 180_000).catch((e) => io.log(`not ready before its kill: ${e.message}`));
        await sleep(between(0, opts.maxUpMs));
      }
      if (!child.seen(READY)) stats.killsDuringStartup++;
      if ((await activeDebates().catch(() => 0)) > 0) stats.killsWhileDebating++;
      await child.kill();
      stats.kills++;
      if (k % 5 === 0 || k === opts.kills) io.log(`${k}/${opts.kills} kills`);
      child = null;
    }

    async function databaseOutage(p: ArenaProcess): Promise<void> {
      // Terminated while starting (reconciling threads, taking leases), then cut for a while.
      await p.waitFor(/database: /, 180_000).catch(() => {});
      await terminateBackends();
      await sleep(between(100, 1_500));
      await terminateBackends();
      await p.waitFor(READY, 180_000).catch((e) => io.log(`not ready during the outage: ${e.message}`));
      await sleep(2_000);
      await terminateBackends();
      proxy.cut();
      io.log(`database cut for ${opts.dbOutageMs} ms`);
      await sleep(opts.dbOutageMs);
      proxy.restore();
      stats.dbOutages++;
      await sleep(between(1_000, 4_000));
    }

    // 5. One last process finishes everything; then a clean stop.
    if (!child?.running()) child = spawnArena();
    io.log('last arena process: waiting for every debate and delivery to finish');
    await settle(db, emu, threads, opts.settleMs).catch((e: Error) => io.log(e.message));
    const stopped = await child.stop();
    child = null;
    if (stopped.code !== 0 && !crashes.includes(stopped))
      crashes.push({ ...stopped, byUs: false, stderrTail: `did not stop cleanly: ${stopped.stderrTail}` });

    // 6. The verdict.
    const personas = await builtinCatalog();
    const evidence = await collectDiscordEvidence({ db, emu, threads, personas });
    const global = await collectGlobalEvidence(db, crashes.length);
    const verdict = checkRun(evidence, global, opts.debates);
    verdict.problems.push(
      ...crashes.map((c) => `arena exit ${c.code ?? c.signal}: ${lastLines(c.stderrTail)}`),
    );
    if (crashes.length > 0) verdict.ok = false;
    stats.seconds = Math.round((Date.now() - started) / 1000);
    const loadAfter = loadavg();
    stats.load = `${loadBefore[0]!.toFixed(1)} → ${loadAfter[0]!.toFixed(1)} (1 min, ${cpuCount()} cores)`;
    return { stats, verdict, evidence: { debates: evidence, global } };
  } finally {
    await cleanup();
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

function cpuCount(): number {
  return availableParallelism();
}

async function startEmulator(): Promise<DiscordEmulator> {
  const emu = await startDiscordEmulator({
    // Loose enough that three debates are not paced by the minute-long channel limit.
    rateLimits: { webhook: { limit: 50, windowMs: 1000 }, channel: { limit: 500, windowMs: 1000 } },
    // A loaded machine may answer a slash command later than Discord's 3 s: the run is about
    // delivery, not the interaction deadline (tested elsewhere).
    interactionDeadlineMs: 120_000,
  });
  await registerArenaCommands({
    token: emu.token,
    applicationId: emu.seed.applicationId,
    apiUrl: emu.apiUrl,
    guildId: emu.seed.guildId,
  });
  return emu;
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

/** Waits until every debate is over and every thread shows all of it, with nothing queued or previewed. */
async function settle(
  db: Kysely<Database>,
  emu: DiscordEmulator,
  threads: readonly ChaosThread[],
  timeoutMs: number,
): Promise<void> {
  let last = '';
  let stableSince = Date.now();
  let stuckSince: number | null = null;
  await until(
    'every debate to finish and every thread to be delivered',
    async () => {
      const open = await db
        .selectFrom('debate_sessions')
        .select('status')
        .where('status', 'not in', ['completed', 'failed', 'cancelled'])
        .execute();
      // A paused debate waits for a person: nothing more will happen, the verdict says so.
      const stuck = open.length > 0 && open.every((d) => d.status === 'paused');
      stuckSince = stuck ? (stuckSince ?? Date.now()) : null;
      if (stuckSince !== null && Date.now() - stuckSince > 30_000) return true;
      const unsent = await db.selectFrom('chat_outbox').select('id').where('status', '!=', 'sent').execute();
      const previews = await db.selectFrom('chat_previews').select('id').execute();
      const behind = await db
        .selectFrom('chat_threads as t')
        .select('t.id')
        .where(({ eb, selectFrom }) =>
          eb(
            't.cursor_turn',
            '<',
            selectFrom('debate_messages as m')
              .select((e) => e.fn.max('m.turn_index').as('last'))
              .whereRef('m.session_id', '=', 't.debate_id'),
          ),
        )
        .execute();
      const unfolded = await db
        .selectFrom('debate_messages')
        .select('id')
        .where('stats_folded', '=', false)
        .execute();
      const posts = threads.map((t) => emu.messages(t.threadId).length).join(',');
      if (posts !== last) {
        last = posts;
        stableSince = Date.now();
      }
      return (
        open.length === 0 &&
        unsent.length === 0 &&
        previews.length === 0 &&
        behind.length === 0 &&
        unfolded.length === 0 &&
        Date.now() - stableSince > 5_000
      );
    },
    timeoutMs,
  );
}
