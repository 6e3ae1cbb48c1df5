// Tuning knobs of the chat side, each with the reason for its value.

/** Streaming edits at least this far apart: a webhook allows ~5 requests / 2 s, shared with sends. */
export const STREAM_EDIT_INTERVAL_MS = 1_000;

/** Suffix of a post still being written, removed by the final edit. */
export const STREAMING_SUFFIX = ' …';

/** Delivery retry backoff: first wait, doubling per attempt, capped; jitter avoids lockstep. */
export const RETRY_BASE_MS = 500;
export const RETRY_MAX_MS = 60_000;
/** After this many failed attempts a post is marked failed so the thread is not blocked forever. */
export const RETRY_MAX_ATTEMPTS = 25;

/** Own posts read back after a restart to find sends whose commit was lost. */
export const RECONCILE_WINDOW = 50;

/** Shortest idea worth a debate (the engine refuses fewer than 3 characters too). */
export const MIN_IDEA_CHARS = 3;
/** Longest idea accepted by `/arena start`; details belong in the thread. */
export const MAX_IDEA_CHARS = 1_000;
/** Longest idea `/arena ideas add` takes (the same limit as `arena ideas add`). */
export const MAX_ADDED_IDEA_CHARS = 500;
/** Thread titles are limited to 100 characters on Discord. */
export const MAX_THREAD_TITLE = 100;

/** Longest human message injected into a debate; longer ones are trimmed with a notice. */
export const MAX_HUMAN_CHARS = 1_500;
/**
 * Per person, each minute: commands and card buttons (per workspace), messages joining a debate (per
 * thread); more get a "slow down" answer. A person debating types a few; a script types hundreds.
 */
export const DEFAULT_CHAT_LIMITS = { commandsPerMinute: 10, messagesPerMinute: 5 } as const;

/** Autocomplete answers are capped at 25 choices by Discord. */
export const MAX_AUTOCOMPLETE = 25;

/** How long a debate with no thread on this platform is remembered as unbound. */
export const UNBOUND_CACHE_MS = 60_000;

/** A delivery worker whose database call failed tries again at most this long after: an outage
 * ends unnoticed otherwise (no event wakes it while the engine is down too). */
export const LOOP_RETRY_MAX_MS = 5_000;

/** Every bot process looks for threads with undelivered work this often, whatever events it saw. */
export const SWEEP_MS = 10_000;

/** Idle delivery workers re-check the outbox this often (covers rows queued by other processes). */
export const IDLE_POLL_MS = 15_000;

/** One process at a time delivers a thread; a dead one's threads are taken over after this long
 * (renewed every third of it, so a live process keeps its threads through short database blips). */
export const DELIVERY_LEASE_MS = 10_000;

/** Threads one sweep takes at most; the rest wait for the next sweep or another process. */
export const SWEEP_CLAIM_LIMIT = 200;

/** A bot process opening a requested thread holds the request this long (a crashed one's is then
 * taken by another): long enough for a thread, a root card and a webhook under rate limits. */
export const THREAD_REQUEST_LEASE_MS = 60_000;
