/** A call waiting in the router. */
export interface QueuedCall {
  seq: number;
  model: string;
  debateId: string;
  human: boolean;
  enqueuedAt: number;
}

export interface ChooseState {
  /** Waiting calls per model, in arrival order. */
  queues: ReadonlyMap<string, readonly QueuedCall[]>;
  inFlight: ReadonlyMap<string, number>;
  /** True when the model is loaded (or needs no loading: hosted APIs). */
  loaded: (model: string) => boolean;
  perModel: number;
  totalInFlight: number;
  totalCap: number;
  now: number;
  agingMs: number;
  /** Models dispatched while not loaded and not yet answered: loads under way. */
  loading: ReadonlySet<string>;
  /** When the debate was last served (a counter); never served debates go first. */
  lastServed: ReadonlyMap<string, number>;
  /** False while calls are still arriving: a load waits a moment for the calls that will share it. */
  coldReady: boolean;
  /**
   * True when the model can load beside every model that has calls queued or running, without
   * evicting one (known model sizes and GPU memory); absent or false: it waits for them to drain.
   */
  fits?: (model: string) => boolean;
  /**
   * Calls sent to the server per model that have not started generating yet (no first token): the
   * server may see them after a load sent later. Absent: every call sent counts as started.
   */
  unstarted?: ReadonlyMap<string, number>;
}

/**
 * The next call to dispatch, or null to wait. Order: a person's turn first; then a call that waited
 * past agingMs; then calls for a model that is loaded (or loading); a model that is not loaded starts
 * when no other load is under way and either it fits in GPU memory beside the busy models without
 * evicting one, or no loaded model has calls waiting and every call sent has started on the server
 * (so the server sees the load after them), so each model is loaded once for the calls that need it
 * and models that fit together run together. Within a model, debates take turns (round-robin).
 */
export function chooseNext(state: ChooseState): QueuedCall | null {
  if (state.totalInFlight >= state.totalCap) return null;
  const open = (model: string) => (state.inFlight.get(model) ?? 0) < state.perModel;
  const warm = (model: string) =>
    state.loaded(model) || state.loading.has(model) || (state.inFlight.get(model) ?? 0) > 0;
  const waiting = [...state.queues].filter(([, q]) => q.length > 0);
  if (waiting.length === 0) return null;

  const heads = (pred: (c: QueuedCall) => boolean) =>
    waiting.flatMap(([model, q]) => (open(model) ? q.filter(pred) : [])).sort((a, b) => a.seq - b.seq);
  const human = heads((c) => c.human)[0];
  if (human) return human;
  const aged = heads((c) => state.now - c.enqueuedAt >= state.agingMs)[0];
  if (aged) return pickInModel(state, aged.model);

  const warmModels = waiting.filter(([model]) => warm(model));
  // While a model loads, it may evict the others once they go idle: only the loading model's calls
  // go; the others wait to see whether their model is still loaded afterwards.
  const warmOpen = warmModels.filter(
    ([model]) => open(model) && (state.loading.size === 0 || state.loading.has(model)),
  );
  if (warmOpen.length > 0) return pickInModel(state, oldest(warmOpen));
  if (state.loading.size > 0 || !state.coldReady) return null;
  // Loaded models still have work: a new load waits unless it fits beside them (no eviction). A
  // load that does not fit also waits until every call sent for another model has started on the
  // server: sent before it, such a call may still reach the server after it, find its model idle
  // and evicted by the load, and load it again (a second load of that model in the phase).
  const fits = (model: string) => state.fits?.(model) === true;
  const unstartedElsewhere = (model: string) =>
    [...(state.unstarted ?? [])].some(([m, n]) => m !== model && n > 0);
  const cold = waiting.filter(
    ([model]) =>
      open(model) && !warm(model) && (fits(model) || (warmModels.length === 0 && !unstartedElsewhere(model))),
  );
  if (cold.length === 0) return null;
  // A model that fits beside the busy ones first: it runs alongside them instead of after them. Then
  // the cold model with the most waiting calls is worth its load most; ties go to the oldest call.
  const rank = ([model, q]: readonly [string, readonly QueuedCall[]]) => [
    fits(model) ? 0 : 1,
    -q.length,
    q[0]!.seq,
  ];
  cold.sort((a, b) => compare(rank(a), rank(b)));
  return pickInModel(state, cold[0]![0]);
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function oldest(models: ReadonlyArray<readonly [string, readonly QueuedCall[]]>): string {
  return [...models].sort((a, b) => a[1][0]!.seq - b[1][0]!.seq)[0]![0];
}

/** Within one model: the debate served longest ago first, then arrival order. */
function pickInModel(state: ChooseState, model: string): QueuedCall {
  const queue = state.queues.get(model)!;
  const human = queue.find((c) => c.human);
  if (human) return human;
  let best = queue[0]!;
  for (const c of queue) {
    const a = state.lastServed.get(c.debateId) ?? -1;
    const b = state.lastServed.get(best.debateId) ?? -1;
    if (a < b) best = c;
  }
  return best;
}
