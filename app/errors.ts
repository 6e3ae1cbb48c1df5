import { DebateRefusedError } from '../engine/debate/errors.ts';

/** Bad usage or configuration: the CLI prints the message on one line and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

/** A runtime failure the user should read about in one line: exit code 1. */
export class RuntimeFailure extends Error {
  override name = 'RuntimeFailure';
  readonly exitCode = 1;
}

/** Refused for now (the model queue is full), not broken: one line, exit code 75 (EX_TEMPFAIL), try again later. */
export class TryLaterFailure extends Error {
  override name = 'TryLaterFailure';
  readonly exitCode = 75;
}

/**
 * The engine's refusal to start a debate as the CLI's failure: a full queue is "try later" (exit 75);
 * a provider that does not answer needs someone to start it (exit 1, the message says how).
 */
export function refusalFailure(error: unknown): unknown {
  if (!(error instanceof DebateRefusedError)) return error;
  if (error.retryAfterSeconds === undefined) return new RuntimeFailure(error.message);
  return new TryLaterFailure(`${error.message}; try again in about ${error.retryAfterSeconds} s`);
}
