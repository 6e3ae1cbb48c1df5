import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createSpecValidator, type SpecIssue, type SpecValidator } from './spec-validator.ts';
import type { SpecJob } from './spec-worker.ts';

/** Spec validation answered by a worker thread, so schema compiles never block the emulator. */
export interface AsyncSpecValidator {
  request(specPath: string, method: string, body: unknown): Promise<SpecIssue[]>;
  response(specPath: string, method: string, status: number, body: unknown): Promise<SpecIssue[]>;
  /** Compiles the schemas of these operations ahead of use. */
  warm(ops: { specPath: string; method: string; status: number }[]): void;
}

type JobInput = SpecJob extends infer J ? (J extends SpecJob ? Omit<J, 'id'> : never) : never;

let worker: Worker | null = null;
let nextJob = 1;
const pending = new Map<number, { job: JobInput; resolve: (issues: SpecIssue[]) => void }>();
// Set when the worker cannot run: validation then happens on the calling thread.
let inline: SpecValidator | null = null;

function runInline(job: JobInput): SpecIssue[] {
  inline ??= createSpecValidator();
  if (job.kind === 'request') return inline.request(job.specPath, job.method, job.body);
  if (job.kind === 'response') return inline.response(job.specPath, job.method, job.status, job.body);
  return [];
}

// One worker per process, shared by every emulator; unref'd so it never keeps a test run alive.
function getWorker(): Worker {
  if (worker) return worker;
  // Node 20 does not apply `--import tsx` to a worker's entry module, so the entry registers tsx first.
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./spec-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
  const w = new Worker(boot, { eval: true });
  w.unref();
  w.on('message', (m: { id: number; issues: SpecIssue[] }) => {
    pending.get(m.id)?.resolve(m.issues);
    pending.delete(m.id);
  });
  w.on('error', () => {
    inline ??= createSpecValidator();
    for (const { job, resolve } of pending.values()) resolve(runInline(job));
    pending.clear();
  });
  worker = w;
  return w;
}

function run(job: JobInput): Promise<SpecIssue[]> {
  if (inline) return Promise.resolve(runInline(job));
  const id = nextJob++;
  return new Promise((resolve) => {
    pending.set(id, { job, resolve });
    getWorker().postMessage({ ...job, id });
  });
}

export function createAsyncSpecValidator(): AsyncSpecValidator {
  return {
    request: (specPath, method, body) => run({ kind: 'request', specPath, method, body }),
    response: (specPath, method, status, body) => run({ kind: 'response', specPath, method, status, body }),
    warm(ops) {
      for (const op of ops) void run({ kind: 'warm', ...op });
    },
  };
}
