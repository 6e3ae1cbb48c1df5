import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerJobsCommands } from '../../app/commands/jobs.ts';
import { loadConfig } from '../../app/config.ts';
import { openArenaContext } from '../../app/context.ts';
import { createJobRuntime } from '../../app/jobs/runtime.ts';
import { createDashboard } from '../../dashboard/server.ts';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import type { Database } from '../../db/schema.ts';
import type { ChatRequest } from '../../engine/llm/types.ts';
import { silentLogger } from '../../engine/log.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { copyMigratedPgliteDir, createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { type FeedServer, startFeedServer } from './feed-server.ts';

// The feed items are dated 2026-11-24/25; the clock stands at noon of the 25th.
const NOW = '2026-11-25T12:00:00.000Z';

/** The idea writer's answer (a request without debate metadata); debate turns get the fake's default. */
function ideasAnswer(req: ChatRequest) {
  if (req.metadata) return undefined;
  const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
  const trend = /^Trend: "([^"]+)"/.exec(user)?.[1] ?? 'trend';
  return JSON.stringify({
    ideas: [
      {
        title: `Workbench for ${trend.replace(/ · /g, ' and ')}`,
        summary: `A product built on the ${trend} trend for small teams.`,
      },
    ],
  });
}

describe.each(testDialects())('arena cycle: feeds → trends → ideas → debate → plan on %s', (dialect) => {
  let server: FeedServer;
  let dir: string;
  let pg: TestDatabase | undefined;
  let env: Record<string, string>;
  let db: Kysely<Database>;
  let handle: DatabaseHandle | undefined;
  beforeAll(async () => {
    server = await startFeedServer();
    dir = await mkdtemp(path.join(tmpdir(), 'arena-cycle-'));
    if (dialect === 'postgres') pg = await createTestDatabase('postgres');
    else await copyMigratedPgliteDir(path.join(dir, 'pglite'));
    const feeds = path.join(dir, 'feeds.yaml');
    await writeFile(
      feeds,
      [
        'feeds:',
        `  - {name: Dev, url: "${server.url}/rss2", source: news, category: dev_tools}`,
        `  - {name: Research, url: "${server.url}/rdf", source: research, category: ai}`,
        `  - {name: Releases, url: "${server.url}/atom", source: github, category: ai}`,
        `  - {name: Broken, url: "${server.url}/500", source: rss, category: ai}`,
      ].join('\n'),
    );
    env = {
      DATA_DIR: dir,
      FEEDS_FILE: feeds,
      LOG_LEVEL: 'silent',
      DEBATE_ROUNDS: '1',
      LLM_PRICES: 'fake:*=0/0',
      ...(pg?.url ? { DATABASE_URL: pg.url } : {}),
    };
  }, 120_000);
  afterAll(async () => {
    await handle?.close();
    await pg?.dispose();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('goes from the local feeds to a debate of the top idea and its plan, printing each step', async () => {
    const out: string[] = [];
    const llm = createFakeLlm({ respond: ideasAnswer, scores: 8 });
    const program = new Command('arena').exitOverride();
    registerJobsCommands(program, {
      config: () => loadConfig(env),
      write: (s) => out.push(s),
      llm,
      clock: createFixedClock(NOW),
    });
    await program.parseAsync(['cycle'], { from: 'user' });
    const text = out.join('');

    // The command closed its database; read what it left behind.
    if (pg) db = pg.db;
    else {
      handle = await connectDatabase({ pgliteDataDir: path.join(dir, 'pglite') });
      db = handle.db;
    }

    // 1: every good feed landed (the Atom mirror of a Dev post is stored once), the broken one is an
    // error in its health record.
    expect(text).toMatch(/^\[1\/5\] fetching feeds… feeds 4, added 6, errors 1\n/);
    const signals = await db.selectFrom('signals').select(['title', 'source']).execute();
    expect(signals).toHaveLength(6);
    const health = await db.selectFrom('feed_health').selectAll().execute();
    expect(health.find((h) => h.url.endsWith('/500'))?.last_error).toMatch(/HTTP 500/);

    // 2: trends of the fixed day.
    expect(text).toMatch(/\[2\/5\] finding trends… 24h \d+, 7d \d+, 30d \d+\n/);
    const trends = await db.selectFrom('trends').select(['name', 'period', 'signal_count']).execute();
    const day = trends.filter((t) => t.period === '24h');
    expect(day.length).toBeGreaterThan(0);
    expect(day.every((t) => t.signal_count >= 2)).toBe(true);

    // 3: one idea per top trend, written by the (fake) model.
    const ideas = await db.selectFrom('ideas').selectAll().orderBy('created_at').execute();
    expect(ideas.length).toBeGreaterThan(0);
    expect(ideas.every((i) => i.source_type === 'trend_based' && i.source_trend_id)).toBe(true);
    expect(text).toMatch(new RegExp(`\\[3/5\\] writing ideas… trends \\d+, added ${ideas.length}, `));
    const writerCalls = llm.calls.filter((c) => !c.request.metadata);
    expect(writerCalls).toHaveLength(ideas.length);

    // 4: the top pending idea was debated, to the end.
    const debates = await db.selectFrom('debate_sessions').selectAll().execute();
    expect(debates).toHaveLength(1);
    const debate = debates[0]!;
    const debated = ideas.find((i) => i.id === debate.idea_id)!;
    expect(debated).toBeDefined();
    expect(text).toContain(`[4/5] debating "${debated.title}"\n`);
    expect(text).toMatch(/ {6}divergence · round 1\/1\n/);
    expect(debate).toMatchObject({ status: 'completed', outcome: 'selected' });
    const verdicts = await db
      .selectFrom('debate_messages')
      .select('message_type')
      .where('session_id', '=', debate.id)
      .where('message_type', '=', 'verdict')
      .execute();
    expect(verdicts).toHaveLength(8); // the fake's verdicts: 8/10 from each evaluator → selected

    // 5: a selected idea gets its plan; the idea is planned, the others still wait.
    const plans = await db.selectFrom('plans').selectAll().execute();
    expect(plans).toHaveLength(1);
    expect(plans[0]!.debate_session_id).toBe(debate.id);
    expect(plans[0]!.final_plan).toBeTruthy();
    expect(text).toContain(`[5/5] plan "${plans[0]!.title}" written (arena debates export ${debate.id})\n`);
    const after = await db.selectFrom('ideas').select(['id', 'status']).execute();
    expect(after.find((i) => i.id === debated.id)!.status).toBe('planned');
    expect(after.filter((i) => i.id !== debated.id).every((i) => i.status === 'pending')).toBe(true);
  }, 600_000);

  it("the dashboard's run cycle goes the whole way too: a person's idea is debated to a plan, progress in OUTPUT and PROCESSES", async () => {
    await handle?.close(); // the embedded database belongs to one process at a time
    handle = undefined;
    const clock = createFixedClock(NOW);
    clock.advance(3600_000);
    const ctx = await openArenaContext(loadConfig(env), silentLogger, {
      llm: createFakeLlm({ respond: ideasAnswer, scores: 8 }),
      clock,
    });
    const rt = createJobRuntime({ ctx, clock });
    const dashboard = createDashboard({
      arena: ctx.arena,
      bus: ctx.bus,
      db: ctx.database.db,
      config: {
        host: '127.0.0.1',
        port: 0,
        publicUrl: 'http://127.0.0.1:3000',
        version: 'test',
        codename: 'test',
        dialect: ctx.database.dialect,
      },
      components: () => rt.components(),
      jobs: rt.actions,
      log: silentLogger,
      clock,
    });
    const logs: string[] = [];
    const unsubscribe = ctx.bus.subscribe((e) => {
      if (e.type === 'log' && e.source === 'job:cycle') logs.push(`${e.level} ${e.message}`);
    });
    try {
      const mine = await ctx.arena.addIdea({ title: 'Repair café booking for neighbourhoods', by: 'test' });
      if (!mine.ok) throw new Error('idea not added');
      const res = await dashboard.handle(
        new Request('http://127.0.0.1:3000/api/jobs/cycle/run', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      );
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ job: 'cycle', started: true });
      const row = async () =>
        (
          (await (await dashboard.handle(new Request('http://127.0.0.1:3000/api/state'))).json()) as {
            components: Array<{ id: string; status: string; detail: string; lastError: string | null }>;
          }
        ).components.find((c) => c.id === 'job:cycle');
      // While it runs, PROCESSES shows the step in progress.
      const running = await until(async () => {
        const r = await row();
        return r?.status === 'running' ? r : undefined;
      });
      expect(running.detail).toMatch(/^step [1-4]\/5 /);
      const done = await until(async () =>
        logs.some((l) => l === 'info finished' || l.startsWith('error failed:')) ? row() : undefined,
      );
      expect(done).toMatchObject({ status: 'idle', lastError: null });
      expect(done!.detail).toMatch(/^fetch → trends → ideas → debate → plan · plan "/);

      // OUTPUT: each step with its result, then the plan, then the end.
      expect(logs[0]).toBe('info started from the dashboard');
      // Every stored item is already known: nothing new.
      expect(logs.some((l) => /^info \[1\/5\] fetching feeds… feeds \d+, added 0, errors \d+$/.test(l))).toBe(
        true,
      );
      expect(logs.some((l) => /^info \[2\/5\] finding trends… 24h \d+/.test(l))).toBe(true);
      expect(logs.some((l) => /^info \[3\/5\] writing ideas… /.test(l))).toBe(true);
      expect(logs).toContain(`info [4/5] debating "${mine.idea.title}"`);
      expect(logs).toContain('info planning · round 1/1');
      expect(logs.some((l) => /^info \[5\/5\] plan ".+" written/.test(l))).toBe(true);
      expect(logs.at(-1)).toBe('info finished');

      const db = ctx.database.db;
      const debate = await db
        .selectFrom('debate_sessions')
        .selectAll()
        .where('idea_id', '=', mine.idea.id)
        .executeTakeFirstOrThrow();
      expect(debate).toMatchObject({ status: 'completed', outcome: 'selected' });
      const plan = await db
        .selectFrom('plans')
        .select('id')
        .where('debate_session_id', '=', debate.id)
        .executeTakeFirst();
      expect(plan).toBeDefined();
      const idea = await db
        .selectFrom('ideas')
        .select('status')
        .where('id', '=', mine.idea.id)
        .executeTakeFirst();
      expect(idea?.status).toBe('planned');
    } finally {
      unsubscribe();
      await dashboard.close();
      await rt.stop();
      await ctx.close();
    }
  }, 600_000);
});

async function until<T>(check: () => Promise<T | undefined>, ms = 300_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
