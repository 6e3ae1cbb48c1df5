import { DebateRefusedError } from '../../engine/debate/errors.ts';
import { RuntimeFailure, TryLaterFailure } from '../errors.ts';

// Kept out of app/errors.ts, which `arena --help` loads: this one needs the engine's error class.

/**
 * The engine's refusal to start a debate as the CLI's failure: a full queue is "try later" (exit 75);
 * a provider that does not answer needs someone to start it (exit 1, the message says how).
 */
export function refusalFailure(error: unknown): unknown {
  if (!(error instanceof DebateRefusedError)) return error;
  if (error.retryAfterSeconds === undefined) return new RuntimeFailure(error.message);
  return new TryLaterFailure(`${error.message}; try again in about ${error.retryAfterSeconds} s`);
}
