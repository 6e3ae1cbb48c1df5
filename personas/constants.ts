import type { Phase } from './types.ts';

/** Reply length, in characters, that the system prompt asks for when the caller passes none. */
export const DEFAULT_MAX_CHARS: Record<Phase, number> = {
  // A debate turn is a chat message: it must fit one Discord post (2000) with room for a header.
  divergence: 1200,
  // A verdict with its reasons; a little longer than a turn, still one post.
  convergence: 1500,
  // A plan section is a document; the platform splits it across posts.
  planning: 6000,
};

/** Avatar edge length bounds in pixels: Discord shows avatars at up to 128 px and Slack at 192 px. */
export const AVATAR_MIN_SIZE = 128;
export const AVATAR_MAX_SIZE = 1024;
