import type { ClaimHold } from '../../../db/repositories/debate-leases.ts';
import { type Hold, holdAmount, type ReserveResult, release, reserve, settle } from '../../budget/index.ts';
import type { RouteHints } from '../../llm/router/types.ts';
import type { ChatMessage, ChatResult, JsonSchemaFormat } from '../../llm/types.ts';
import type { Engine } from '../engine.ts';
import type { BuiltPrompt } from '../prompts.ts';

/** One call's spending, settled in the turn's transaction (or alone when the turn is abandoned). */
export interface Usage {
  /** What the call held on the budget window; given back when the turn commits. */
  hold: Hold | null;
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export type Refusal = Extract<ReserveResult, { ok: false }>;

export type CallOutcome = { ok: true; result: ChatResult; usage: Usage } | { ok: false; refusal: Refusal };

export interface CallInput {
  debateId: string;
  /** The debate's own cap in USD, or null for none. */
  capUsd: number | null;
  model: string;
  prompt: BuiltPrompt;
  /** Replaces the prompt's messages (a re-ask adds the failed answer and a correction). */
  messages?: ChatMessage[];
  /** A stricter JSON request than the prompt's: the answer must match this schema. */
  jsonSchema?: JsonSchemaFormat;
  signal: AbortSignal;
  onDelta?: (delta: string) => void;
  /** For the LLM router: the debate, a person's turn first, the models that come next. */
  route?: RouteHints;
  /**
   * What the turn's claim already held for this call (claimTurn; null: nothing to hold), so the
   * budget is not asked again. Undefined: this call reserves its own.
   */
  held?: Hold | null | undefined;
}

/** The hold a call of `model` with `prompt` asks for, against the daily, monthly and debate limits. */
export function holdFor(
  engine: Pick<Engine, 'llm' | 'prices' | 'settings'>,
  call: { model: string; prompt: BuiltPrompt; capUsd: number | null },
): ClaimHold {
  const { llm, prices, settings } = engine;
  const { model, prompt } = call;
  return {
    amountUsd: holdAmount(prices.estimateCost(llm.name, model, prompt.messages, prompt.maxTokens)),
    dailyUsd: settings.budget.dailyUsd,
    monthlyUsd: settings.budget.monthlyUsd,
    debateUsd: call.capUsd ?? undefined,
  };
}

/**
 * Reserves the call's estimated cost against the daily, monthly and per-debate limits (unless the
 * turn's claim held it: `held`), then calls the model; a refused reservation is returned, not
 * thrown. A failed call frees its reservation.
 */
export async function callModel(
  engine: Pick<Engine, 'db' | 'llm' | 'prices' | 'clock' | 'settings'>,
  input: CallInput,
): Promise<CallOutcome> {
  const { db, llm, prices, clock, settings } = engine;
  const { prompt, model } = input;
  const messages = input.messages ?? prompt.messages;
  const reservation =
    input.held !== undefined
      ? { ok: true as const, hold: input.held }
      : await reserve(db, {
          debateId: input.debateId,
          estimateUsd: prices.estimateCost(llm.name, model, messages, prompt.maxTokens),
          limits: {
            dailyUsd: settings.budget.dailyUsd,
            monthlyUsd: settings.budget.monthlyUsd,
            debateUsd: input.capUsd ?? undefined,
          },
          now: clock.now(),
        });
  if (!reservation.ok) return { ok: false, refusal: reservation };
  try {
    const result = await llm.chat(
      {
        model,
        messages,
        options: {
          temperature: prompt.temperature,
          maxTokens: prompt.maxTokens,
          json: prompt.json,
          ...(input.jsonSchema ? { jsonSchema: input.jsonSchema } : {}),
        },
        signal: input.signal,
        metadata: prompt.metadata,
        ...(input.route ? { route: input.route } : {}),
      },
      input.onDelta,
    );
    const costUsd = prices.priceOf(
      result.provider,
      result.model,
      result.promptTokens,
      result.completionTokens,
    );
    const usage: Usage = {
      hold: reservation.hold,
      provider: result.provider,
      model: result.model,
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      costUsd,
    };
    return { ok: true, result, usage };
  } catch (error) {
    await release(db, { debateId: input.debateId, hold: reservation.hold, now: clock.now() }).catch(() => {});
    throw error;
  }
}

/** Records calls whose turn will not be committed: the tokens were spent all the same. */
export async function settleAlone(
  engine: Pick<Engine, 'db' | 'clock' | 'log'>,
  debateId: string,
  usages: readonly Usage[],
): Promise<void> {
  for (const u of usages) {
    await settle(engine.db, { ...u, debateId, now: engine.clock.now() }).catch((error) =>
      engine.log.warn('usage of an abandoned turn not recorded', { error: String(error) }),
    );
  }
}

/** Gathers streamed text into message.delta-sized pieces: per-token events would swamp the bus. */
export function deltaBuffer(minChars: number, flush: (text: string) => void) {
  let buffer = '';
  return {
    push(delta: string) {
      buffer += delta;
      if (buffer.length >= minChars || delta.includes('\n')) this.flush();
    },
    flush() {
      if (buffer.length === 0) return;
      const text = buffer;
      buffer = '';
      flush(text);
    },
  };
}
