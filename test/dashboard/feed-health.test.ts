import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFeedFetch } from '../../db/repositories/feed-health.ts';
import { type Harness, startHarness } from './harness.ts';
import { BROKEN_FEED, readFrames, seedFeedHealth } from './helpers.ts';

describe('feed health in the dashboard state', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { statsMs: 100 } });
    await seedFeedHealth(h.t.db);
  }, 60_000);
  afterAll(async () => h?.close());

  it('lists every feed with last ok, last error and its reason, items and next fetch', async () => {
    const state = await (await h.dashboard.handle(new Request(`${h.url}/api/state`))).json();
    const feeds = state.signals.feeds;
    expect(feeds.map((f: { name: string }) => f.name)).toEqual(['Broken Feed', 'Hacker News']);
    const [broken, hn] = feeds;
    expect(hn).toMatchObject({
      status: 'ok',
      failing: false,
      items: 30,
      failures: 0,
      lastError: null,
      source: 'rss',
      category: 'startups',
    });
    expect(Date.parse(hn.lastOkAt)).toBeLessThan(Date.now());
    expect(Date.parse(hn.nextFetchAt)).toBeGreaterThan(Date.now());
    expect(broken).toMatchObject({ status: 'error', failing: true, failures: 2, lastOkAt: null, items: 0 });
    expect(broken.lastError).toBe(
      'malformed XML: unexpected close tag at line 3 (https://bob:***@x.example/)',
    );
    expect(broken.lastErrorAt).toBeTypeOf('string');
    // A feed URL may carry a key: it is not part of the view.
    expect(JSON.stringify(feeds)).not.toContain('feeds.example.com');
  });

  it('sends fresh feed health on the live stream as feeds are fetched', async () => {
    const res = await fetch(`${h.url}/api/events`);
    await recordFeedFetch(
      h.t.db,
      BROKEN_FEED,
      { status: 'ok', items: 7, added: 7, etag: null, lastModified: null },
      { now: new Date(), nextFetchAt: new Date(Date.now() + 30 * 60_000) },
    );
    const frames = await readFrames(
      res.body!,
      (f) =>
        f.some(
          (x) =>
            x.event === 'system' &&
            JSON.parse(x.data ?? '{}').feeds?.some(
              (feed: { name: string; failing: boolean }) => feed.name === 'Broken Feed' && !feed.failing,
            ),
        ),
      30_000,
    );
    const last = JSON.parse(frames.filter((x) => x.event === 'system').at(-1)!.data!);
    expect(last.feeds.find((f: { name: string }) => f.name === 'Broken Feed')).toMatchObject({
      status: 'ok',
      items: 7,
      failures: 0,
    });
    expect(last.components.length).toBeGreaterThan(0);
  });
});
