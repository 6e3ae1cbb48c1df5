import { z } from 'zod';
import type { Logger } from '../log.ts';
import { LlmSettingError } from './setting-error.ts';
import { estimatePromptTokens } from './tokens.ts';
import type { ChatMessage } from './types.ts';

/** USD per million tokens. */
export interface Price {
  inputPerM: number;
  outputPerM: number;
}

/**
 * Built-in prices, keyed `provider:model` (`*` = any model of that provider). Local models cost 0
 * but still count tokens; list prices of a few hosted models as of 2025.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  'ollama:*': { inputPerM: 0, outputPerM: 0 },
  'offline:*': { inputPerM: 0, outputPerM: 0 },
  'openai:gpt-4o-mini': { inputPerM: 0.15, outputPerM: 0.6 },
  'openai:gpt-4o': { inputPerM: 2.5, outputPerM: 10 },
  'openai:gpt-4.1': { inputPerM: 2, outputPerM: 8 },
  'openai:gpt-4.1-mini': { inputPerM: 0.4, outputPerM: 1.6 },
  'openai:gpt-4.1-nano': { inputPerM: 0.1, outputPerM: 0.4 },
  'openai:o4-mini': { inputPerM: 1.1, outputPerM: 4.4 },
};

/**
 * What a model with no known price costs: deliberately that of a large hosted model, so an
 * unpriced remote model cannot silently run up a bill. Self-hosted OpenAI-compatible servers
 * should say `openai:*=0/0` in LLM_PRICES.
 */
export const UNKNOWN_PRICE: Price = { inputPerM: 2.5, outputPerM: 10 };

const amount = z.coerce
  .number<string>({ error: 'expected a number' })
  .refine((n) => Number.isFinite(n) && n >= 0, 'expected a non-negative number of USD per million tokens');

const entrySchema = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9_.-]+:[^=,\s]+=[^=,/\s]+\/[^=,/\s]+$/,
    'expected provider:model=input/output, e.g. openai:gpt-4o-mini=0.15/0.60',
  )
  .transform((s) => {
    const eq = s.lastIndexOf('=');
    const [input, output] = s.slice(eq + 1).split('/');
    return { key: s.slice(0, eq), input: input ?? '', output: output ?? '' };
  })
  .pipe(z.object({ key: z.string(), input: amount, output: amount }));

/**
 * Parses LLM_PRICES (`provider:model=in/out,...`, USD per million tokens, `*` for any model);
 * throws LlmSettingError naming LLM_PRICES and the bad entry.
 */
export function parsePriceOverrides(text: string | undefined): Record<string, Price> {
  const out: Record<string, Price> = {};
  if (!text?.trim()) return out;
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const parsed = entrySchema.safeParse(part);
    if (!parsed.success) {
      throw new LlmSettingError('LLM_PRICES', `"${part.trim()}": ${parsed.error.issues[0]!.message}`);
    }
    out[parsed.data.key] = { inputPerM: parsed.data.input, outputPerM: parsed.data.output };
  }
  return out;
}

/** Prices every call; built once at start from the defaults and LLM_PRICES. */
export interface PriceTable {
  /** The rate for a model; `known: false` when no entry matched and UNKNOWN_PRICE applies. */
  rateOf(provider: string, model: string): Price & { known: boolean };
  /** Cost in USD of a finished call, rounded to the micro-dollar the database keeps. */
  priceOf(provider: string, model: string, promptTokens: number, completionTokens: number): number;
  /** Upper estimate for a reservation: prompt ≈ its characters, completion = maxTokens; rounded up. */
  estimateCost(provider: string, model: string, messages: readonly ChatMessage[], maxTokens: number): number;
}

export function createPriceTable(opts: { overrides?: string | undefined; log?: Logger } = {}): PriceTable {
  const table = new Map(Object.entries({ ...DEFAULT_PRICES, ...parsePriceOverrides(opts.overrides) }));
  const warned = new Set<string>();

  function rateOf(provider: string, model: string): Price & { known: boolean } {
    const exact = table.get(`${provider}:${model}`);
    if (exact) return { ...exact, known: true };
    // Dated aliases (gpt-4o-mini-2024-07-18) and tags (qwen2.5:14b-instruct) price as their base.
    let best: { len: number; price: Price } | undefined;
    for (const [key, price] of table) {
      const m = key.slice(provider.length + 1);
      if (!key.startsWith(`${provider}:`) || m === '*' || !model.startsWith(m)) continue;
      if (!/^[-:]/.test(model.slice(m.length))) continue;
      if (!best || m.length > best.len) best = { len: m.length, price };
    }
    if (best) return { ...best.price, known: true };
    const any = table.get(`${provider}:*`);
    if (any) return { ...any, known: true };
    return { ...UNKNOWN_PRICE, known: false };
  }

  return {
    rateOf,
    priceOf(provider, model, promptTokens, completionTokens) {
      const rate = rateOf(provider, model);
      if (!rate.known && !warned.has(`${provider}:${model}`)) {
        warned.add(`${provider}:${model}`);
        opts.log?.warn(`no price for ${provider}:${model}; counted at the fallback rate — set LLM_PRICES`, {
          inputPerM: rate.inputPerM,
          outputPerM: rate.outputPerM,
        });
      }
      return micro((promptTokens * rate.inputPerM + completionTokens * rate.outputPerM) / 1e6, Math.round);
    },
    estimateCost(provider, model, messages, maxTokens) {
      const rate = rateOf(provider, model);
      const usd = (estimatePromptTokens(messages) * rate.inputPerM + maxTokens * rate.outputPerM) / 1e6;
      return micro(usd, Math.ceil);
    },
  };
}

// numeric(14, 6) keeps micro-dollars: round where the database would, so sums match exactly.
function micro(usd: number, round: (n: number) => number): number {
  return round(Number((usd * 1e6).toFixed(3))) / 1e6;
}
