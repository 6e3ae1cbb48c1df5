import type { Logger } from '../../log.ts';
import type { LlmProvider } from '../types.ts';
import { createOllamaInspector } from './ollama-inspector.ts';
import type { RateGate } from './rate-gate.ts';
import { createLlmRouter, type LlmRouter } from './router.ts';

export type { LlmRouter } from './router.ts';
export type { Admission, RouteHints, RouterSnapshot } from './types.ts';

export interface RouteOptions {
  /** LLM_CONCURRENCY: parallel calls per model; undefined for the provider's default. */
  concurrency?: number | undefined;
  /** OLLAMA_HOST, read for /api/ps and /api/tags when the provider is Ollama. */
  ollamaHost: string;
  gate?: RateGate | undefined;
  log: Logger;
}

/** Puts the router in front of the selected provider; Ollama gets model-aware ordering and keep_alive. */
export function routeProvider(provider: LlmProvider, opts: RouteOptions): LlmRouter {
  const ollama =
    provider.name === 'ollama' && 'resolveModel' in provider
      ? (provider as LlmProvider & { resolveModel(model: string, signal?: AbortSignal): Promise<string> })
      : undefined;
  return createLlmRouter({
    provider,
    concurrency: opts.concurrency,
    log: opts.log,
    ...(opts.gate ? { gate: opts.gate } : {}),
    ...(ollama
      ? { inspector: createOllamaInspector(opts.ollamaHost), resolveModel: ollama.resolveModel }
      : {}),
  });
}
