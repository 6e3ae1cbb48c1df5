/** A request to start a debate that cannot be done as asked; `message` is safe to show the person. */
export class DebateInputError extends Error {
  override name = 'DebateInputError';
  constructor(
    message: string,
    readonly code: 'invalid_input' | 'idea_not_found' | 'idea_busy',
  ) {
    super(message);
  }
}

/**
 * A debate refused because the arena cannot take more work now (the LLM router's queue is full);
 * nothing was created. `message` is safe to show; try again after `retryAfterSeconds`.
 */
export class DebateRefusedError extends Error {
  override name = 'DebateRefusedError';
  constructor(
    message: string,
    readonly code: 'llm_queue_full',
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
