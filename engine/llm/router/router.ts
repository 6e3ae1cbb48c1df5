import type { Logger } from '../../log.ts';
import { type ChatRequest, type ChatResult, LlmError, type LlmProvider } from '../types.ts';
import { type ChooseState, chooseNext, type QueuedCall } from './choose.ts';
import {
  ADMIT_RETRY_AFTER_SECONDS,
  AGING_MS,
  DEFAULT_CONCURRENCY,
  FALLBACK_CONCURRENCY,
  GATHER_MS,
  HINT_TTL_MS,
  KEEP_ALIVE_NEEDED,
  KEEP_ALIVE_RELEASE,
  MAX_QUEUED,
  MAX_WAIT_MS,
  TOTAL_CONCURRENCY_FACTOR,
} from './constants.ts';
import { createLoadedView } from './loaded-view.ts';
import type { RateGate } from './rate-gate.ts';
import type { Admission, ModelInspector, RouterSnapshot } from './types.ts';

export interface LlmRouterOptions {
  provider: LlmProvider;
  /** Parallel calls per model (LLM_CONCURRENCY); default from the provider. */
  concurrency?: number | undefined;
  /** Calls in flight over all models; default concurrency × TOTAL_CONCURRENCY_FACTOR. */
  totalConcurrency?: number;
  /** A local model server's loaded models and sizes: turns on model-aware ordering and keep_alive. */
  inspector?: ModelInspector;
  /** The model a request will really use (Ollama's fallback), so calls queue under it. */
  resolveModel?: (model: string, signal?: AbortSignal) => Promise<string>;
  /** The provider's 429 gate: while closed, nothing is dispatched. */
  gate?: RateGate;
  /**
   * GPU memory in bytes: a model that fits beside the models with calls queued or running (sizes
   * from /api/tags and /api/ps) loads at once instead of waiting for them to drain. Unset: the most
   * the server has reported loaded at once (/api/ps), a lower bound learnt as it runs.
   */
  gpuMemoryBytes?: number;
  now?: () => number;
  limits?: {
    maxQueued?: number;
    maxWaitMs?: number;
    agingMs?: number;
    hintTtlMs?: number;
    gatherMs?: number;
  };
  log?: Logger;
}

/** An LlmProvider that queues calls per model across debates and dispatches them in a model-aware, fair order. */
export interface LlmRouter extends LlmProvider {
  snapshot(): RouterSnapshot;
  /** Whether a new debate may start: refused while the queue is too long or too slow. */
  admit(): Admission;
  /**
   * Models the server has loaded now, for the planner's model-aware divergence order: the last
   * /api/ps answer plus the models answered since; undefined when unknown (no local model server,
   * or it never answered).
   */
  loadedModels(): ReadonlySet<string> | undefined;
  /** Asks the server which models are loaded now. */
  refresh(): Promise<void>;
}

interface Waiting extends QueuedCall {
  /** Starts the call with the keep_alive chosen at dispatch (while its siblings still wait). */
  grant: (keepAlive: string | number | undefined) => void;
}

export function createLlmRouter(opts: LlmRouterOptions): LlmRouter {
  const { provider, inspector, gate } = opts;
  const now = opts.now ?? Date.now;
  const perModel = Math.max(
    1,
    opts.concurrency ?? DEFAULT_CONCURRENCY[provider.name] ?? FALLBACK_CONCURRENCY,
  );
  const totalCap = opts.totalConcurrency ?? perModel * TOTAL_CONCURRENCY_FACTOR;
  const agingMs = opts.limits?.agingMs ?? AGING_MS;
  const maxQueued = opts.limits?.maxQueued ?? MAX_QUEUED;
  const maxWaitMs = opts.limits?.maxWaitMs ?? MAX_WAIT_MS;
  const hintTtlMs = opts.limits?.hintTtlMs ?? HINT_TTL_MS;
  const gatherMs = opts.limits?.gatherMs ?? GATHER_MS;

  const queues = new Map<string, Waiting[]>();
  const inFlight = new Map<string, number>();
  const loading = new Set<string>();
  /** Calls sent per model whose first token has not come yet (the server may not have them yet). */
  const unstarted = new Map<string, number>();
  const lastServed = new Map<string, number>();
  /** Calls running per debate. */
  const running = new Map<string, number>();
  const hints = new Map<string, { models: readonly string[]; at: number }>();
  const view = inspector ? createLoadedView(inspector, { onRead: () => pump() }) : undefined;
  // Groups of calls a debate sent together (independent steps) while they arrive: a load waits for
  // the rest of a group (each call comes after its own budget check), at most gatherMs from its first.
  const arriving = new Map<string, { expected: number; seen: number; since: number }>();
  // Debates whose call just answered: their next call (often for the same, loaded model, which the
  // planner prefers) comes after a commit; a load waits a moment for it, at most gatherMs.
  const answeredAt = new Map<string, number>();
  let seq = 0;
  let served = 0;
  let totalInFlight = 0;
  let modelLoads = 0;
  let callsTotal = 0;
  let gateTimer: NodeJS.Timeout | undefined;
  let gatherTimer: NodeJS.Timeout | undefined;

  const isLoaded = (model: string) => !view || view.has(model);

  async function refresh(): Promise<void> {
    await view?.refresh();
  }

  /**
   * ms a load still waits for calls on their way: the rest of a group, or the next call of a debate
   * that just got its answer; 0 when none is expected (each wait ends gatherMs after it began).
   */
  function gatherWait(t: number): number {
    let wait = 0;
    for (const [id, g] of arriving) {
      const left = gatherMs - (t - g.since);
      if (left <= 0) arriving.delete(id);
      else wait = Math.max(wait, left);
    }
    for (const [id, at] of answeredAt) {
      const left = gatherMs - (t - at);
      if (left <= 0) answeredAt.delete(id);
      else wait = Math.max(wait, left);
    }
    return wait;
  }

  function liveHints(): Array<readonly string[]> {
    const t = now();
    for (const [id, h] of hints) if (t - h.at > hintTtlMs) hints.delete(id);
    return [...hints.values()].map((h) => h.models);
  }

  /** Keep a model loaded that queued or upcoming steps need; release one nobody needs while others wait. */
  function keepAliveFor(model: string): string | number | undefined {
    if (!inspector) return undefined;
    const upcoming = liveHints().flat();
    const needed = (m: string) => (queues.get(m)?.length ?? 0) > 0 || upcoming.includes(m);
    if (needed(model)) return KEEP_ALIVE_NEEDED;
    const others = [...queues.keys(), ...upcoming].some((m) => m !== model && needed(m));
    return others ? KEEP_ALIVE_RELEASE : undefined;
  }

  /**
   * A model loads beside every model running or loading and every loaded one with calls queued,
   * without evicting one (models not loaded, whose calls wait, hold no memory yet).
   */
  function fits(model: string): boolean {
    const size = view?.sizeOf(model);
    const capacity = opts.gpuMemoryBytes ?? view?.capacity() ?? 0;
    if (size === undefined || capacity <= 0) return false;
    const sizeOf = (m: string) => view?.sizeOf(m) ?? Number.POSITIVE_INFINITY;
    const waitingLoaded = [...queues.keys()].filter(isLoaded);
    const busy = new Set([...waitingLoaded, ...inFlight.keys(), ...loading]);
    busy.delete(model);
    let used = 0;
    for (const m of busy) used += sizeOf(m);
    return used + size <= capacity;
  }

  function pump() {
    const until = gate?.until() ?? null;
    if (until !== null) {
      if (!gateTimer) {
        gateTimer = setTimeout(() => {
          gateTimer = undefined;
          pump();
        }, until - now());
        gateTimer.unref?.();
      }
      return;
    }
    // Until /api/ps first answers (or fails), nothing is known about loaded models.
    if (view && !view.settled()) return;
    for (;;) {
      const t = now();
      const gather = view ? gatherWait(t) : 0;
      const coldReady = gather === 0;
      const state: ChooseState = {
        queues,
        inFlight,
        loaded: isLoaded,
        perModel,
        totalInFlight,
        totalCap,
        now: t,
        agingMs,
        loading,
        lastServed,
        coldReady,
        fits,
        unstarted,
      };
      const next = chooseNext(state) as Waiting | null;
      if (!next) {
        if (!coldReady && queues.size > 0 && !gatherTimer) {
          gatherTimer = setTimeout(() => {
            gatherTimer = undefined;
            pump();
          }, gather);
          gatherTimer.unref?.();
        }
        return;
      }
      // A load goes on a fresh view of what is loaded: a load or an answer since the last /api/ps
      // may have changed it (the read runs after every answer). A model known loaded since the last
      // load (it answered, or a read said so) goes at once.
      const busy = (inFlight.get(next.model) ?? 0) > 0 || loading.has(next.model);
      if (view && !busy && !view.has(next.model) && !view.fresh()) {
        void view.refresh();
        return;
      }
      const queue = queues.get(next.model)!;
      queue.splice(queue.indexOf(next), 1);
      if (queue.length === 0) queues.delete(next.model);
      if (!isLoaded(next.model) && !loading.has(next.model) && (inFlight.get(next.model) ?? 0) === 0) {
        modelLoads++;
        loading.add(next.model);
        view?.noteLoadStarted();
      }
      inFlight.set(next.model, (inFlight.get(next.model) ?? 0) + 1);
      if (view) unstarted.set(next.model, (unstarted.get(next.model) ?? 0) + 1);
      totalInFlight++;
      lastServed.set(next.debateId, ++served);
      running.set(next.debateId, (running.get(next.debateId) ?? 0) + 1);
      next.grant(keepAliveFor(next.model));
    }
  }

  function enqueue(model: string, req: ChatRequest): Promise<string | number | undefined> {
    return new Promise((resolve, reject) => {
      const signal = req.signal;
      const onAbort = () => {
        const queue = queues.get(model);
        const at = queue?.indexOf(item) ?? -1;
        if (queue && at >= 0) {
          queue.splice(at, 1);
          if (queue.length === 0) queues.delete(model);
        }
        reject(new LlmError('aborted while queued', 'aborted', false));
      };
      const item: Waiting = {
        seq: ++seq,
        model,
        debateId: req.route?.debateId ?? '',
        human: req.route?.priority === 'human',
        enqueuedAt: now(),
        grant: (keepAlive) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(keepAlive);
        },
      };
      if (signal?.aborted) {
        reject(new LlmError('aborted while queued', 'aborted', false));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      noteArrival(item.debateId, req.route?.siblings ?? 1, item.enqueuedAt);
      const queue = queues.get(model) ?? [];
      queue.push(item);
      queues.set(model, queue);
      pump();
    });
  }

  function noteArrival(debateId: string, siblings: number, t: number) {
    answeredAt.delete(debateId);
    if (siblings <= 1 || !debateId) return;
    let g = arriving.get(debateId);
    if (!g || t - g.since >= gatherMs) g = { expected: siblings, seen: 0, since: t };
    g.seen++;
    if (g.seen >= g.expected) arriving.delete(debateId);
    else arriving.set(debateId, g);
  }

  /** One call of `model` started on the server (its first token came) or ended without one. */
  function started(model: string) {
    const n = (unstarted.get(model) ?? 0) - 1;
    if (n > 0) unstarted.set(model, n);
    else unstarted.delete(model);
  }

  /**
   * A call of `model` streamed its first token: the server has it and is generating, so its model is
   * loaded (a load under way is done) and a load sent now reaches the server after it.
   */
  function firstToken(model: string) {
    started(model);
    if (loading.delete(model)) {
      view?.noteLoadDone();
      void view?.refresh();
    }
    pump();
  }

  /** Calls of a debate queued or running. */
  function outstanding(debateId: string): number {
    let n = 0;
    for (const q of queues.values()) for (const c of q) if (c.debateId === debateId) n++;
    return n + (running.get(debateId) ?? 0);
  }

  function finish(
    model: string,
    keepAlive: string | number | undefined,
    debateId: string,
    generated: boolean,
  ) {
    running.set(debateId, (running.get(debateId) ?? 1) - 1);
    if (running.get(debateId) === 0) running.delete(debateId);
    // Its next call comes only once the debate has nothing left queued or running (a group ends whole).
    if (view && debateId && outstanding(debateId) === 0) answeredAt.set(debateId, now());
    if (loading.delete(model)) view?.noteLoadDone();
    view?.noteAnswer(model, keepAlive === KEEP_ALIVE_RELEASE);
    inFlight.set(model, (inFlight.get(model) ?? 1) - 1);
    if (inFlight.get(model) === 0) inFlight.delete(model);
    totalInFlight--;
    if (view && !generated) started(model);
    // What is loaded changes with answers (a load done, a release): read /api/ps again, without waiting.
    void view?.refresh();
    pump();
  }

  function snapshot(): RouterSnapshot {
    const queued: Record<string, number> = {};
    let oldest = Number.POSITIVE_INFINITY;
    for (const [model, q] of queues) {
      queued[model] = q.length;
      for (const c of q) oldest = Math.min(oldest, c.enqueuedAt);
    }
    const loadedModels = view?.reported() ?? [];
    const until = gate?.until() ?? null;
    return {
      provider: provider.name,
      concurrency: perModel,
      loadedModels,
      queued,
      queuedTotal: Object.values(queued).reduce((a, b) => a + b, 0),
      inFlight: totalInFlight,
      inFlightByModel: Object.fromEntries(inFlight),
      modelLoads,
      callsTotal,
      oldestWaitMs: Number.isFinite(oldest) ? Math.max(0, now() - oldest) : 0,
      rateLimitedUntil: until === null ? null : new Date(until).toISOString(),
      rateLimitHits: gate?.hits() ?? 0,
    };
  }

  void view?.refresh();

  return {
    name: provider.name,
    models: () => provider.models(),
    snapshot,
    refresh,
    loadedModels() {
      const known = view?.models();
      // A model with calls running or loading is (about to be) loaded too.
      return known ? new Set([...known, ...inFlight.keys(), ...loading]) : undefined;
    },
    admit(): Admission {
      const s = snapshot();
      if (s.queuedTotal >= maxQueued) {
        return {
          ok: false,
          reason: 'llm_queue_full',
          detail: `${s.queuedTotal} model calls are waiting (the limit is ${maxQueued}); try again when running debates have moved on`,
          retryAfterSeconds: ADMIT_RETRY_AFTER_SECONDS,
        };
      }
      if (s.oldestWaitMs >= maxWaitMs) {
        return {
          ok: false,
          reason: 'llm_queue_full',
          detail: `the oldest model call has waited ${Math.round(s.oldestWaitMs / 1000)} s; the model server is not keeping up`,
          retryAfterSeconds: ADMIT_RETRY_AFTER_SECONDS,
        };
      }
      return { ok: true };
    },
    async chat(req: ChatRequest, onDelta?: (delta: string) => void): Promise<ChatResult> {
      const model = opts.resolveModel ? await opts.resolveModel(req.model, req.signal) : req.model;
      const debateId = req.route?.debateId;
      if (debateId && req.route?.upcomingModels) {
        hints.set(debateId, { models: req.route.upcomingModels, at: now() });
      }
      const keepAlive = await enqueue(model, req);
      callsTotal++;
      // A local server streams its first token once the model is loaded: the load is done then, and
      // the next model may load beside it without waiting for this call to end.
      let generating = false;
      const onToken = view
        ? (delta: string) => {
            if (!generating) {
              generating = true;
              firstToken(model);
            }
            onDelta?.(delta);
          }
        : onDelta;
      try {
        const result = await provider.chat(
          { ...req, ...(keepAlive === undefined ? {} : { keepAlive }) },
          onToken,
        );
        return result;
      } finally {
        finish(model, keepAlive, debateId ?? '', generating);
      }
    },
  };
}
