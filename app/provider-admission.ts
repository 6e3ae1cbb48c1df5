import type { Clock } from '../engine/clock.ts';
import type { Admission } from '../engine/llm/router/types.ts';

// Long enough that a burst of starts (a dashboard double-click, a script) asks the provider once,
// short enough that a provider started after a refusal is believed within seconds.
const REMEMBER_MS = 3_000;

export interface ProviderAdmissionProps {
  /** Why the provider cannot run a debate now (one line saying what to do), or null when it answers. */
  problem(): Promise<string | null>;
  clock: Clock;
  /** A refusal, for the health of the `llm` component (a server shows it in /api/health and PROCESSES). */
  onProblem?(problem: string): void;
  /** How long an answer is reused; default 3 s. */
  rememberMs?: number;
}

/**
 * Whether a new debate may start as far as the model provider goes: the provider is asked (see
 * app/provider-check.ts) at most once per few seconds, and callers at the same moment share one
 * question. Composed after the router's queue check into the engine's `admit`.
 */
export function createProviderAdmission(props: ProviderAdmissionProps): () => Promise<Admission> {
  const rememberMs = props.rememberMs ?? REMEMBER_MS;
  let last: { at: number; answer: Admission } | null = null;
  let asking: Promise<Admission> | null = null;
  const ask = async (): Promise<Admission> => {
    const problem = await props.problem().catch((error: unknown) => String(error));
    if (problem === null) return { ok: true };
    props.onProblem?.(problem);
    return { ok: false, reason: 'llm_unreachable', detail: problem };
  };
  return () => {
    const now = props.clock.now().getTime();
    if (last && now - last.at < rememberMs) return Promise.resolve(last.answer);
    asking ??= ask()
      .then((answer) => {
        last = { at: props.clock.now().getTime(), answer };
        return answer;
      })
      .finally(() => {
        asking = null;
      });
    return asking;
  };
}
