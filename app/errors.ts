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
