export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  options?: {
    temperature?: number;
    /** Upper bound on generated tokens. */
    maxTokens?: number;
    /** Ask the model for a JSON object (Ollama `format: 'json'`, OpenAI `response_format`). */
    json?: boolean;
  };
  signal?: AbortSignal;
}

export interface ChatResult {
  text: string;
  /** The model that actually answered (after any fallback), e.g. `qwen2.5:14b` or `offline`. */
  model: string;
  /** Provider name as priced and recorded in api_usage: `ollama`, `openai`, `offline`. */
  provider: string;
  promptTokens: number;
  completionTokens: number;
  ms: number;
}

/** One LLM backend. Implementations: Ollama, OpenAI-compatible HTTP, offline. */
export interface LlmProvider {
  readonly name: string;
  chat(request: ChatRequest, onDelta?: (delta: string) => void): Promise<ChatResult>;
  models(): Promise<string[]>;
}

/** Typed failures at the LLM boundary. */
export class LlmError extends Error {
  override name = 'LlmError';
  constructor(
    message: string,
    readonly code: 'model_not_found' | 'timeout' | 'aborted' | 'server_error' | 'connection' | 'bad_response',
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
