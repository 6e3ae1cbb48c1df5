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
