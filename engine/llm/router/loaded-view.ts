import type { LoadedModelInfo, ModelInspector } from './types.ts';

/**
 * The router's view of which models a local model server has loaded: the last /api/ps answer, plus
 * the models that answered since. A load may evict idle models (the server may also hold it until a
 * busy model goes idle, then evict that one), so while a load is under way no idle model is trusted,
 * and once it is done only answers and reads from after it are (reads are cheap and never block a
 * dispatch: one runs after every answer, and again if something changed while it ran).
 */
export interface LoadedView {
  /** Reads /api/ps (and /api/tags once); concurrent requests share one read. */
  refresh(): Promise<void>;
  /** True once the first read ended, answered or not: until then, the router waits for it. */
  settled(): boolean;
  /** True when a read started after the latest answer and load has ended: the view is exact. */
  fresh(): boolean;
  /** A load was dispatched: until it is done, idle models may be evicted by it. */
  noteLoadStarted(): void;
  /** A load ended (its first call answered or failed). */
  noteLoadDone(): void;
  /** A call of `model` answered; `released` when it was sent with keep_alive 0. */
  noteAnswer(model: string, released: boolean): void;
  /** Whether `model` is loaded and idle-or-busy as far as the router knows (calls in flight aside). */
  has(model: string): boolean;
  /** Every model known loaded now; undefined while the server never answered /api/ps. */
  models(): ReadonlySet<string> | undefined;
  /** The last /api/ps answer, for the PROCESSES panel and /metrics. */
  reported(): LoadedModelInfo[];
  /** A model's size in GPU memory: as /api/ps last reported it loaded, else its /api/tags size. */
  sizeOf(model: string): number | undefined;
  /**
   * A lower bound of the GPU's memory: the most /api/ps ever reported loaded at once (0 until a
   * read). Ollama gives no total, but what it held together, it can hold again.
   */
  capacity(): number;
}

export function createLoadedView(inspector: ModelInspector, opts: { onRead: () => void }): LoadedView {
  let reported: LoadedModelInfo[] = [];
  let known = false;
  let settled = false;
  let sizes: Map<string, number> | null = null;
  let sizesAsked = false;
  // Counters: loads started and done, and answers.
  let loadsStarted = 0;
  let loads = 0;
  let answers = 0;
  // Loads done when the last successful read started (-1: none since a load was under way).
  let readAtLoad = -1;
  // Answers and loads when the last read (answered or not) started.
  let triedAt = { answers: -1, loads: -1 };
  // Models answered since the last read: their answer and load counters.
  const answered = new Map<string, { answer: number; load: number }>();
  // Sizes /api/ps reported for each model (weights and cache as loaded), and the most held at once.
  const loadedSizes = new Map<string, number>();
  let capacity = 0;
  let reading: Promise<void> | undefined;
  let again = false;

  async function read(): Promise<void> {
    if (!sizesAsked) {
      sizesAsked = true;
      sizes = await inspector.sizes();
    }
    const atLoad = loadsStarted === loads ? loads : -1;
    const atAnswer = answers;
    const models = await inspector.loaded();
    triedAt = { answers: atAnswer, loads: atLoad };
    if (models) {
      reported = models;
      for (const m of models) if (m.sizeBytes > 0) loadedSizes.set(m.model, m.sizeBytes);
      capacity = Math.max(
        capacity,
        models.reduce((sum, m) => sum + m.sizeBytes, 0),
      );
      known = true;
      readAtLoad = atLoad;
      for (const [m, a] of answered) if (a.answer <= atAnswer) answered.delete(m);
    }
  }

  function refresh(): Promise<void> {
    if (reading) {
      again = true;
      return reading;
    }
    reading = read()
      .catch(() => {})
      .finally(() => {
        reading = undefined;
        settled = true;
        opts.onRead();
        if (again) {
          again = false;
          void refresh();
        }
      });
    return reading;
  }

  function has(model: string): boolean {
    if (loadsStarted > loads) return false;
    const a = answered.get(model);
    if (a && a.load >= loads) return true;
    return readAtLoad >= loads && reported.some((m) => m.model === model);
  }

  return {
    refresh,
    settled: () => settled,
    fresh: () => loadsStarted === loads && triedAt.loads === loads && triedAt.answers === answers,
    noteLoadStarted() {
      loadsStarted++;
    },
    noteLoadDone() {
      loads++;
    },
    noteAnswer(model, released) {
      answers++;
      if (released) {
        answered.delete(model);
        reported = reported.filter((m) => m.model !== model);
      } else if (loadsStarted === loads) answered.set(model, { answer: answers, load: loads });
    },
    has,
    models() {
      if (!known) return undefined;
      return new Set([...reported.map((m) => m.model), ...answered.keys()].filter(has));
    },
    reported: () => [...reported],
    sizeOf: (model) => loadedSizes.get(model) ?? sizes?.get(model),
    capacity: () => capacity,
  };
}
