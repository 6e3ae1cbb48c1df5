import { type AbortableAsyncIterator, type ChatResponse, Ollama } from 'ollama';
import type { Logger } from '../log.ts';
import { createCallGuard, guardedFetch } from './call-guard.ts';
import { scrub, toLlmError } from './errors.ts';
import { type RetryPolicy, retryPolicy, withRetries } from './retry.ts';
import { estimatePromptTokens, estimateTokens } from './tokens.ts';
import { type ChatRequest, type ChatResult, LlmError, type LlmProvider } from './types.ts';

/** Models tried, in order, when a persona's model is not installed; then any installed model. */
export const DEFAULT_OLLAMA_FALLBACKS: readonly string[] = [
  'qwen2.5:14b',
  'qwen2.5:7b',
  'qwen2.5:3b',
  'llama3.2:3b',
];

export interface OllamaProviderOptions {
  /** Ollama base URL, e.g. http://127.0.0.1:11434 (OLLAMA_HOST). */
  host: string;
  /** Longest silence from the server (before the first chunk or between two) before 'timeout'. */
  timeoutMs: number;
  fallbacks?: readonly string[];
  log: Logger;
  /** Extra attempts on 5xx / connection errors before any output was streamed; default 3. */
  retries?: number;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  /** Ollama keep_alive for loaded models, e.g. '10m'. */
  keepAlive?: string | number;
}

/** The Ollama provider, plus model discovery the app may run at start. */
export interface OllamaProvider extends LlmProvider {
  /** Lists the installed models once (cached for later calls) and returns them. */
  prepare(): Promise<string[]>;
  /** The installed model a request for `model` will use (itself, or its fallback). */
  resolveModel(model: string, signal?: AbortSignal): Promise<string>;
}

export function createOllamaProvider(opts: OllamaProviderOptions): OllamaProvider {
  const host = opts.host.replace(/\/+$/, '');
  const fetchImpl = opts.fetch ?? fetch;
  const log = opts.log;
  const policy = retryPolicy({
    ...opts.retry,
    ...(opts.retries === undefined ? {} : { retries: opts.retries }),
  });
  const fallbacks = opts.fallbacks ?? DEFAULT_OLLAMA_FALLBACKS;
  const secrets = [safeUserInfo(host)];
  const where = `ollama at ${scrub(host)}`;
  let installed: Promise<string[]> | undefined;
  const reported = new Set<string>();

  const client = (signal: AbortSignal) => new Ollama({ host, fetch: guardedFetch(fetchImpl, signal) });

  async function listModels(signal?: AbortSignal): Promise<string[]> {
    return withRetries(policy, { log, signal, what: `${where}: list models` }, async () => {
      const guard = createCallGuard(signal, opts.timeoutMs);
      try {
        const res = await client(guard.signal).list();
        return res.models.map((m) => m.name);
      } catch (err) {
        throw toLlmError(err, guard, { partial: false, what: `${where}: list models`, secrets });
      } finally {
        guard.dispose();
      }
    });
  }

  function installedModels(signal?: AbortSignal): Promise<string[]> {
    if (!installed) {
      const pending = listModels(signal);
      installed = pending;
      // A failed listing is not cached: the next call asks again.
      pending.catch(() => {
        if (installed === pending) installed = undefined;
      });
    }
    return installed;
  }

  async function resolveModel(model: string, signal?: AbortSignal): Promise<string> {
    const names = await installedModels(signal);
    const exact = findInstalled(names, model);
    if (exact) return exact;
    const fallback = fallbacks.map((f) => findInstalled(names, f)).find((f) => f !== undefined) ?? names[0];
    if (!fallback) {
      throw new LlmError(
        `${where} has no model installed (wanted ${model}); run \`ollama pull qwen2.5:3b\``,
        'model_not_found',
        false,
      );
    }
    if (!reported.has(model)) {
      reported.add(model);
      log.warn(`model ${model} is not installed in Ollama; using ${fallback} instead`, {
        model,
        fallback,
        hint: `ollama pull ${model}`,
      });
    }
    return fallback;
  }

  async function attempt(model: string, req: ChatRequest, onDelta?: (d: string) => void) {
    const guard = createCallGuard(req.signal, opts.timeoutMs);
    let text = '';
    let final: ChatResponse | undefined;
    let callbackError: unknown;
    let stream: AbortableAsyncIterator<ChatResponse> | undefined;
    const stop = () => stream?.abort();
    guard.signal.addEventListener('abort', stop, { once: true });
    try {
      stream = await client(guard.signal).chat({
        model,
        messages: req.messages,
        stream: true,
        ...formatOf(req.options),
        ...keepAliveOf(req.keepAlive ?? opts.keepAlive),
        options: {
          ...(req.options?.temperature === undefined ? {} : { temperature: req.options.temperature }),
          ...(req.options?.maxTokens === undefined ? {} : { num_predict: req.options.maxTokens }),
        },
      });
      guard.touch();
      for await (const chunk of stream) {
        guard.touch();
        const delta = chunk.message?.content ?? '';
        if (delta) {
          text += delta;
          try {
            onDelta?.(delta);
          } catch (err) {
            // A listener bug is not a model failure: stop the stream and rethrow it untouched.
            callbackError = err;
            stream?.abort();
            break;
          }
        }
        if (chunk.done) final = chunk;
      }
    } catch (err) {
      if (callbackError) throw callbackError;
      const mapped = toLlmError(err, guard, {
        partial: text.length > 0,
        what: `${where} (${model})`,
        secrets,
      });
      // An `{"error": …}` line inside a 200 stream is the server failing, worth another attempt.
      if (
        mapped.code === 'bad_response' &&
        mapped.status === undefined &&
        err instanceof Error &&
        err.name === 'Error'
      ) {
        throw new LlmError(mapped.message, 'server_error', true, { partial: mapped.partial });
      }
      throw mapped;
    } finally {
      guard.signal.removeEventListener('abort', stop);
      guard.dispose();
    }
    if (callbackError) throw callbackError;
    if (!final) {
      throw new LlmError(`${where} (${model}): stream ended early`, 'connection', true, {
        partial: text.length > 0,
      });
    }
    return { text, final };
  }

  return {
    name: 'ollama',
    prepare: () => installedModels(),
    resolveModel,
    async models() {
      const names = await listModels();
      installed = Promise.resolve(names);
      return names;
    },
    async chat(req, onDelta) {
      const started = Date.now();
      let model = await resolveModel(req.model, req.signal);
      for (let pass = 0; ; pass++) {
        try {
          const { text, final } = await withRetries(
            policy,
            { log, signal: req.signal, what: `${where} (${model})` },
            () => attempt(model, req, onDelta),
          );
          return {
            text,
            model,
            provider: 'ollama',
            promptTokens: count(final.prompt_eval_count, () => estimatePromptTokens(req.messages)),
            completionTokens: count(final.eval_count, () => estimateTokens(text)),
            ms: Date.now() - started,
          } satisfies ChatResult;
        } catch (err) {
          // The model vanished after we listed it (deleted, or a stale cache): list again, once.
          if (!(err instanceof LlmError) || err.code !== 'model_not_found' || pass > 0) throw err;
          installed = undefined;
          const names = await installedModels(req.signal);
          installed = Promise.resolve(names.filter((n) => n !== model));
          model = await resolveModel(req.model, req.signal);
        }
      }
    },
  };
}

// Ollama's structured outputs: a JSON schema constrains decoding, `json` only asks for an object.
function formatOf(options: ChatRequest['options']): { format?: string | object } {
  if (options?.jsonSchema) return { format: options.jsonSchema.schema };
  return options?.json ? { format: 'json' } : {};
}

// ollama-js sends a number as seconds and a string as a duration ("30m"); 0 unloads at once.
function keepAliveOf(value: string | number | undefined): { keep_alive?: string | number } {
  return value === undefined ? {} : { keep_alive: value };
}

/** `name` as Ollama lists it: a bare name means its `:latest` tag. */
function findInstalled(names: readonly string[], model: string): string | undefined {
  const want = model.includes(':') ? model : `${model}:latest`;
  return names.find((n) => n === model || n === want);
}

// Ollama omits prompt_eval_count when the whole prompt came from its cache: estimate then.
function count(value: number | undefined, estimate: () => number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : estimate();
}

function safeUserInfo(host: string): string | undefined {
  try {
    return new URL(host).password || undefined;
  } catch {
    return undefined;
  }
}
