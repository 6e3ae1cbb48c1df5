import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runArena } from '../helpers/cli.ts';
import { createAppDatabase, type TestDatabase } from '../helpers/db.ts';
import { type FeedServer, startFeedServer } from './feed-server.ts';

describe('arena signals (CLI)', () => {
  let server: FeedServer;
  let dir: string;
  let env: Record<string, string>;
  let pg: TestDatabase | undefined;
  beforeAll(async () => {
    server = await startFeedServer();
    dir = await mkdtemp(path.join(tmpdir(), 'arena-signals-cli-'));
    pg = await createAppDatabase(dir);
    const feeds = path.join(dir, 'feeds.yaml');
    await writeFile(
      feeds,
      `feeds:\n  - {name: Dev, url: "${server.url}/rss2", source: news, category: dev_tools}\n  - {name: Broken, url: "${server.url}/500", source: rss, category: ai}\n`,
    );
    env = cleanEnv({
      DATA_DIR: dir,
      FEEDS_FILE: feeds,
      LOG_LEVEL: 'error',
      ...(pg?.url ? { DATABASE_URL: pg.url } : {}),
    });
  }, 60_000);
  afterAll(async () => {
    await pg?.dispose();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fetches, lists signals, shows feed health, adds and lists ideas', async () => {
    const fetched = await runArena(['signals', 'fetch', '--json'], { env });
    expect(fetched.stderr).toBe('');
    expect(fetched.code).toBe(0);
    const report = JSON.parse(fetched.stdout);
    expect(report).toMatchObject({ added: 3, errors: 1 });

    const one = await runArena(['signals', 'fetch', '--feed', `${server.url}/rdf`], { env });
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/2 new signal\(s\), 0 feed error\(s\)/);

    const listed = await runArena(['signals', 'list', '--source', 'news'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('Bitcoin rallies as $BTC ETF inflows surge');
    expect(listed.stdout).not.toContain('Small language models');

    const feeds = await runArena(['signals', 'feeds'], { env });
    expect(feeds.stdout).toMatch(/Dev\s+news\/dev_tools\s+yes/);
    expect(feeds.stdout).toMatch(/Broken .*HTTP 500 Internal Server Error/);

    const bad = await runArena(['signals', 'fetch', '--feed', 'file:///etc/passwd'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--feed: expected an http\(s\) URL/);

    const added = await runArena(['ideas', 'add', 'A marketplace for local models'], { env });
    expect(added.stdout).toMatch(/^added idea [0-9a-f-]{36}: A marketplace for local models/);
    const dup = await runArena(['ideas', 'add', 'marketplace for LOCAL models'], { env });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/too close to the existing idea "A marketplace for local models"/);
    const list = await runArena(['ideas', '--status', 'pending'], { env });
    expect(list.stdout).toMatch(/pending\s+0\.0\s+A marketplace for local models/);
    const trends = await runArena(['trends', '--period', '7d'], { env });
    expect(trends.stdout).toMatch(/no 7d trends yet/);
    expect((await runArena(['trends', '--period', '1y'], { env })).code).toBe(2);
  }, 400_000);
});
