import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFeedHealth } from '../../db/repositories/feed-health.ts';
import { silentLogger } from '../../engine/log.ts';
import { collectSignals } from '../../engine/signals/collect.ts';
import type { Feed } from '../../engine/signals/feeds-file.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { type FeedServer, startFeedServer } from './feed-server.ts';

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(() => server.close());

const feed = (path: string, over: Partial<Feed> = {}): Feed => ({
  name: path.slice(1),
  url: `${server.url}${path}`,
  source: 'rss',
  category: 'dev_tools',
  enabled: true,
  ...over,
});

// Well above what a good feed takes on a loaded machine (2.5 s was once too short in CI); /slow
// never answers, so no timeout is long enough for it.
const limits = { timeoutMs: 5_000, maxBytes: 1024 * 1024, maxRedirects: 3 };

describe.each(testDialects())('collecting feeds (%s)', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('stores good feeds, records bad ones with a reason, and adds no duplicates on the next fetch', async () => {
    const clock = createFixedClock('2026-11-25T12:00:00.000Z');
    const feeds = [
      feed('/rss2', { source: 'news' }),
      feed('/rdf', { source: 'research', category: 'ai' }),
      feed('/atom', { source: 'github', category: 'ai' }),
      feed('/euc-kr', { source: 'news', category: 'startups' }),
      feed('/empty'),
      feed('/malformed'),
      feed('/huge'),
      feed('/slow'),
      feed('/loop'),
      feed('/500'),
      feed('/conditional', { category: 'ai' }),
      feed('/disabled', { enabled: false }),
    ];
    const deps = { db: t.db, clock, log: silentLogger, limits };
    const first = await collectSignals(deps, feeds);
    const by = Object.fromEntries(first.feeds.map((r) => [r.name, r]));
    expect(by.rss2).toMatchObject({ status: 'ok', items: 3, added: 3 });
    expect(by.rdf).toMatchObject({ status: 'ok', items: 2, added: 2 });
    // The Atom mirror of the RSS story has the same canonical URL: only the release is new.
    expect(by.atom).toMatchObject({ status: 'ok', items: 2, added: 1 });
    expect(by['euc-kr']).toMatchObject({ status: 'ok', items: 2, added: 2 });
    expect(by.empty).toMatchObject({ status: 'ok', items: 0, added: 0 });
    expect(by.conditional).toMatchObject({ status: 'ok', added: 2 });
    expect(by.malformed?.status).toBe('error');
    expect(by.malformed?.error).toMatch(/not a feed/);
    expect(by.huge?.error).toMatch(/larger than 1024 KiB/);
    expect(by.slow?.error).toMatch(/timed out after 5000 ms/);
    expect(by.loop?.error).toMatch(/too many redirects/);
    expect(by['500']?.error).toBe('HTTP 500 Internal Server Error');
    expect(by.disabled).toBeUndefined();
    expect(first.added).toBe(10);
    expect(first.errors).toBe(5);

    const signals = await t.db.selectFrom('signals').selectAll().execute();
    expect(signals).toHaveLength(10);
    const ollama = signals.find((s) => s.title.startsWith('Ollama adds'))!;
    expect(ollama.title).toBe('Ollama adds structured outputs for local LLM apps');
    expect(ollama.summary).toBe(
      'The ollama/ollama project on GitHub now constrains local LLM output. Great news for developers.',
    );
    expect(ollama.url).toBe('https://dev.example.com/posts/ollama-structured?utm_source=rss');
    expect(ollama.entities).toEqual(expect.arrayContaining(['repo:ollama/ollama', 'name:GitHub']));
    expect(ollama.topics).toEqual(expect.arrayContaining(['ollama', 'structured', 'llm']));
    expect(ollama.sentiment).toBe('positive');
    expect(ollama.published_at?.toISOString()).toBe('2026-11-25T10:00:00.000Z');
    const btc = signals.find((s) => s.title.startsWith('Bitcoin'))!;
    expect(btc.url).toBe('https://dev.example.com/posts/bitcoin-etf'); // made absolute
    expect(btc.entities).toEqual(expect.arrayContaining(['ticker:BTC', 'ticker:ETH']));
    expect(signals.find((s) => s.title.startsWith('Startup layoffs'))?.sentiment).toBe('negative');
    const korean = signals.find((s) => s.title.includes('인공지능'))!;
    expect(korean.title).toBe('엔비디아가 새로운 인공지능 칩을 발표했다');
    expect(korean.topics).toEqual(expect.arrayContaining(['엔비디아', '인공지능']));
    // Older items score lower: recency decays relevance.
    expect(Number(ollama.score)).toBeGreaterThan(
      Number(signals.find((s) => s.title.startsWith('Startup layoffs'))!.score),
    );

    const health = Object.fromEntries((await listFeedHealth(t.db)).map((h) => [h.name, h]));
    expect(health.rss2).toMatchObject({ last_status: 'ok', items_last: 3, failures: 0, last_error: null });
    expect(health.loop).toMatchObject({ last_status: 'error', failures: 1 });
    expect(health.loop?.last_error).toMatch(/too many redirects/);
    expect(health.conditional?.etag).toBe('"v1"');

    clock.advance(60 * 60_000);
    const second = await collectSignals(deps, feeds);
    expect(second.added).toBe(0);
    expect(await t.db.selectFrom('signals').select('id').execute()).toHaveLength(10);
    const cond = second.feeds.find((r) => r.name === 'conditional');
    expect(cond?.status).toBe('not_modified');
    expect(server.requests.filter((r) => r.path === '/conditional').at(-1)?.ifNoneMatch).toBe('"v1"');
    const health2 = Object.fromEntries((await listFeedHealth(t.db)).map((h) => [h.name, h]));
    expect(health2['500']?.failures).toBe(2);
    // Failing feeds back off: the next try is further away than for a good feed.
    expect(new Date(health2['500']!.next_fetch_at!).getTime()).toBeGreaterThan(
      new Date(health2.rss2!.next_fetch_at!).getTime(),
    );
    // Two fetches, each waiting out /slow's whole timeout.
  }, 60_000);

  it('follows a permanent redirect to the real feed', async () => {
    const clock = createFixedClock('2026-11-26T12:00:00.000Z');
    const report = await collectSignals({ db: t.db, clock, log: silentLogger, limits }, [feed('/moved')]);
    expect(report.feeds[0]).toMatchObject({ status: 'ok', items: 2 });
  });
});
