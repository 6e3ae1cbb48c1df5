import Parser from 'rss-parser';

/** One entry of a feed, before normalisation. */
export interface FeedItem {
  title: string;
  link: string | null;
  guid: string | null;
  /** HTML or text as the feed gave it. */
  content: string | null;
  published: Date | null;
  categories: string[];
  author: string | null;
}

export type ParseResult =
  | { ok: true; title: string | null; link: string | null; items: FeedItem[] }
  | { ok: false; reason: string };

type RawItem = Parser.Item & { id?: string; summary?: string; description?: string; author?: string };

// One parser for all feeds: it keeps no state between parseString calls.
const parser: Parser<Record<string, unknown>, RawItem> = new Parser({
  customFields: { item: ['summary', 'description', 'author'] },
});

/** Parses RSS 0.9x/1.0 (RDF)/2.0 or Atom text with rss-parser; malformed XML is a value, not a throw. */
export async function parseFeedText(text: string): Promise<ParseResult> {
  if (text.trim() === '') return { ok: false, reason: 'empty response body' };
  let feed: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    feed = await parser.parseString(text);
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    return { ok: false, reason: `not a feed: ${first.slice(0, 200)}` };
  }
  const items: FeedItem[] = [];
  for (const it of feed.items ?? []) {
    const title = asText(it.title);
    const link = asText(it.link);
    if (!title && !link) continue;
    const published = parseDate(it.isoDate ?? it.pubDate);
    items.push({
      title: title ?? link ?? '',
      link,
      guid: asText(it.guid) ?? asText(it.id),
      content:
        asText(it.content) ?? asText(it.summary) ?? asText(it.description) ?? asText(it.contentSnippet),
      published,
      categories: (Array.isArray(it.categories) ? it.categories : [])
        .map((c) => asText(c))
        .filter((c): c is string => !!c),
      author: asText(it.creator) ?? asText(it.author),
    });
  }
  return { ok: true, title: asText(feed.title), link: asText(feed.link), items };
}

// xml2js hands back objects for elements with attributes (e.g. `<guid isPermaLink="false">`).
function asText(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() || null;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o._ === 'string') return o._.trim() || null;
    if (typeof o.name === 'string') return o.name.trim() || null;
  }
  return null;
}

function parseDate(v: string | undefined): Date | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}
