/** What the engine tells the router about a call, beyond the model it wants. */
export interface RouteHints {
  /** The debate the call belongs to: the unit of round-robin fairness. */
  debateId?: string;
  /** 'human': the turn answers a person's reply and goes ahead of the queue. */
  priority?: 'human' | 'normal';
  /** Models this debate's next steps will call (a keep_alive hint); the call's own model need not be listed. */
  upcomingModels?: readonly string[];
  /** Calls of this debate sent together with this one (independent steps), itself included: a model load waits for all of them to arrive. */
  siblings?: number;
}

/** One loaded model as the server reports it. */
export interface LoadedModelInfo {
  model: string;
  sizeBytes: number;
}

/** What a local model server tells the router: loaded models (/api/ps) and model sizes (/api/tags). */
export interface ModelInspector {
  loaded(): Promise<LoadedModelInfo[] | null>;
  sizes(): Promise<Map<string, number> | null>;
}

/** The router's state, for the PROCESSES panel and /metrics. */
export interface RouterSnapshot {
  provider: string;
  concurrency: number;
  loadedModels: LoadedModelInfo[];
  /** Calls waiting, per model (models with none are left out). */
  queued: Record<string, number>;
  queuedTotal: number;
  inFlight: number;
  inFlightByModel: Record<string, number>;
  /** Calls dispatched for a model that was not loaded (each one a model load on a local server). */
  modelLoads: number;
  callsTotal: number;
  /** ms the oldest waiting call has waited; 0 when none waits. */
  oldestWaitMs: number;
  /** When the provider's rate limit lets calls go again (ISO), or null. */
  rateLimitedUntil: string | null;
  rateLimitHits: number;
}

/**
 * Whether a new debate may start; a refusal says why (one line, safe to show) and, when waiting
 * helps, when to try again. An unreachable provider needs a person to act, so it has no retry time.
 */
export type Admission =
  | { ok: true }
  | { ok: false; reason: 'llm_queue_full'; detail: string; retryAfterSeconds: number }
  | { ok: false; reason: 'llm_unreachable'; detail: string };
