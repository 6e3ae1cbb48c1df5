import { INSPECT_TIMEOUT_MS } from './constants.ts';
import type { LoadedModelInfo, ModelInspector } from './types.ts';

/** Reads Ollama's loaded models (GET /api/ps) and model sizes (GET /api/tags); null when it does not answer. */
export function createOllamaInspector(host: string, fetchImpl: typeof fetch = fetch): ModelInspector {
  const base = host.replace(/\/+$/, '');
  async function get(
    path: string,
  ): Promise<Array<{ name?: unknown; size?: unknown; size_vram?: unknown }> | null> {
    try {
      const res = await fetchImpl(`${base}${path}`, { signal: AbortSignal.timeout(INSPECT_TIMEOUT_MS) });
      if (!res.ok) return null;
      const body = (await res.json()) as { models?: unknown };
      return Array.isArray(body.models) ? body.models : null;
    } catch {
      return null;
    }
  }
  return {
    async loaded() {
      const models = await get('/api/ps');
      if (!models) return null;
      return models.flatMap((m): LoadedModelInfo[] =>
        typeof m.name === 'string'
          ? [{ model: m.name, sizeBytes: Number(m.size_vram ?? m.size ?? 0) || 0 }]
          : [],
      );
    },
    async sizes() {
      const models = await get('/api/tags');
      if (!models) return null;
      return new Map(
        models.flatMap(
          (m): Array<[string, number]> =>
            typeof m.name === 'string' && typeof m.size === 'number' ? [[m.name, m.size]] : [],
        ),
      );
    },
  };
}
