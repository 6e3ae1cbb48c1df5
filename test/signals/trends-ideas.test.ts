import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLogs } from '../../db/repositories/logs.ts';
import { insertNewSignals } from '../../db/repositories/signals.ts';
import { latestTrends } from '../../db/repositories/trends.ts';
import type { NewSignal } from '../../db/schema.ts';
import { silentLogger } from '../../engine/log.ts';
import { analyzeTrends } from '../../engine/signals/analyze.ts';
import { titleSimilarity } from '../../engine/signals/idea-similarity.ts';
import { addIdea, checkAnswer, generateIdeas } from '../../engine/signals/ideas.ts';
import { findTrends } from '../../engine/signals/trends.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const NOW = '2026-11-25T12:00:00.000Z';
const hoursAgo = (h: number) => new Date(new Date(NOW).getTime() - h * 3600_000);
let n = 0;
const signal = (topics: string[], hours: number, category = 'ai'): NewSignal => ({
  source: 'news',
  category,
  title: `signal ${++n} about ${topics.join(' ')}`,
  url: `https://example.com/${n}`,
  dedup_key: `k${n}`,
  topics,
  entities: [],
  score: 0.5,
  sentiment: 'neutral',
  collected_at: hoursAgo(hours),
});

const FIXED = [
  // This day: local LLMs are new (4), bitcoin continues (3), layoffs appear (2), noise (1).
  ...[1, 2, 3, 4].map((h) => signal(['ollama', 'llm', 'local'], h)),
  ...[2, 5, 8].map((h) => signal(['bitcoin', 'etf'], h, 'crypto')),
  ...[3, 6].map((h) => signal(['layoffs', 'startups'], h, 'startups')),
  signal(['weather'], 7, 'misc'),
  // The day before: bitcoin was bigger.
  ...[30, 31, 32, 33].map((h) => signal(['bitcoin', 'etf'], h, 'crypto')),
];

describe('trends and ideas from a fixed set of signals', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    await insertNewSignals(t.db, FIXED);
  }, 120_000);
  afterAll(() => t.dispose());

  it('clusters keywords and scores growth against the previous window', async () => {
    const clock = createFixedClock(NOW);
    const stored = await analyzeTrends({ db: t.db, clock }, ['24h']);
    const trends = stored['24h']!;
    expect(trends.map((x) => [x.name, x.signal_count, x.score])).toEqual([
      ['llm · local · ollama', 4, 20], // 4 now, 0 before: ×5
      ['layoffs · startups', 2, 6], // 2 now, 0 before: ×3
      ['bitcoin · etf', 3, 2.4], // 3 now, 4 before: ×0.8
    ]);
    expect(trends[0]!.keywords).toEqual(['llm', 'local', 'ollama']);
    expect(trends[0]!.category).toBe('ai');
    expect(trends[0]!.related_signals).toHaveLength(4);
    expect(trends[2]!.analysis_data).toMatchObject({ growth: 0.8, previousCount: 4 });
    expect((await latestTrends(t.db, '24h')).map((x) => x.id)).toEqual(trends.map((x) => x.id));
  });

  it('writes ideas from the top trends, re-asks malformed JSON once, records failures, skips duplicates', async () => {
    const clock = createFixedClock(NOW);
    const people = await addIdea(
      { db: t.db, clock },
      { title: 'Private local LLM assistant for lawyers', by: 'ana' },
    );
    expect(people.ok).toBe(true);
    const llm = createFakeLlm({
      respond(req) {
        const user = req.messages.find((m) => m.role === 'user')!.content;
        const retry = req.messages.length > 2;
        if (user.includes('llm · local · ollama'))
          return `\`\`\`json\n${JSON.stringify({
            ideas: [
              {
                title: 'A private local LLM assistant for lawyers',
                summary: 'Runs on a laptop, never uploads files.',
              },
              {
                title: 'Ollama model marketplace',
                summary: 'Share and rate fine-tuned local models.',
                description: 'More.',
              },
            ],
          })}\n\`\`\``;
        if (user.includes('layoffs')) {
          return retry
            ? JSON.stringify({
                ideas: [
                  {
                    title: 'Layoff-proof hiring board',
                    summary: 'Matches laid-off engineers with startups.',
                  },
                ],
              })
            : 'Sure! Here are some ideas: 1. a job board';
        }
        return '{"ideas": [{"title": "x"}]}'; // bitcoin: wrong shape, twice
      },
    });
    const deps = { db: t.db, llm, model: 'qwen2.5:7b', clock, log: silentLogger };
    const report = await generateIdeas(deps, { period: '24h', topTrends: 3 });
    expect(report.added.map((i) => i.title)).toEqual([
      'Ollama model marketplace',
      'Layoff-proof hiring board',
    ]);
    expect(report.duplicates).toEqual([
      {
        title: 'A private local LLM assistant for lawyers',
        similarTo: 'Private local LLM assistant for lawyers',
      },
    ]);
    expect(report.failed).toEqual([
      { trend: 'bitcoin · etf', error: expect.stringMatching(/^invalid JSON twice: ideas\.0\.title/) },
    ]);
    expect(llm.calls).toHaveLength(5); // 1 + 2 (re-asked) + 2 (re-asked, still bad)
    const rows = await t.db
      .selectFrom('ideas')
      .selectAll()
      .where('source_type', '=', 'trend_based')
      .execute();
    expect(rows).toHaveLength(2);
    const market = rows.find((r) => r.title === 'Ollama model marketplace')!;
    expect(market.source_signals).toHaveLength(4);
    expect(market.source_trend_id).toBeTruthy();
    expect(market.status).toBe('pending');
    const logs = await listLogs(t.db, { source: 'ideas.generate' });
    expect(logs[0]?.message).toMatch(/no ideas for trend "bitcoin · etf"/);
    const usage = await t.db.selectFrom('api_usage').selectAll().execute();
    expect(usage[0]).toMatchObject({ model: expect.any(String), request_count: 5 });

    // An hour later: trends are analysed again; the same trends do not produce the same ideas again.
    clock.advance(3600_000);
    await analyzeTrends({ db: t.db, clock }, ['24h']);
    const again = await generateIdeas(deps, { period: '24h', topTrends: 3 });
    expect(again.added).toEqual([]);
    expect(llm.calls).toHaveLength(7); // only the failed trend is asked again
  });

  it('helpers: answer checking and title similarity', () => {
    expect(checkAnswer('no json here')).toEqual({ ok: false, error: 'no JSON object in the answer' });
    expect(checkAnswer('{"ideas": []}')).toMatchObject({ ok: false });
    expect(
      titleSimilarity('Ollama model marketplace', 'A marketplace for Ollama models'),
    ).toBeGreaterThanOrEqual(0.6);
    expect(titleSimilarity('Ollama model marketplace', 'Layoff-proof hiring board')).toBe(0);
    expect(findTrends([], [])).toEqual([]);
  });

  it('a person cannot add the same idea twice', async () => {
    const clock = createFixedClock(NOW);
    const dup = await addIdea(
      { db: t.db, clock },
      { title: 'private LOCAL llm assistant for lawyers!', by: 'bo' },
    );
    expect(dup).toEqual({
      ok: false,
      reason: 'duplicate',
      similarTo: 'Private local LLM assistant for lawyers',
    });
    expect(await addIdea({ db: t.db, clock }, { title: 'x', by: 'bo' })).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });
});
