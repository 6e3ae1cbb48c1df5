import type { Signal } from '../../db/schema.ts';

export const TREND_PERIODS = ['24h', '7d', '30d'] as const;
export type TrendPeriod = (typeof TREND_PERIODS)[number];

export const PERIOD_MS: Record<TrendPeriod, number> = {
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
  '30d': 30 * 24 * 3600_000,
};

/** Trends kept per period and analysis. */
export const TRENDS_PER_PERIOD = 10;
/** A keyword needs this many signals in the window to be a trend. */
const MIN_SIGNALS = 2;
/** A keyword joins a cluster when it appears in this share of the seed keyword's signals. */
const CO_OCCURRENCE = 0.5;
const MAX_RELATED_KEYWORDS = 5;

export interface TrendCandidate {
  name: string;
  keywords: string[];
  /** Signals in the window: current count × growth against the previous window of the same length. */
  score: number;
  signalCount: number;
  previousCount: number;
  /** (current + 1) / (previous + 1): above 1 is rising. */
  growth: number;
  category: string | null;
  relatedSignals: string[];
  entities: string[];
  sentiment: Record<string, number>;
}

type SignalLike = Pick<Signal, 'id' | 'topics' | 'entities' | 'category' | 'score' | 'sentiment'>;

/**
 * Keyword clusters of one window, scored by growth against the previous window: a topic that went
 * from 1 to 6 signals outranks one that stayed at 8. Pure and deterministic (ties by name).
 */
export function findTrends(
  current: readonly SignalLike[],
  previous: readonly SignalLike[],
): TrendCandidate[] {
  const byKeyword = new Map<string, SignalLike[]>();
  for (const s of current) {
    for (const k of new Set(s.topics ?? [])) {
      const list = byKeyword.get(k);
      if (list) list.push(s);
      else byKeyword.set(k, [s]);
    }
  }
  const previousCount = new Map<string, number>();
  for (const s of previous)
    for (const k of new Set(s.topics ?? [])) previousCount.set(k, (previousCount.get(k) ?? 0) + 1);

  const seeds = [...byKeyword.entries()]
    .filter(([, list]) => list.length >= MIN_SIGNALS)
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const absorbed = new Set<string>();
  const out: TrendCandidate[] = [];
  for (const [seed, signals] of seeds) {
    if (absorbed.has(seed)) continue;
    const co = new Map<string, number>();
    for (const s of signals)
      for (const k of new Set(s.topics ?? [])) if (k !== seed) co.set(k, (co.get(k) ?? 0) + 1);
    const related = [...co.entries()]
      .filter(([, n]) => n >= Math.max(MIN_SIGNALS, signals.length * CO_OCCURRENCE))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, MAX_RELATED_KEYWORDS)
      .map(([k]) => k);
    for (const k of related) absorbed.add(k);
    const prev = previousCount.get(seed) ?? 0;
    const growth = (signals.length + 1) / (prev + 1);
    out.push({
      name: [seed, ...related.slice(0, 2)].join(' · '),
      keywords: [seed, ...related],
      score: round(signals.length * growth),
      signalCount: signals.length,
      previousCount: prev,
      growth: round(growth),
      category: mostCommon(signals.map((s) => s.category)),
      relatedSignals: [...signals].sort((a, b) => Number(b.score) - Number(a.score)).map((s) => s.id),
      entities: topEntities(signals),
      sentiment: tally(signals.map((s) => s.sentiment ?? 'neutral')),
    });
  }
  return out
    .sort((a, b) => b.score - a.score || b.signalCount - a.signalCount || a.name.localeCompare(b.name))
    .slice(0, TRENDS_PER_PERIOD);
}

function topEntities(signals: readonly SignalLike[]): string[] {
  const n = tally(signals.flatMap((s) => s.entities ?? []));
  return Object.entries(n)
    .filter(([, c]) => c >= 2)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([e]) => e);
}

function tally(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function mostCommon(values: string[]): string | null {
  const entries = Object.entries(tally(values)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries[0]?.[0] ?? null;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
