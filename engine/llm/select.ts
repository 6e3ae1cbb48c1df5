import type { Persona } from '../../personas/types.ts';
import type { Logger } from '../log.ts';
import { scrub } from './errors.ts';
import { createOfflineProvider } from './offline.ts';
import { createOllamaProvider } from './ollama.ts';
import { createOpenAiProvider } from './openai.ts';
import type { RetryPolicy } from './retry.ts';
import type { RateGate } from './router/rate-gate.ts';
import { LlmSettingError } from './setting-error.ts';
import type { LlmProvider } from './types.ts';

export type ProviderMode = 'auto' | 'ollama' | 'openai' | 'offline';

export interface SelectProviderOptions {
  /** LLM_PROVIDER. */
  mode: ProviderMode;
  /** OLLAMA_HOST. */
  ollamaHost: string;
  openai?: { baseUrl: string; apiKey?: string | undefined; modelMap?: string | undefined } | undefined;
  personas: readonly Persona[];
  log: Logger;
  /** OFFLINE_TURN_DELAY_MS: how long an offline call streams; default 0. */
  offlineTurnDelayMs?: number;
  /** LLM_TIMEOUT_MS; default 120 s. */
  timeoutMs?: number;
  /** Installed Ollama models, or null when nothing answers; default: GET /api/tags within 1.5 s. */
  probe?: (host: string) => Promise<string[] | null>;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** The rate gate the OpenAI-compatible provider shares with the router. */
  gate?: RateGate;
}

export interface SelectedProvider {
  provider: LlmProvider;
  /** One line for the app to print at start, saying which provider runs and why. */
  description: string;
}

export const OFFLINE_NOTICE =
  'offline — no model found; install Ollama and `ollama pull qwen2.5:3b` for real debates';

const PROBE_TIMEOUT_MS = 1_500;

/**
 * Builds the provider LLM_PROVIDER asks for; `auto` uses the OpenAI-compatible API when
 * OPENAI_BASE_URL is set, else Ollama when it answers, offline otherwise.
 */
export async function selectProvider(opts: SelectProviderOptions): Promise<SelectedProvider> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const fetchImpl = opts.fetch ?? fetch;
  const probe = opts.probe ?? ((host: string) => probeOllama(host, fetchImpl));
  const host = scrub(opts.ollamaHost);
  const ollama = () =>
    createOllamaProvider({
      host: opts.ollamaHost,
      timeoutMs,
      log: opts.log.child('ollama'),
      fetch: fetchImpl,
      ...(opts.retry ? { retry: opts.retry } : {}),
    });
  const offline = () =>
    createOfflineProvider({ personas: opts.personas, turnDelayMs: opts.offlineTurnDelayMs ?? 0 });

  const openai = () => {
    // A usage problem (exit 2), named after the setting that fixes it.
    if (!opts.openai)
      throw new LlmSettingError('OPENAI_BASE_URL', 'required for the openai provider (the API base URL)');
    return createOpenAiProvider({
      baseUrl: opts.openai.baseUrl,
      apiKey: opts.openai.apiKey,
      modelMap: opts.openai.modelMap,
      timeoutMs,
      log: opts.log.child('openai'),
      fetch: fetchImpl,
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.gate ? { gate: opts.gate } : {}),
    });
  };
  const openaiDescription = (why: string) =>
    `openai-compatible at ${scrub(opts.openai?.baseUrl ?? '', [opts.openai?.apiKey])}${why}`;

  switch (opts.mode) {
    case 'offline':
      return {
        provider: offline(),
        description: 'offline — persona text without a model (LLM_PROVIDER=offline)',
      };
    case 'openai':
      return { provider: openai(), description: openaiDescription('') };
    case 'ollama': {
      const models = await probe(opts.ollamaHost);
      const state = models === null ? 'not answering yet' : describeModels(models);
      return { provider: ollama(), description: `ollama at ${host} (${state})` };
    }
    default: {
      // OPENAI_BASE_URL set: the operator chose that API; auto does not fall back to a local probe.
      if (opts.openai)
        return { provider: openai(), description: openaiDescription(' (OPENAI_BASE_URL is set)') };
      const models = await probe(opts.ollamaHost);
      if (models === null) return { provider: offline(), description: OFFLINE_NOTICE };
      if (models.length === 0) {
        return {
          provider: offline(),
          description: `offline — Ollama at ${host} has no model; \`ollama pull qwen2.5:3b\` for real debates`,
        };
      }
      return { provider: ollama(), description: `ollama at ${host} (${describeModels(models)})` };
    }
  }
}

/** Installed model names when Ollama answers /api/tags in time; null when it does not. */
export async function probeOllama(host: string, fetchImpl: typeof fetch = fetch): Promise<string[] | null> {
  try {
    const res = await fetchImpl(`${host.replace(/\/+$/, '')}/api/tags`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    if (!res.ok) return null;
    const body = (await res.json()) as { models?: Array<{ name?: unknown }> };
    if (!Array.isArray(body.models)) return null;
    return body.models.map((m) => m.name).filter((n): n is string => typeof n === 'string');
  } catch {
    return null;
  }
}

function describeModels(models: readonly string[]): string {
  if (models.length === 0) return 'no model installed';
  const shown = models.slice(0, 5).join(', ');
  return `${models.length} model${models.length === 1 ? '' : 's'}: ${shown}${models.length > 5 ? ', …' : ''}`;
}
