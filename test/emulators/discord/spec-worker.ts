import { parentPort } from 'node:worker_threads';
import { createSpecValidator, type SpecIssue } from './spec-validator.ts';

/** A validation job sent to the spec worker; `warm` only compiles, at low priority. */
export type SpecJob =
  | { id: number; kind: 'request'; specPath: string; method: string; body: unknown }
  | { id: number; kind: 'response'; specPath: string; method: string; status: number; body: unknown }
  | { id: number; kind: 'warm'; specPath: string; method: string; status: number };

// Runs Ajv off the emulator's event loop: compiling Discord's big schemas takes seconds on a busy
// machine, which would otherwise stall gateway frames and make interaction deadlines look missed.
const validator = createSpecValidator();
const warmQueue: Extract<SpecJob, { kind: 'warm' }>[] = [];
let draining = false;

function run(job: SpecJob): SpecIssue[] {
  try {
    if (job.kind === 'request') return validator.request(job.specPath, job.method, job.body);
    if (job.kind === 'response') return validator.response(job.specPath, job.method, job.status, job.body);
    validator.request(job.specPath, job.method, {});
    validator.response(job.specPath, job.method, job.status, {});
    return [];
  } catch (err) {
    return [{ path: [], code: 'VALIDATOR_ERROR', message: (err as Error).message }];
  }
}

// One warm-up compile per turn, so real jobs never wait behind more than one.
function drain() {
  const job = warmQueue.shift();
  if (!job) {
    draining = false;
    return;
  }
  parentPort?.postMessage({ id: job.id, issues: run(job) });
  setImmediate(drain);
}

parentPort?.on('message', (job: SpecJob) => {
  if (job.kind !== 'warm') {
    parentPort?.postMessage({ id: job.id, issues: run(job) });
    return;
  }
  warmQueue.push(job);
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
});
