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
 * A debate refused because the arena cannot run it now: the LLM router's queue is full (try again
 * after `retryAfterSeconds`) or the model provider does not answer (someone has to start it; no
 * retry time). Nothing was created. `message` is safe to show and says what to do.
 */
export class DebateRefusedError extends Error {
  override name = 'DebateRefusedError';
  constructor(
    message: string,
    readonly code: 'llm_queue_full' | 'llm_unreachable',
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
