/**
 * A simulated GPU as Ollama's scheduler drives it: a memory size, model sizes from parameter counts,
 * a load time per GB, parallel slots per loaded model, least-recently-used eviction of idle models
 * when a new one does not fit, and `keep_alive` honoured. It counts what the arena's router is
 * judged on: model loads, load time, evictions. `startSimulatedOllama` puts it behind Ollama's HTTP
 * protocol; the benchmark and the router tests use it.
 *
 * Like Ollama, requests that need a model loaded are scheduled in arrival order (a pending load
 * blocks the ones behind it); a request for a loaded model with a free slot starts at once.
 */

/** Q4_K_M weights take about 0.62 GB per billion parameters. */
export const GB_PER_BILLION_PARAMS = 0.62;
export const GB = 1024 ** 3;

export interface SimulatedGpuOptions {
  /** GPU memory in GB; default 24. */
  memoryGb?: number;
  /** Installed models and their size in billions of parameters, e.g. { 'qwen2.5:14b': 14.8 }. */
  models: Record<string, number>;
  /** Time to load one GB from disk into the GPU, ms; 0 for instant loads. */
  loadMsPerGb: number;
  /** Time one call generates for, ms (or per model). */
  generateMs: number | ((model: string) => number);
  /** Parallel requests per loaded model (OLLAMA_NUM_PARALLEL); default 4. */
  slotsPerModel?: number;
  /** keep_alive when a request sets none, ms; default 5 minutes. */
  defaultKeepAliveMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface LoadedModel {
  name: string;
  sizeBytes: number;
  busy: number;
  lastUsed: number;
  /** When an idle model unloads; Infinity for keep_alive < 0. */
  expiresAt: number;
}

export interface GpuEvent {
  at: number;
  kind: 'load' | 'evict' | 'expire' | 'start' | 'end';
  model: string;
}

export interface GpuStats {
  loads: number;
  loadMs: number;
  loadsByModel: Record<string, number>;
  evictions: number;
  calls: number;
  maxInFlight: number;
}

export interface SimulatedGpu {
  readonly memoryBytes: number;
  sizeOf(model: string): number | undefined;
  paramsOf(model: string): number | undefined;
  installed(): string[];
  /**
   * Runs one call of `model`: waits for a slot (loading the model if needed), generates, frees it.
   * `onStart` is called when generation starts (the model is loaded): a server streams its first token.
   */
  run<T>(
    model: string,
    keepAliveMs: number | undefined,
    generate: () => Promise<T> | T,
    onStart?: () => void,
  ): Promise<T>;
  loaded(): LoadedModel[];
  stats(): GpuStats;
  events: GpuEvent[];
  /** Zeroes the counters (a benchmark's warm-up does not count). */
  resetStats(): void;
  /** Unloads every idle model. */
  unloadAll(): void;
}

interface Waiter {
  model: string;
  keepAliveMs: number | undefined;
  grant: () => void;
}

export function createSimulatedGpu(opts: SimulatedGpuOptions): SimulatedGpu {
  const memoryBytes = (opts.memoryGb ?? 24) * GB;
  const slots = opts.slotsPerModel ?? 4;
  const defaultKeepAlive = opts.defaultKeepAliveMs ?? 5 * 60_000;
  const now = opts.now ?? (() => performance.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const generateMs = typeof opts.generateMs === 'number' ? () => opts.generateMs as number : opts.generateMs;
  const loaded = new Map<string, LoadedModel>();
  const loading = new Set<string>();
  // Requests that cannot start yet, in arrival order; the head blocks while it needs a load.
  const pending: Waiter[] = [];
  const events: GpuEvent[] = [];
  let stats = emptyStats();
  let inFlight = 0;

  const sizeOf = (model: string) => {
    const params = opts.models[model];
    // A model larger than the GPU takes all of it (Ollama offloads the rest to the CPU).
    return params === undefined ? undefined : Math.min(memoryBytes, params * GB_PER_BILLION_PARAMS * GB);
  };
  const used = () => [...loaded.values()].reduce((sum, m) => sum + m.sizeBytes, 0);

  function expire() {
    const t = now();
    for (const m of [...loaded.values()]) {
      if (m.busy === 0 && m.expiresAt <= t) {
        loaded.delete(m.name);
        events.push({ at: t, kind: 'expire', model: m.name });
      }
    }
  }

  /** Starts what can start, in order; a request needing a load that cannot happen yet blocks the rest. */
  function pump() {
    expire();
    for (let i = 0; i < pending.length; ) {
      const w = pending[i]!;
      if (loading.has(w.model)) {
        i++;
        continue;
      }
      const m = loaded.get(w.model);
      if (m) {
        if (m.busy < slots) {
          pending.splice(i, 1);
          m.busy++;
          w.grant();
        } else i++;
        continue;
      }
      if (loading.size > 0) return; // one load at a time, like Ollama's scheduler
      const size = sizeOf(w.model)!;
      while (memoryBytes - used() < size) {
        const idle = [...loaded.values()].filter((x) => x.busy === 0).sort((a, b) => a.lastUsed - b.lastUsed);
        const victim = idle[0];
        if (!victim) break;
        loaded.delete(victim.name);
        stats.evictions++;
        events.push({ at: now(), kind: 'evict', model: victim.name });
      }
      if (memoryBytes - used() < size) return; // waits for a busy model to go idle
      pending.splice(i, 1);
      void load(w, size);
    }
  }

  async function load(w: Waiter, size: number) {
    loading.add(w.model);
    // Reserve the memory while loading, as Ollama does.
    loaded.set(w.model, { name: w.model, sizeBytes: size, busy: 1, lastUsed: now(), expiresAt: Infinity });
    const ms = (size / GB) * opts.loadMsPerGb;
    stats.loads++;
    stats.loadMs += ms;
    stats.loadsByModel[w.model] = (stats.loadsByModel[w.model] ?? 0) + 1;
    events.push({ at: now(), kind: 'load', model: w.model });
    // Always asynchronous, so pump() is never re-entered from inside its own loop.
    await (ms > 0 ? sleep(ms) : Promise.resolve());
    loading.delete(w.model);
    w.grant();
    pump();
  }

  function release(model: string, keepAliveMs: number | undefined) {
    const m = loaded.get(model);
    if (m) {
      m.busy--;
      m.lastUsed = now();
      const keep = keepAliveMs ?? defaultKeepAlive;
      m.expiresAt = keep < 0 ? Infinity : m.lastUsed + keep;
      if (m.busy === 0 && keep === 0) {
        loaded.delete(model);
        events.push({ at: now(), kind: 'expire', model });
      }
    }
    pump();
  }

  return {
    memoryBytes,
    sizeOf,
    paramsOf: (model) => opts.models[model],
    installed: () => Object.keys(opts.models),
    async run(model, keepAliveMs, generate, onStart) {
      if (sizeOf(model) === undefined) throw new Error(`model "${model}" not found`);
      await new Promise<void>((grant) => {
        pending.push({ model, keepAliveMs, grant });
        pump();
      });
      stats.calls++;
      inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      events.push({ at: now(), kind: 'start', model });
      try {
        onStart?.();
        const ms = generateMs(model);
        if (ms > 0) await sleep(ms);
        return await generate();
      } finally {
        inFlight--;
        events.push({ at: now(), kind: 'end', model });
        release(model, keepAliveMs);
      }
    },
    loaded: () => {
      expire();
      return [...loaded.values()].filter((m) => !loading.has(m.name)).map((m) => ({ ...m }));
    },
    stats: () => ({ ...stats, loadsByModel: { ...stats.loadsByModel } }),
    events,
    resetStats() {
      stats = emptyStats();
      events.length = 0;
    },
    unloadAll() {
      for (const m of [...loaded.values()]) if (m.busy === 0) loaded.delete(m.name);
    },
  };
}

function emptyStats(): GpuStats {
  return { loads: 0, loadMs: 0, loadsByModel: {}, evictions: 0, calls: 0, maxInFlight: 0 };
}

/** Ollama's keep_alive: a number of seconds, or a duration string like '5m', '30s', '-1'. */
export function keepAliveMs(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value < 0 ? -1 : value * 1000;
  const text = String(value).trim();
  const match = /^(-?\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!match) return undefined;
  const n = Number(match[1]);
  if (n < 0) return -1;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return n * unit;
}
