import { z } from 'zod';
import type { Logger } from '../log.ts';
import { createCallGuard, guardedFetch } from './call-guard.ts';
import { httpError, scrub, toLlmError } from './errors.ts';
import { mapModel, parseModelMap } from './model-map.ts';
import { type RetryPolicy, retryPolicy, withRetries } from './retry.ts';
import { createRateGate, type RateGate, retryAfterMs } from './router/rate-gate.ts';
import { readSseData } from './sse.ts';
import { estimatePromptTokens, estimateTokens } from './tokens.ts';
import { type ChatRequest, type ChatResult, LlmError, type LlmProvider } from './types.ts';

export interface OpenAiProviderOptions {
  /** OPENAI_BASE_URL, e.g. https://api.openai.com/v1 or http://127.0.0.1:8000 (then /v1 is added). */
  baseUrl: string;
  /** OPENAI_API_KEY; sent as a Bearer token, never logged. */
  apiKey?: string | undefined;
  /** OPENAI_MODEL_MAP text (`persona-model=remote-model,...`) or an already parsed map. */
  modelMap?: string | Record<string, string> | undefined;
  /** Longest silence from the server (before the first byte or between two chunks) before 'timeout'. */
  timeoutMs: number;
  log: Logger;
  retries?: number;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  /** Provider label in results, prices and api_usage; default 'openai'. */
  name?: string;
  /** Holds every call after a 429 until the time the API gave; default: one gate for this provider. */
  gate?: RateGate;
}

const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).partial().nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
    })
    .nullish(),
  error: z.object({ message: z.string() }).partial().nullish(),
});

const modelsSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

/** An OpenAI-compatible chat-completions provider (OpenAI, vLLM, llama.cpp server, LM Studio, …). */
export function createOpenAiProvider(opts: OpenAiProviderOptions): LlmProvider {
  const label = opts.name ?? 'openai';
  const base = apiBase(opts.baseUrl);
  const map =
    typeof opts.modelMap === 'string' || opts.modelMap === undefined
      ? parseModelMap(opts.modelMap)
      : opts.modelMap;
  const fetchImpl = opts.fetch ?? fetch;
  const gate = opts.gate ?? createRateGate();
  const policy = retryPolicy({
    ...opts.retry,
    ...(opts.retries === undefined ? {} : { retries: opts.retries }),
  });
  const secrets = [opts.apiKey];
  const where = `${label} at ${scrub(base, secrets)}`;
  const headers = (json: boolean): Record<string, string> => ({
    ...(json ? { 'content-type': 'application/json' } : {}),
    accept: json ? 'text/event-stream' : 'application/json',
    ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
  });

  async function failure(res: Response, what: string): Promise<LlmError> {
    const body = await res.text().catch(() => '');
    let detail = body.slice(0, 500);
    try {
      const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
      const msg = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
      if (typeof msg === 'string') detail = msg;
    } catch {
      // not JSON: keep the text
    }
    const wait = res.status === 429 ? retryAfterMs(res.headers, Date.now()) : undefined;
    // Slow the whole provider down, not just this call: every call waits at the gate.
    if (res.status === 429) gate.block(wait ?? policy.baseDelayMs * 4);
    return httpError(
      res.status,
      scrub(`${what} answered ${res.status}: ${detail || res.statusText}`, secrets),
      false,
      wait,
    );
  }

  async function attempt(remote: string, req: ChatRequest, onDelta?: (d: string) => void) {
    await gate.wait(req.signal);
    const guard = createCallGuard(req.signal, opts.timeoutMs);
    const what = `${where} (${remote})`;
    let text = '';
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    let callbackError: unknown;
    try {
      const res = await guardedFetch(fetchImpl, guard.signal)(`${base}/chat/completions`, {
        method: 'POST',
        headers: headers(true),
        body: JSON.stringify({
          model: remote,
          messages: req.messages,
          stream: true,
          stream_options: { include_usage: true },
          ...(req.options?.temperature === undefined ? {} : { temperature: req.options.temperature }),
          ...(req.options?.maxTokens === undefined ? {} : { max_tokens: req.options.maxTokens }),
          ...responseFormatOf(req.options),
        }),
      });
      guard.touch();
      if (!res.ok) throw await failure(res, what);
      if (!res.body) throw new LlmError(`${what}: empty body`, 'bad_response', false);
      let finished = false;
      for await (const data of readSseData(res.body)) {
        guard.touch();
        if (data.trim() === '[DONE]') {
          finished = true;
          break;
        }
        const parsed = chunkSchema.safeParse(safeJson(data));
        if (!parsed.success) {
          throw new LlmError(`${what}: unexpected stream chunk`, 'bad_response', false, {
            partial: text.length > 0,
          });
        }
        const chunk = parsed.data;
        if (chunk.error) {
          throw new LlmError(
            scrub(`${what}: ${chunk.error.message ?? 'error in stream'}`, secrets),
            'server_error',
            true,
            {
              partial: text.length > 0,
            },
          );
        }
        if (chunk.usage) usage = chunk.usage;
        const delta = chunk.choices?.[0]?.delta?.content ?? '';
        if (delta) {
          text += delta;
          try {
            onDelta?.(delta);
          } catch (err) {
            callbackError = err;
            break;
          }
        }
      }
      if (callbackError) throw callbackError;
      if (!finished)
        throw new LlmError(`${what}: stream ended before [DONE]`, 'connection', true, {
          partial: text.length > 0,
        });
    } catch (err) {
      if (callbackError) throw callbackError;
      throw toLlmError(err, guard, { partial: text.length > 0, what, secrets });
    } finally {
      guard.dispose();
    }
    return { text, usage };
  }

  return {
    name: label,
    async models() {
      const guard = createCallGuard(undefined, opts.timeoutMs);
      try {
        const res = await guardedFetch(fetchImpl, guard.signal)(`${base}/models`, {
          headers: headers(false),
        });
        if (!res.ok) throw await failure(res, where);
        const parsed = modelsSchema.safeParse(await res.json());
        if (!parsed.success) throw new LlmError(`${where}: unexpected /models answer`, 'bad_response', false);
        return parsed.data.data.map((m) => m.id);
      } catch (err) {
        throw toLlmError(err, guard, { partial: false, what: where, secrets });
      } finally {
        guard.dispose();
      }
    },
    async chat(req, onDelta) {
      const started = Date.now();
      const remote = mapModel(map, req.model);
      const run = (r: ChatRequest) =>
        withRetries(policy, { log: opts.log, signal: req.signal, what: `${where} (${remote})` }, () =>
          attempt(remote, r, onDelta),
        );
      const { text, usage } = await run(req).catch((err: unknown) => {
        // A server without structured outputs refuses json_schema (400): ask in plain JSON mode.
        if (!(err instanceof LlmError) || err.status !== 400 || !req.options?.jsonSchema) throw err;
        opts.log.debug('server refused response_format json_schema; using json_object', { model: remote });
        const { jsonSchema: _, ...plain } = req.options;
        return run({ ...req, options: { ...plain, json: true } });
      });
      if (!usage) opts.log.debug('server sent no usage; token counts are estimated', { model: remote });
      return {
        text,
        // The name we asked for, not the server's dated alias: it is what prices and usage key on.
        model: remote,
        provider: label,
        promptTokens: usage?.prompt_tokens ?? estimatePromptTokens(req.messages),
        completionTokens: usage?.completion_tokens ?? estimateTokens(text),
        ms: Date.now() - started,
      } satisfies ChatResult;
    },
  };
}

/** `response_format`: a strict JSON schema when one is given, else JSON-object mode when asked. */
function responseFormatOf(options: ChatRequest['options']): { response_format?: Record<string, unknown> } {
  const schema = options?.jsonSchema;
  if (schema) {
    return {
      response_format: {
        type: 'json_schema',
        json_schema: { name: schema.name, schema: schema.schema, strict: true },
      },
    };
  }
  return options?.json ? { response_format: { type: 'json_object' } } : {};
}

/** The API root: the URL as given when it has a path (…/v1), else with /v1 added. */
function apiBase(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path === '' ? '/v1' : path;
  return url.toString().replace(/\/+$/, '');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
