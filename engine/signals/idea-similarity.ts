import { isStopWord } from './stop-words.ts';

/** Two titles at or above this token overlap (Jaccard) are the same idea. */
export const SIMILAR_TITLE = 0.6;

/** The words of a title that carry meaning, lower-case, without punctuation or stop-words. */
export function titleTokens(title: string): Set<string> {
  const words = title
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !isStopWord(w))
    .map((w) => (w.length > 4 && w.endsWith('s') ? w.slice(0, -1) : w)); // plural = singular
  return new Set(words);
}

/** Jaccard overlap of two titles' meaningful words, in [0, 1]. */
export function titleSimilarity(a: string, b: string): number {
  const x = titleTokens(a);
  const y = titleTokens(b);
  if (x.size === 0 || y.size === 0) return a.trim().toLowerCase() === b.trim().toLowerCase() ? 1 : 0;
  let both = 0;
  for (const w of x) if (y.has(w)) both++;
  return both / (x.size + y.size - both);
}

/** The first existing title that is a near-duplicate of `title`, if any. */
export function findSimilarTitle(title: string, existing: Iterable<string>): string | undefined {
  for (const e of existing) if (titleSimilarity(title, e) >= SIMILAR_TITLE) return e;
  return undefined;
}
