import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Process-level figures of one measured window. */
export interface WindowMeasure {
  wallMs: number;
  /** User + system CPU of the whole process in the window, in ms. */
  cpuMs: number;
  /** Memory before the window, after a full GC; `heldMb` is heap plus ArrayBuffers (WASM memory, Uint8Arrays). */
  baseline: { rssMb: number; heapMb: number; heldMb: number };
  /** Highest readings while the window was open. */
  peak: { rssMb: number; heapMb: number };
  /** How late a 20 ms timer fired, p99 and worst: how long any callback waited behind others. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/**
 * Samples memory at most every few ms when called. Work that never yields to the event loop (all
 * promises, no I/O: a zero-latency model on in-process PGlite) starves timers, so the fake model
 * calls this on every call too.
 */
export interface MemoryProbe {
  sample(): void;
}

const MB = 1024 * 1024;
const SAMPLE_MS = 20;

let gcFn: (() => void) | undefined;
/** A full GC, when the runtime allows one (started with --expose-gc, or enabled here at run time). */
export function collectGarbage(): void {
  if (!gcFn) {
    const fromGlobal = (globalThis as { gc?: () => void }).gc;
    if (fromGlobal) gcFn = fromGlobal;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  }
  gcFn();
}

/** Heap plus ArrayBuffers in MB after a full GC: what is still held. */
export function heldMb(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / MB;
}

/** A probe that records peaks only while a window measured with it is open. */
export function createMemoryProbe(): MemoryProbe & {
  open(): void;
  close(): { rssMb: number; heapMb: number };
} {
  let peak = { rssMb: 0, heapMb: 0 };
  let open = false;
  let last = 0;
  const take = () => {
    const m = process.memoryUsage();
    peak.rssMb = Math.max(peak.rssMb, m.rss / MB);
    peak.heapMb = Math.max(peak.heapMb, m.heapUsed / MB);
    last = performance.now();
  };
  return {
    sample() {
      if (open && performance.now() - last >= SAMPLE_MS) take();
    },
    open() {
      peak = { rssMb: 0, heapMb: 0 };
      open = true;
      take();
    },
    close() {
      take();
      open = false;
      return peak;
    },
  };
}

/** Runs `work` with CPU, wall time, memory peaks and event-loop delay measured around it. */
export async function measureWindow<T>(
  probe: ReturnType<typeof createMemoryProbe>,
  work: () => Promise<T>,
): Promise<{ result: T; window: WindowMeasure }> {
  const held = heldMb();
  const before = process.memoryUsage();
  const baseline = { rssMb: before.rss / MB, heapMb: before.heapUsed / MB, heldMb: held };
  probe.open();
  // Event-loop delay measured by hand: how late each 20 ms tick fires is how long callbacks waited.
  const delays: number[] = [];
  let expected = performance.now() + SAMPLE_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    delays.push(Math.max(0, now - expected));
    expected = now + SAMPLE_MS;
    probe.sample();
  }, SAMPLE_MS);
  const cpu = process.cpuUsage();
  const began = performance.now();
  try {
    const result = await work();
    const end = performance.now();
    const used = process.cpuUsage(cpu);
    // The window starts at the baseline, so its peak is at least that (a GC between the two reads
    // can otherwise leave the first probe sample just below it).
    const sampled = probe.close();
    const peak = {
      rssMb: Math.max(sampled.rssMb, baseline.rssMb),
      heapMb: Math.max(sampled.heapMb, baseline.heapMb),
    };
    // A tick still waiting at the end counts: work that never yields would otherwise look delay-free.
    delays.push(Math.max(0, end - expected));
    return {
      result,
      window: {
        wallMs: end - began,
        cpuMs: (used.user + used.system) / 1000,
        baseline,
        peak,
        loopDelayP99Ms: percentile(delays, 0.99),
        loopDelayMaxMs: Math.max(...delays),
      },
    };
  } finally {
    clearInterval(timer);
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
