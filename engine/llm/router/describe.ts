import type { RouterSnapshot } from './types.ts';

/** One line for the PROCESSES panel's "LLM router" row: loaded models, queue per model, in flight, loads. */
export function describeRouter(s: RouterSnapshot): string {
  const parts = [s.provider];
  if (s.loadedModels.length > 0) parts.push(`loaded ${s.loadedModels.map((m) => m.model).join(', ')}`);
  const queued = Object.entries(s.queued)
    .sort((a, b) => b[1] - a[1])
    .map(([model, n]) => `${model} ${n}`);
  parts.push(queued.length > 0 ? `queued ${queued.join(', ')}` : 'queue empty');
  parts.push(`${s.inFlight} in flight`);
  parts.push(`${s.modelLoads} model load${s.modelLoads === 1 ? '' : 's'}`);
  if (s.rateLimitedUntil) parts.push(`rate-limited until ${s.rateLimitedUntil.slice(11, 19)}`);
  return parts.join(' · ');
}
