// Every tuning knob of the debate engine, each with the reason for its value.
// Settings a deployment changes (rounds, budget limits) come from config; these are design choices.

/** Divergence rounds when neither the caller nor config says (the seed's default, Du et al.: 2 rounds). */
export const DEFAULT_ROUNDS = 2;
/** Upper bound on rounds: beyond this, debates repeat themselves and cost grows linearly. */
export const MAX_ROUNDS = 10;
/** Personas per divergence round: enough to cover both poles of all four axes, few enough to stay a conversation. */
export const PARTICIPANTS_PER_ROUND = 5;
/** Rounds of the refinement loop: one focused round on the evaluators' risks, not a second full debate. */
export const REFINEMENT_ROUNDS = 1;
/** Times a debate may loop back from convergence to divergence; the next outcome is then forced. */
export const MAX_REFINEMENTS = 1;

/** Lineup score weights: relevance of expertise first, then axis coverage, then voices not heard yet. */
export const LINEUP_WEIGHTS = { relevance: 3, coverage: 1.5, fresh: 1, jitter: 0.5 } as const;
/** Recent persona messages a speaker may answer: older ones have usually been answered already. */
export const TARGET_WINDOW = 6;

/** Average score at or above which an idea is selected. */
export const SELECT_AVERAGE = 7;
/** Average score below which an idea is rejected outright. */
export const REJECT_AVERAGE = 5;
/** After the refinement loop, the undecided middle resolves at this average. */
export const RESOLVE_AVERAGE = 6;
/** Fewer readable verdicts than this decide nothing (outcome `unreadable`): too little evidence either way. */
export const MIN_VALID_VERDICTS = 3;
/** Verdict lists are capped so a rambling model cannot flood the transcript. */
export const VERDICT_MAX_ITEMS = 6;
export const VERDICT_ITEM_MAX_CHARS = 300;

/** Generated tokens per call kind: a chat turn is short; plan sections need room. */
export const MAX_TOKENS = { turn: 320, summary: 500, verdict: 400, plan: 900, final: 1400 } as const;
/** Sampling temperature per call kind: lively turns, steady JSON and plans. */
export const TEMPERATURE = { turn: 0.8, summary: 0.3, verdict: 0.2, plan: 0.5, final: 0.4 } as const;
/** Context window assumed for a model not listed in the settings (Ollama's default num_ctx is small). */
export const DEFAULT_CONTEXT_TOKENS = 4096;
/** Share of the context kept free for the model's reply and the estimator's error. */
export const CONTEXT_SAFETY = 0.85;
/** Characters of the persona system prompt: the seed's prompt fits; a long custom guidance is cut. */
export const SYSTEM_PROMPT_MAX_CHARS = 4000;
/** Share of the transcript room kept for digests when not every message fits verbatim. */
export const DIGEST_SHARE = 0.25;
/** One-line digest of an older message: enough to recall who said what. */
export const DIGEST_LINE_CHARS = 140;
/** Stored message length cap: a runaway model must not write a novel into the transcript. */
export const MESSAGE_MAX_CHARS = 6000;

/** Human text length accepted by injectHuman; chat platforms cap lower anyway. */
export const HUMAN_TEXT_MAX_CHARS = 4000;
/** Personas a single human message can call on (@mention or reply); more would hijack the debate. */
export const MAX_ANSWERERS_PER_HUMAN = 2;
/** Idea text accepted by startDebate. */
export const IDEA_MIN_CHARS = 3;
export const IDEA_MAX_CHARS = 4000;
/** Idea titles are the first line, cut here (ideas.title is varchar(500); chat thread names allow 100). */
export const IDEA_TITLE_MAX_CHARS = 90;

/** Lease on a debate row: long enough to cover DB hiccups, short enough that a crashed runner's debates move on. */
export const LEASE_MS = 30_000;
/** Renew well before expiry so a slow model call never lets the lease lapse. */
export const LEASE_RENEW_MS = 10_000;
/** How often a runner looks for unowned active debates and budget windows that reset. */
export const POLL_MS = 2_000;
/** Debates one runner drives at once; the rest wait for another runner or a free slot. */
export const MAX_DEBATES_PER_RUNNER = 200;
/** A debate paused with reason `error` resumes by itself after these waits (by error pauses so far; the last repeats): a model server back from an outage picks its debates up again. */
export const ERROR_RESUME_DELAYS_MS = [30_000, 2 * 60_000, 10 * 60_000, 30 * 60_000] as const;
/** Backoff between retries of a failed step (after the provider's own retries). */
export const STEP_RETRY_DELAYS_MS = [1_000, 5_000, 15_000] as const;
/** Streamed characters gathered before a message.delta event: per-token events swamp Redis and chat edits. */
export const DELTA_MIN_CHARS = 24;
/** budget.updated at most this often per process: a per-turn aggregate read and event was a hot path. */
export const BUDGET_EVENT_MIN_MS = 1_000;
/** Committed turns are folded into api_usage and agent_states this often, in one statement per batch. */
export const STATS_FOLD_MS = 1_000;
/**
 * A runner also folds whatever is left unfolded when it starts and this often: a process killed
 * between a turn's commit and its fold (e.g. a debate's last turn) leaves messages no later commit
 * of its own would fold.
 */
export const STATS_SWEEP_MS = 60_000;
/** Messages folded per statement. */
export const STATS_FOLD_BATCH = 1_000;
