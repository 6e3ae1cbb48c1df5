import type { Lang, Phase, PlanSection } from '../../personas/types.ts';
import type { RouteHints } from './router/types.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A named JSON schema an answer must match. */
export interface JsonSchemaFormat {
  name: string;
  schema: Record<string, unknown>;
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
    /**
     * A stricter JSON request: the answer must match this JSON schema (Ollama `format: <schema>`,
     * OpenAI `response_format: json_schema`; servers without it fall back to plain JSON mode).
     */
    jsonSchema?: JsonSchemaFormat;
  };
  signal?: AbortSignal;
  /**
   * What this call is for, in structured form. Model-backed providers ignore it; the offline
   * provider composes its text from it (persona, reaction, target), so the runner should always set it.
   */
  metadata?: ChatMetadata;
  /** For the router: which debate, how urgent, which models come next. Providers ignore it. */
  route?: RouteHints;
  /** Ollama keep_alive for this call (set by the router): how long the model stays loaded after it. */
  keepAlive?: string | number;
}

/** Structured context of a call: who speaks, about what, answering which message. */
export interface ChatMetadata {
  /** Persona id of the speaker (a key of the catalog). */
  personaId: string;
  /** turn: a debate message; verdict: convergence JSON; plan: a plan section; summary: a phase summary. */
  task: 'turn' | 'verdict' | 'plan' | 'summary';
  lang: Lang;
  phase?: Phase;
  /** The reaction of a turn: propose | support | challenge | refine | merge (a MessageType). */
  reaction?: string;
  /** Text of the message this turn answers. */
  targetText?: string;
  /** Display name of that message's author. */
  targetAuthor?: string;
  /** Idea title (and summary) under debate. */
  idea?: string;
  turnIndex?: number;
  round?: number;
  /** For task 'plan': the section to write; 'final' for the composed plan. */
  planSection?: PlanSection | 'final';
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

export type LlmErrorCode =
  | 'model_not_found'
  | 'timeout'
  | 'aborted'
  | 'server_error'
  | 'connection'
  | 'rate_limited'
  | 'bad_response';

/**
 * Typed failures at the LLM boundary. `retryable` tells the caller that redoing the whole call may
 * succeed; `partial` that deltas were already streamed to onDelta before it failed (discard them).
 */
export class LlmError extends Error {
  override name = 'LlmError';
  readonly partial: boolean;
  /** HTTP status of the server's answer, when there was one. */
  readonly status: number | undefined;
  /** How long the provider asked us to wait before the next call (a 429's Retry-After), ms. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    readonly code: LlmErrorCode,
    readonly retryable: boolean,
    details: { partial?: boolean; status?: number; retryAfterMs?: number | undefined } = {},
  ) {
    super(message);
    this.partial = details.partial ?? false;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}
