import type { NewSignal } from '../../db/schema.ts';
import { absoluteUrl, dedupKey } from './canonical-url.ts';
import { extractTopics } from './extract.ts';
import type { Feed } from './feeds-file.ts';
import type { FeedItem } from './parse-feed.ts';
import { relevanceScore } from './score.ts';
import { sentimentOf } from './sentiment.ts';
import { clip, stripHtml } from './text.ts';

const MAX_TITLE = 500;
const MAX_SUMMARY = 1000;

/** A feed item as a signal row: plain text, absolute URL, unique key, topics, entities, scores. */
export function normaliseItem(
  item: FeedItem,
  feed: Feed,
  ctx: { feedUrl: string; baseUrl?: string; now: Date },
): NewSignal {
  const title = clip(stripHtml(item.title), MAX_TITLE) || '(untitled)';
  const summary = item.content ? clip(stripHtml(item.content), MAX_SUMMARY) : '';
  const url = absoluteUrl(item.link, ctx.baseUrl ?? ctx.feedUrl);
  const { keywords, entities } = extractTopics({ title, summary, url });
  const mood = sentimentOf(`${title}. ${summary}`);
  // A date in the future is a feed's mistake; treat it as now.
  const published = item.published && item.published.getTime() <= ctx.now.getTime() ? item.published : null;
  return {
    source: feed.source,
    category: feed.category,
    title,
    summary: summary || null,
    url,
    raw_data: {
      feed: feed.name,
      guid: item.guid,
      link: item.link,
      author: item.author,
      categories: item.categories.slice(0, 20),
      sentimentScore: mood.score,
    },
    score: relevanceScore({
      source: feed.source,
      keywords: keywords.length,
      entities: entities.length,
      hasSummary: summary.length > 0,
      publishedAt: published ?? item.published,
      now: ctx.now,
    }),
    sentiment: mood.label,
    topics: keywords,
    entities,
    collected_at: ctx.now,
    published_at: item.published,
    feed_url: ctx.feedUrl,
    dedup_key: dedupKey({ url, guid: item.guid, feedUrl: ctx.feedUrl, title }),
  };
}
