// Deterministic randomness: every choice the planner makes is seeded by the debate and the step, so a
// restarted process makes exactly the same choices from the same committed history.

/** A stream of numbers in [0, 1) fully determined by its key parts. */
export type Rng = () => number;

export function seededRng(...parts: Array<string | number>): Rng {
  let state = hash(parts.join('\u0001'));
  // mulberry32: tiny, fast, and good enough to spread choices evenly.
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the UTF-16 code units of a string. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Picks a key with probability proportional to its weight; zero-weight keys are never picked. */
export function weightedPick<K extends string>(weights: Record<K, number>, rng: Rng): K {
  const entries = (Object.entries(weights) as Array<[K, number]>).filter(([, w]) => w > 0);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let roll = rng() * total;
  for (const [key, w] of entries) {
    roll -= w;
    if (roll < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

/** The item with the highest score; ties go to the earliest. */
export function argMax<T>(items: readonly T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    const s = score(item);
    if (s > bestScore) {
      best = item;
      bestScore = s;
    }
  }
  return best;
}
