import type { Kysely } from 'kysely';
import { recordFeedFetch } from '../../db/repositories/feed-health.ts';
import { insertSignals } from '../../db/repositories/signals.ts';
import { recordUsage, utcDay } from '../../db/repositories/usage.ts';
import type { Database } from '../../db/schema.ts';

/** Fills a database with what every panel shows: signals from several sources, ideas, logs, usage. */
export async function seedDashboardData(db: Kysely<Database>, now = new Date()): Promise<void> {
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  await insertSignals(db, [
    {
      source: 'rss',
      category: 'ai',
      title: 'Small local models now beat last year’s giants',
      score: 0.92,
      url: 'https://example.com/a',
      collected_at: ago(5),
    },
    {
      source: 'rss',
      category: 'crypto',
      title: 'EIP-7702 discussion heats up',
      score: 0.81,
      url: 'https://example.com/b',
      collected_at: ago(20),
    },
    {
      source: 'github',
      category: 'dev',
      title: 'Agent framework gains 2.3k stars today',
      score: 0.77,
      url: 'javascript:alert(1)',
      collected_at: ago(40),
    },
    {
      source: 'github',
      category: 'dev',
      title: 'Firedancer validator client ships',
      score: 0.64,
      collected_at: ago(90),
    },
    {
      source: 'news',
      category: 'finance',
      title: '<img src=x onerror=alert(1)> whale movement',
      score: 0.55,
      collected_at: ago(120),
    },
    {
      source: 'social',
      category: 'ai',
      title: 'Builders want offline-first AI tools',
      score: 0.48,
      collected_at: ago(60 * 30),
    },
  ]);
  await db
    .insertInto('ideas')
    .values([
      {
        title: 'Offline-first meeting notes',
        summary: 's',
        source_type: 'trend',
        status: 'pending',
        score: 0.7,
      },
      { title: 'DAO treasury copilot', summary: 's', source_type: 'trend', status: 'pending', score: 0.6 },
      {
        title: 'Local model benchmark site',
        summary: 's',
        source_type: 'manual',
        status: 'selected',
        score: 0.8,
      },
      { title: 'Wallet for small teams', summary: 's', source_type: 'manual', status: 'planned', score: 0.9 },
    ])
    .execute();
  await db
    .insertInto('system_logs')
    .values([
      { level: 'info', source: 'signals', message: 'RSS batch processed: 6 signals', created_at: ago(3) },
      {
        level: 'warn',
        source: 'discord',
        message: 'Discord is off: DISCORD_TOKEN is not set',
        created_at: ago(2),
      },
    ])
    .execute();
  await recordUsage(db, {
    date: utcDay(now),
    provider: 'ollama',
    model: 'qwen2.5:3b',
    inputTokens: 12_000,
    outputTokens: 3_400,
    costUsd: 1.25,
  });
}

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE frames from a response body until `until` says stop. */
export async function readFrames(
  body: ReadableStream<Uint8Array>,
  until: (frames: SseFrame[]) => boolean,
  timeoutMs = 10_000,
): Promise<SseFrame[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  let buffer = '';
  const deadline = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    while (!until(frames)) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        frames.push(parseFrame(buffer.slice(0, cut)));
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf('\n\n');
      }
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => {});
  }
  return frames;
}

function parseFrame(text: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else if (line.startsWith('id: ')) frame.id = line.slice(4);
    else if (line.startsWith('event: ')) frame.event = line.slice(7);
    else if (line.startsWith('data: ')) frame.data = (frame.data ?? '') + line.slice(6);
  }
  return frame;
}

export function waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const v = check();
      if (v !== undefined && v !== false) return resolve(v);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const HN_FEED = {
  url: 'https://hnrss.org/frontpage',
  name: 'Hacker News',
  source: 'rss',
  category: 'startups',
};
export const BROKEN_FEED = {
  url: 'https://feeds.example.com/broken.xml',
  name: 'Broken Feed',
  source: 'news',
  category: 'ai',
};

/** One good fetch of Hacker News, one of the broken feed, then a second failure of it. */
export async function seedFeedHealth(db: Kysely<Database>, now = new Date()) {
  const at = (minAgo: number, nextIn: number) => ({
    now: new Date(now.getTime() - minAgo * 60_000),
    nextFetchAt: new Date(now.getTime() + nextIn * 60_000),
  });
  await recordFeedFetch(
    db,
    HN_FEED,
    { status: 'ok', items: 30, added: 12, etag: '"v1"', lastModified: null },
    at(5, 25),
  );
  await recordFeedFetch(db, BROKEN_FEED, { status: 'error', error: 'HTTP 500 from the server' }, at(40, 10));
  await recordFeedFetch(
    db,
    BROKEN_FEED,
    {
      status: 'error',
      error: 'malformed XML: unexpected close tag at line 3 (https://bob:hunter2@x.example/)',
    },
    at(10, 20),
  );
}
