import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { table } from '../../app/commands/open-store.ts';
import { type Feed, FeedsFileError, parseFeedsFile } from '../../engine/signals/feeds-file.ts';
import { normaliseItem } from '../../engine/signals/normalise.ts';
import { parseFeedText } from '../../engine/signals/parse-feed.ts';

const CONTROLS = /[\x00-\x1f\x7f-\x9f]/;
const feed: Feed = {
  name: 'test',
  url: 'https://feed.example/rss',
  source: 'rss',
  category: 'tech',
  enabled: true,
};
const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const rss = (title: string, description: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://feed.example/</link>` +
  `<item><title>${title}</title><link>https://feed.example/a</link><description>${description}</description></item>` +
  `</channel></rss>`;

// Text with escapes, entities for control characters, tags and markup mixed in.
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      '&#27;',
      '&#x1b;',
      '&#7;',
      '[2J',
      ']0;',
      '<script>',
      '</script>',
      '<b>',
      '&lt;',
      '&amp;',
      '\n',
      ' ',
    ),
    fc.string({ maxLength: 1, unit: 'grapheme' }),
  ),
  maxLength: 40,
});

describe('feed XML at the edge (fast-check)', () => {
  it('turns an escape smuggled in as entities into a clean title', async () => {
    const parsed = await parseFeedText(
      rss('Big news &amp;#27;[2J&amp;#27;]0;PWNED&amp;#7; today', '&lt;script&gt;x()&lt;/script&gt; body'),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const signal = normaliseItem(parsed.items[0]!, feed, { feedUrl: feed.url, now: new Date() });
    expect(signal.title).toBe('Big news today');
    expect(signal.summary).not.toContain('<script');
  });

  it('property: any text as a feed body is a parse result, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          hostile.map((h) => rss(h, h)),
        ),
        async (body) => {
          const result = await parseFeedText(body);
          expect(typeof result.ok).toBe('boolean');
          if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: a signal from a hostile item is one clean line with no tags and no controls', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (title, description) => {
        const parsed = await parseFeedText(rss(xmlEscape(title), xmlEscape(description)));
        if (!parsed.ok) return;
        for (const item of parsed.items) {
          const s = normaliseItem(item, feed, { feedUrl: feed.url, now: new Date() });
          expect(s.title.length).toBeGreaterThan(0);
          expect(s.title).not.toMatch(CONTROLS);
          expect(s.title).not.toMatch(/<[a-z/][^>]*>/i); // "a < b" is text; a whole tag is not
          expect(s.summary ?? '').not.toMatch(CONTROLS);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('feeds file (fast-check)', () => {
  it('property: any YAML text gives feeds or a FeedsFileError, nothing else', () => {
    const yamlish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc
        .record({
          name: fc.string({ maxLength: 30 }),
          url: fc.oneof(fc.webUrl(), fc.string({ maxLength: 20 })),
          source: fc.constantFrom('rss', 'news', 'nope'),
          category: fc.string({ maxLength: 10 }),
        })
        .map(
          (f) =>
            `feeds:\n  - name: ${JSON.stringify(f.name)}\n    url: ${JSON.stringify(f.url)}\n    source: ${f.source}\n    category: ${JSON.stringify(f.category)}\n`,
        ),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        try {
          const feeds = parseFeedsFile('feeds.yaml', text);
          for (const f of feeds) expect(['http:', 'https:']).toContain(new URL(f.url).protocol);
        } catch (e) {
          expect(e).toBeInstanceOf(FeedsFileError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('CLI tables', () => {
  it('print foreign cells as one clean line each', () => {
    const out = table([
      ['TITLE', 'SCORE'],
      ['Great \x1b[2J\x1b]0;PWNED\x07 idea\nsecond line', '1.0'],
    ]);
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(out.split('\n')).toHaveLength(2);
    expect(out).toContain('Great idea second line');
  });
});
