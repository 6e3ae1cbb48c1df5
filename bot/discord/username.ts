// Discord rejects webhook usernames containing these words (any case) or equal to these names.
const FORBIDDEN_WORDS = /discord|clyde/gi;
const FORBIDDEN_NAMES = new Set(['everyone', 'here']);
const MAX_USERNAME = 80;

/** A persona's display name made acceptable as a Discord webhook username (1–80 chars). */
export function safeWebhookUsername(name: string, fallback = 'Arena persona'): string {
  let out = name
    .normalize('NFKC')
    // Control characters and zero-width marks would let a name dodge the word checks below.
    .replace(/[\u0000-\u001f\u007f\u200b-\u200f\u2060\ufeff]/g, '')
    .replace(/[@#:`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  // Removing one occurrence can join two halves into a new one ("disdiscordcord"): repeat.
  let previous: string;
  do {
    previous = out;
    out = out.replace(FORBIDDEN_WORDS, '');
  } while (out !== previous);
  out = out.replace(/\s+/g, ' ').trim();
  if (FORBIDDEN_NAMES.has(out.toLowerCase())) out = '';
  // Cap in UTF-16 units (the stricter count) without cutting a surrogate pair in half.
  const chars = Array.from(out);
  while (chars.join('').length > MAX_USERNAME) chars.pop();
  out = chars.join('').trim();
  if (out.length === 0) return fallback === name ? 'Arena persona' : safeWebhookUsername(fallback);
  return out;
}
