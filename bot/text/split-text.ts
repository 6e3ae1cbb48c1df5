/**
 * Splits text into parts of at most `max` characters, preferring paragraph, then line, then
 * sentence, then word boundaries; joining the parts with nothing in between loses only the
 * whitespace at the cut points.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 1) throw new RangeError('max must be at least 1');
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const cut = findCut(rest, max);
    const head = rest.slice(0, cut).trimEnd();
    parts.push(head.length > 0 ? head : rest.slice(0, max));
    rest = rest.slice(head.length > 0 ? cut : max).trimStart();
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

// Boundaries from strongest to weakest; a cut is only taken if it keeps at least a third of the
// window, so a paragraph break near the start does not produce a tiny post.
const BOUNDARIES: RegExp[] = [/\n\s*\n/g, /\n/g, /(?<=[.!?。！？…])\s+/g, /(?<=[,;:，、])\s+/g, /\s+/g];

function findCut(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  const floor = Math.floor(max / 3);
  for (const re of BOUNDARIES) {
    let best = -1;
    for (const m of window.matchAll(re)) {
      if (m.index !== undefined && m.index <= max && m.index >= floor) best = m.index;
    }
    if (best > 0) return best;
  }
  // No boundary at all: cut hard, but never inside a surrogate pair.
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/** The start of a text that is still being written, clipped to fit one post with a suffix. */
export function previewText(text: string, max: number, suffix: string): string {
  const body = text.trim();
  if (body.length + suffix.length <= max) return body + suffix;
  const [first] = splitText(body, max - suffix.length);
  return first + suffix;
}
