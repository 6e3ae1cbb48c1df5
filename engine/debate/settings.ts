import type { Lang } from '../../personas/types.ts';
import {
  DEFAULT_CONTEXT_TOKENS,
  DEFAULT_ROUNDS,
  LEASE_MS,
  LEASE_RENEW_MS,
  MAX_DEBATES_PER_RUNNER,
  POLL_MS,
  STEP_RETRY_DELAYS_MS,
} from '../constants.ts';

/** What a deployment decides about debates; the app builds it from config. */
export interface DebateSettings {
  /** Divergence rounds of a debate that does not ask for its own (DEBATE_ROUNDS). */
  rounds: number;
  lang: Lang;
  /** BUDGET_DAILY_USD, BUDGET_MONTHLY_USD, and the per-debate cap DEBATE_BUDGET_USD. */
  budget: { dailyUsd: number; monthlyUsd: number; debateUsd: number };
  /** Model of the neutral moderator who writes phase summaries. */
  moderatorModel: string;
  /** Context window per model name, where it is known to differ from DEFAULT_CONTEXT_TOKENS. */
  contextTokens: Readonly<Record<string, number>>;
  leaseMs: number;
  leaseRenewMs: number;
  pollMs: number;
  /** Debates this runner drives at once; more wait in its queue (MAX_DEBATES_PER_RUNNER). */
  maxDebates: number;
  /** Waits between retries of a failed step; one more failure pauses the debate. */
  retryDelaysMs: readonly number[];
}

export type DebateSettingsInput = Partial<Omit<DebateSettings, 'budget'>> & {
  budget?: Partial<DebateSettings['budget']>;
};

/** Unlimited unless configured: the app always passes the configured limits. */
const NO_LIMIT = Number.POSITIVE_INFINITY;

export function resolveSettings(input: DebateSettingsInput = {}): DebateSettings {
  return {
    rounds: input.rounds ?? DEFAULT_ROUNDS,
    lang: input.lang ?? 'en',
    budget: {
      dailyUsd: input.budget?.dailyUsd ?? NO_LIMIT,
      monthlyUsd: input.budget?.monthlyUsd ?? NO_LIMIT,
      debateUsd: input.budget?.debateUsd ?? NO_LIMIT,
    },
    moderatorModel: input.moderatorModel ?? 'qwen2.5:14b',
    contextTokens: input.contextTokens ?? {},
    leaseMs: input.leaseMs ?? LEASE_MS,
    leaseRenewMs: input.leaseRenewMs ?? LEASE_RENEW_MS,
    pollMs: input.pollMs ?? POLL_MS,
    maxDebates: input.maxDebates ?? MAX_DEBATES_PER_RUNNER,
    retryDelaysMs: input.retryDelaysMs ?? STEP_RETRY_DELAYS_MS,
  };
}

export function contextTokensOf(settings: DebateSettings, model: string): number {
  return settings.contextTokens[model] ?? DEFAULT_CONTEXT_TOKENS;
}
