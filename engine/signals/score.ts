/** How fast an item's relevance fades: after this many hours it counts half. */
export const RELEVANCE_HALF_LIFE_HOURS = 24;

// Some sources are curated (votes, releases), others are raw streams.
const SOURCE_WEIGHT: Record<string, number> = {
  news: 1,
  github: 0.9,
  research: 0.9,
  rss: 0.8,
  blog: 0.8,
  social: 0.7,
};

/**
 * Relevance of a signal in [0, 1]: how much it says (keywords, named entities) and where it came
 * from, times an exponential decay on its age (publication time, else collection time).
 */
export function relevanceScore(input: {
  source: string;
  keywords: number;
  entities: number;
  hasSummary: boolean;
  publishedAt: Date | null;
  now: Date;
}): number {
  const content = Math.min(
    1,
    0.3 + input.keywords * 0.05 + input.entities * 0.05 + (input.hasSummary ? 0.1 : 0),
  );
  const ageHours = Math.max(
    0,
    (input.now.getTime() - (input.publishedAt ?? input.now).getTime()) / 3_600_000,
  );
  const decay = 0.5 ** (ageHours / RELEVANCE_HALF_LIFE_HOURS);
  const score = (SOURCE_WEIGHT[input.source] ?? 0.8) * content * decay;
  return Math.round(score * 10_000) / 10_000;
}
