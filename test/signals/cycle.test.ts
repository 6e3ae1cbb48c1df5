import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerJobsCommands } from '../../app/commands/jobs.ts';
import { loadConfig } from '../../app/config.ts';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import type { Database } from '../../db/schema.ts';
import type { ChatRequest } from '../../engine/llm/types.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
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
    if (dialect === 'postgres') pg = await createTestDatabase('postgres', { migrate: false });
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
});
