/**
 * A reservation older than this is treated as abandoned (its process crashed mid-call) and no
 * longer holds budget. It must outlast the slowest call: LLM_TIMEOUT_MS of silence plus retries.
 */
export const STALE_RESERVATION_MS = 15 * 60_000;
