import { randomBytes } from 'node:crypto';

const DISCORD_EPOCH = 1420070400000n;

// Shared by every emulator in the process: ids stay unique when tests start a fresh emulator against
// the same database (or on the same fixed clock), as Discord's are.
let last = 0n;

/** Issues increasing 18–19 digit snowflakes, as @discordjs/rest's route bucketing expects. */
export function createSnowflakes(now: () => number = Date.now): () => string {
  return () => {
    let id = ((BigInt(now()) - DISCORD_EPOCH) << 22n) | 1n;
    if (id <= last) id = last + 1n;
    last = id;
    return id.toString();
  };
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** A random token of `length` characters from Discord's webhook-token alphabet. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += TOKEN_ALPHABET[b % TOKEN_ALPHABET.length];
  return out;
}
