import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFeedFetch } from '../../db/repositories/feed-health.ts';
import type { ArenaEvent } from '../../engine/events.ts';
import { type DashboardBrowser, hasChromium, launchDashboardBrowser, noteSkip } from './chromium.ts';
import { type Harness, startHarness } from './harness.ts';
import { BROKEN_FEED, seedFeedHealth } from './helpers.ts';

noteSkip('live update browser tests');

// Counts the `system` frames the page receives (feed health rides on each one).
const FRAME_COUNTER = `
  window.__frames = 0;
  const NativeES = window.EventSource;
  window.EventSource = class extends NativeES {
    constructor(...a) { super(...a); this.addEventListener('system', () => window.__frames++); }
  };
`;

const MARKDOWN = '## Risks\n- **Churn** after `v1`\nplain text';

describe.skipIf(!hasChromium)('dashboard live updates', { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: DashboardBrowser;

  beforeAll(async () => {
    // Frames every 300 ms, so a few of them pass quickly.
    h = await startHarness({ config: { statsMs: 300 } });
    await seedFeedHealth(h.t.db);
    browser = await launchDashboardBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('updates SIGNALS rows in place on each live frame instead of redrawing the lists', async () => {
    const page = await browser.open(h.url, { initScript: FRAME_COUNTER });
    await page.waitForSelector('#signal-feeds li.feed.failing');
    const rows = await page.evaluate(() => {
      const w = window as unknown as { __added: number; __removed: number };
      w.__added = 0;
      w.__removed = 0;
      const lists = ['#signal-sources', '#signal-latest', '#signal-feeds'].map(
        (s) => document.querySelector(s)!,
      );
      // Direct children only: a row added or removed, not a text changed inside one.
      const watch = new MutationObserver((records) => {
        for (const r of records) {
          w.__added += r.addedNodes.length;
          w.__removed += r.removedNodes.length;
        }
      });
      for (const l of lists) watch.observe(l, { childList: true });
      const all = lists.flatMap((l) => [...l.children]);
      for (const el of all) (el as unknown as { __kept: boolean }).__kept = true;
      return all.length;
    });
    expect(rows).toBeGreaterThan(3);
    // The broken feed fails once more: its row must say so, in place.
    await recordFeedFetch(
      h.t.db,
      BROKEN_FEED,
      { status: 'error', error: 'HTTP 502 from the server' },
      { now: new Date(), nextFetchAt: new Date(Date.now() + 600_000) },
    );
    await page.waitForFunction(
      () => document.querySelector('#signal-feeds li.failing .feed-err')?.textContent?.includes('HTTP 502'),
      null,
      { timeout: 30_000 },
    );
    const framesNow = await page.evaluate(() => (window as unknown as { __frames: number }).__frames);
    await page.waitForFunction(
      (n) => (window as unknown as { __frames: number }).__frames >= n + 2,
      framesNow,
      { timeout: 30_000 },
    );
    const after = await page.evaluate(() => {
      const w = window as unknown as { __added: number; __removed: number };
      const all = ['#signal-sources', '#signal-latest', '#signal-feeds'].flatMap((s) => [
        ...document.querySelector(s)!.children,
      ]);
      return {
        rows: all.length,
        kept: all.filter((el) => (el as unknown as { __kept?: boolean }).__kept).length,
        added: w.__added,
        removed: w.__removed,
        failing: document.querySelector('#signal-feeds li.failing .feed-err')?.textContent ?? '',
      };
    });
    expect(after).toMatchObject({ rows, kept: rows, added: 0, removed: 0 });
    expect(after.failing).toMatch(/×3 · HTTP 502 from the server/);
  });

  it('renders a streaming reply as Markdown, the same way as once it is saved', async () => {
    const page = await browser.open(h.url);
    const { debateId } = await h.arena.startDebate({ idea: 'A shared pantry app', origin: 'cli' });
    try {
      // Held, so the scripted debate cannot finish (which clears streaming cards) while this turn
      // streams. At once: the scripted debate takes about two seconds, and a slow page can take longer
      // to show it; a pause during its last turn would still let it finish.
      expect(await h.arena.pause(debateId)).toEqual({ ok: true });
      await page.waitForSelector(`#panel-debate[data-debate="${debateId}"]`);
      const persona = h.personas[0]!;
      const turnIndex = 900;
      const at = () => new Date().toISOString();
      const publish = (e: ArenaEvent) => h.bus.publish(e);
      await publish({
        type: 'turn.started',
        at: at(),
        debateId,
        turnIndex,
        personaId: persona.id,
        handle: persona.handle,
        reaction: 'propose',
        targetMessageId: null,
      });
      // Streamed in pieces that split the marks: the page renders the text so far, not each piece.
      for (const delta of ['## Ri', 'sks\n- **Ch', 'urn** after `v', '1`\nplain text'])
        await publish({ type: 'message.delta', at: at(), debateId, turnIndex, personaId: persona.id, delta });
      const card = `#live-messages .msg.streaming[data-turn="${turnIndex}"] .msg-body`;
      await page.waitForFunction(
        (sel) => document.querySelector(sel)?.textContent?.endsWith('plain text'),
        card,
        { timeout: 30_000 },
      );
      const body = (sel: string) =>
        page.$eval(sel, (el) => ({
          text: el.textContent,
          heading: el.querySelector('.md-h')?.textContent,
          strong: el.querySelector('strong')?.textContent,
          code: el.querySelector('code')?.textContent,
          html: el.innerHTML,
        }));
      const streaming = await body(card);
      expect(streaming).toMatchObject({
        text: 'Risks\n• Churn after v1\nplain text',
        heading: 'Risks',
        strong: 'Churn',
        code: 'v1',
      });
      // Saved: the card that replaces it shows the same nodes.
      const messageId = randomUUID();
      await publish({
        type: 'message.created',
        at: at(),
        debateId,
        message: {
          id: messageId,
          debateId,
          turnIndex,
          phase: 'divergence',
          round: 1,
          authorKind: 'persona',
          agentId: persona.id,
          agentName: persona.name,
          handle: persona.handle,
          color: persona.color,
          type: 'propose',
          content: MARKDOWN,
          references: [],
          model: 'fake',
          promptTokens: 1,
          completionTokens: 1,
          costUsd: 0,
          metadata: null,
          createdAt: at(),
        },
      });
      const saved = `#live-messages .msg[data-id="${messageId}"] .msg-body`;
      await page.waitForSelector(saved);
      expect(await body(saved)).toEqual(streaming);
    } finally {
      await h.arena.stop(debateId);
    }
  });
});
