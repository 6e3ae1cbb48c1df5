// Tuning knobs of the LLM router, each with the reason for its value.

/** Parallel calls per model when LLM_CONCURRENCY is unset: Ollama serves OLLAMA_NUM_PARALLEL per loaded model (4 when memory allows); hosted APIs take more. */
export const DEFAULT_CONCURRENCY: Readonly<Record<string, number>> = { ollama: 4, openai: 8, offline: 8 };
export const FALLBACK_CONCURRENCY = 4;
/** Calls in flight over all models, as a multiple of the per-model concurrency: a GPU holds a few models at once. */
export const TOTAL_CONCURRENCY_FACTOR = 3;
/** A call that waited this long is served next even if its model is not loaded: model-aware order never starves anyone. */
export const AGING_MS = 30_000;
/** Calls waiting over all debates before new debates are refused: beyond this a new debate would wait for hours. */
export const MAX_QUEUED = 400;
/** Retry-After given with a refused debate: about the time a loaded model needs to clear a few calls. */
export const ADMIT_RETRY_AFTER_SECONDS = 30;
/** Oldest wait before new debates are refused: the queue is not keeping up. */
export const MAX_WAIT_MS = 10 * 60_000;
/** keep_alive for a model that queued or upcoming steps still need: long enough to bridge a phase. */
export const KEEP_ALIVE_NEEDED = '30m';
/** keep_alive for a model no pending step needs while others wait: release its memory at once. */
export const KEEP_ALIVE_RELEASE = 0;
/** A debate's hint about the models its next steps need expires: a debate that ended says nothing more. */
export const HINT_TTL_MS = 10 * 60_000;
/** Longest wait for /api/ps or /api/tags: the router must never hold calls on a slow inspection. */
export const INSPECT_TIMEOUT_MS = 1_500;
/** A load waits this long after the latest call arrived, so sibling steps (sent together, each after its own budget check) share it. */
export const GATHER_MS = 50;
