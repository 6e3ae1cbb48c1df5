/** Spending limits in USD checked before every LLM call. */
export interface BudgetLimits {
  /** BUDGET_DAILY_USD, per UTC day. */
  dailyUsd: number;
  /** BUDGET_MONTHLY_USD, per UTC month. */
  monthlyUsd: number;
  /** Per-debate cap (DEBATE_BUDGET_USD or the debate's own); omit for calls outside a debate. */
  debateUsd?: number | undefined;
}

export interface ReserveInput {
  /** The debate the call belongs to; null for calls outside any debate. */
  debateId: string | null;
  /** Upper estimate of the call's cost (PriceTable.estimateCost). */
  estimateUsd: number;
  limits: BudgetLimits;
  now: Date;
}

export type BudgetWindowName = 'day' | 'month' | 'debate';

/** Money held on the budget window for one call in flight, and the UTC day it was held. */
export interface Hold {
  amountUsd: number;
  day: string;
}

/** `hold` is null when the estimate is 0 (a free model): nothing is held, nothing to give back. */
export type ReserveResult =
  | { ok: true; hold: Hold | null }
  | {
      ok: false;
      reason: 'budget';
      window: BudgetWindowName;
      /** Spent plus held by other calls in that window, before this call. */
      spentUsd: number;
      limitUsd: number;
      estimateUsd: number;
    };

export interface SettleInput {
  /** From reserve(); null when nothing was held. */
  hold: Hold | null;
  debateId: string | null;
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** The real cost (PriceTable.priceOf). */
  costUsd: number;
  now: Date;
}
