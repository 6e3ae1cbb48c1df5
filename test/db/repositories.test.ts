import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countSignalsBySource,
  deleteSignalsBefore,
  insertSignal,
  insertSignals,
  recentSignals,
  signalsByCategory,
  signalsBySource,
} from '../../db/repositories/signals.ts';
import { monthTotals, recordUsage, todayTotals, usageByModel } from '../../db/repositories/usage.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

describe.each(testDialects())('repositories on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect, { maxConnections: 20 });
  });
  afterAll(() => t.dispose());

  it('round-trips signals with jsonb and text[] and answers the seed queries', async () => {
    const one = await insertSignal(t.db, {
      source: 'rss',
      category: 'ai',
      title: 'Small models get good',
      score: 0.9,
      topics: ['llm', 'edge'],
      entities: ['Ollama'],
      raw_data: { feed: 'https://example.com/feed', n: 1 },
      collected_at: new Date('2026-11-25T10:00:00Z'),
    });
    expect(one.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(one.topics).toEqual(['llm', 'edge']);
    expect(one.raw_data).toEqual({ feed: 'https://example.com/feed', n: 1 });
    expect(one.collected_at).toBeInstanceOf(Date);

    await insertSignals(t.db, [
      {
        source: 'rss',
        category: 'crypto',
        title: 'L2 fees drop',
        score: 0.5,
        collected_at: new Date('2026-11-25T09:00:00Z'),
      },
      {
        source: 'github',
        category: 'ai',
        title: 'Agent framework trending',
        score: 0.7,
        collected_at: new Date('2026-11-25T08:00:00Z'),
      },
      {
        source: 'news',
        category: 'finance',
        title: 'Old news',
        score: 1,
        collected_at: new Date('2026-10-01T00:00:00Z'),
      },
    ]);

    const recent = await recentSignals(t.db, { since: new Date(NOW.getTime() - 24 * 3600_000) });
    expect(recent.map((s) => s.title)).toEqual([
      'Small models get good',
      'Agent framework trending',
      'L2 fees drop',
    ]);
    expect((await signalsBySource(t.db, 'rss')).map((s) => s.title)).toEqual([
      'Small models get good',
      'L2 fees drop',
    ]);
    expect((await signalsByCategory(t.db, 'ai')).length).toBe(2);
    expect(await countSignalsBySource(t.db)).toEqual({ rss: 2, github: 1, news: 1 });
    expect(await deleteSignalsBefore(t.db, new Date('2026-11-01T00:00:00Z'))).toBe(1);
  });

  it('upserts usage per (date, provider, model) and totals today and the month', async () => {
    await recordUsage(t.db, {
      date: '2026-11-25',
      provider: 'ollama',
      model: 'qwen2.5:14b',
      inputTokens: 100,
      outputTokens: 50,
      costUsd: 0.001,
    });
    await recordUsage(t.db, {
      date: '2026-11-25',
      provider: 'ollama',
      model: 'qwen2.5:14b',
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0.0001,
    });
    await recordUsage(t.db, {
      date: '2026-11-03',
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputTokens: 1000,
      outputTokens: 500,
      costUsd: 0.25,
    });
    await recordUsage(t.db, {
      date: '2026-10-31',
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 9,
    });

    const today = await todayTotals(t.db, NOW);
    expect(today).toEqual({ costUsd: 0.0011, inputTokens: 110, outputTokens: 55, requests: 2 });
    const month = await monthTotals(t.db, NOW);
    expect(month.costUsd).toBeCloseTo(0.2511, 6);
    expect(month.requests).toBe(3);
    const byModel = await usageByModel(t.db, '2026-11-01', '2026-11-30');
    expect(byModel.map((r) => `${r.provider}/${r.model}:${r.requests}`)).toEqual([
      'ollama/qwen2.5:14b:2',
      'openai/gpt-4o-mini:1',
    ]);
  });

  it('loses no increment under 50 concurrent writers', async () => {
    const date = '2026-11-20';
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        recordUsage(t.db, {
          date,
          provider: 'ollama',
          model: 'race',
          inputTokens: i + 1,
          outputTokens: 2,
          costUsd: 0.000123,
        }),
      ),
    );
    const [row] = await usageByModel(t.db, date, date);
    expect(row).toMatchObject({ model: 'race', requests: 50, inputTokens: 1275, outputTokens: 100 });
    expect(row!.costUsd).toBeCloseTo(50 * 0.000123, 9);
  });
});
