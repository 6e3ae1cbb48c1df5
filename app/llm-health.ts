import { LlmError, type LlmProvider } from '../engine/llm/types.ts';

type WithResolve = LlmProvider & { resolveModel?: (model: string, signal?: AbortSignal) => Promise<string> };

/**
 * Reports each call's outcome: a provider that cannot be reached, times out or answers with errors
 * is a failing component; the next successful call is its recovery. Cancelled calls say nothing.
 * Whatever else the provider offers (Ollama's resolveModel, which the router calls) is kept.
 */
export function reportLlmHealth<P extends LlmProvider>(
  provider: P,
  report: { failed(error: string): void; ok(): void },
): P {
  const track = async <T>(work: () => Promise<T>, signal?: AbortSignal, okCounts = true): Promise<T> => {
    try {
      const result = await work();
      if (okCounts) report.ok();
      return result;
    } catch (error) {
      const aborted =
        signal?.aborted ||
        (error instanceof LlmError && error.code === 'aborted') ||
        (error instanceof Error && error.name === 'AbortError');
      if (!aborted) report.failed(error instanceof Error ? error.message : String(error));
      throw error;
    }
  };
  const wrapped = Object.create(provider) as WithResolve;
  wrapped.chat = (request, onDelta) => track(() => provider.chat(request, onDelta), request.signal);
  const resolve = (provider as WithResolve).resolveModel;
  // A resolved model may come from a cache, so only its failures say something about the server.
  if (resolve) wrapped.resolveModel = (model, signal) => track(() => resolve(model, signal), signal, false);
  return wrapped as P;
}
