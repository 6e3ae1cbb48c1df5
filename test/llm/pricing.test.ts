import { describe, expect, it } from 'vitest';
import { createPriceTable, parsePriceOverrides, UNKNOWN_PRICE } from '../../engine/llm/pricing.ts';
import { LlmSettingError } from '../../engine/llm/setting-error.ts';
import { estimateTokens } from '../../engine/llm/tokens.ts';
import type { Logger } from '../../engine/log.ts';

describe('price table', () => {
  it('parses an LLM_PRICES override string, models with colons included', () => {
    expect(
      parsePriceOverrides('openai:gpt-4o-mini=0.15/0.60, ollama:*=0/0,ollama:qwen2.5:14b=0.02/0.05'),
    ).toEqual({
      'openai:gpt-4o-mini': { inputPerM: 0.15, outputPerM: 0.6 },
      'ollama:*': { inputPerM: 0, outputPerM: 0 },
      'ollama:qwen2.5:14b': { inputPerM: 0.02, outputPerM: 0.05 },
    });
    expect(parsePriceOverrides('')).toEqual({});
    expect(parsePriceOverrides(undefined)).toEqual({});
  });

  it.each([
    [
      'openai:gpt-4o-mini=0.15',
      /LLM_PRICES: "openai:gpt-4o-mini=0.15": expected provider:model=input\/output/,
    ],
    ['gpt-4o-mini=1/2', /LLM_PRICES: "gpt-4o-mini=1\/2"/],
    ['openai:x=abc/1', /LLM_PRICES: "openai:x=abc\/1": expected a number/],
    ['openai:x=-1/1', /LLM_PRICES: .*non-negative/],
  ])('rejects %s with an error naming LLM_PRICES', (text, message) => {
    const thrown = (() => {
      try {
        parsePriceOverrides(text);
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(LlmSettingError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as LlmSettingError).setting).toBe('LLM_PRICES');
  });

  it('prices calls per million tokens, overrides first, local models free', () => {
    const t = createPriceTable({ overrides: 'openai:gpt-4o-mini=1/2,ollama:qwen2.5:14b=0.5/0.5' });
    expect(t.priceOf('openai', 'gpt-4o-mini', 1_000_000, 500_000)).toBe(2);
    expect(t.priceOf('openai', 'gpt-4o-mini-2024-07-18', 1000, 1000)).toBe(0.003);
    expect(t.priceOf('openai', 'gpt-4o', 1000, 1000)).toBe(0.0125);
    expect(t.priceOf('ollama', 'qwen2.5:14b', 2_000_000, 0)).toBe(1);
    expect(t.priceOf('ollama', 'llama3.2:3b', 2_000_000, 2_000_000)).toBe(0);
    expect(t.priceOf('offline', 'offline', 5000, 5000)).toBe(0);
  });

  it('rounds to micro-dollars and warns once about an unknown model at the fallback rate', () => {
    const warnings: string[] = [];
    const log = { warn: (m: string) => warnings.push(m) } as unknown as Logger;
    const t = createPriceTable({ log });
    expect(t.rateOf('vllm', 'mystery')).toEqual({ ...UNKNOWN_PRICE, known: false });
    expect(t.priceOf('vllm', 'mystery', 1, 0)).toBe(0.000003);
    t.priceOf('vllm', 'mystery', 10, 10);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('LLM_PRICES');
  });

  it('estimates a reservation from prompt characters and maxTokens, rounded up', () => {
    const t = createPriceTable({ overrides: 'openai:m=1/3' });
    const messages = [{ role: 'user' as const, content: 'x'.repeat(400) }];
    // 100 tokens of text + 4 framing at $1/M, 200 completion at $3/M
    expect(t.estimateCost('openai', 'm', messages, 200)).toBe(0.000704);
    expect(t.estimateCost('ollama', 'qwen2.5:3b', messages, 200)).toBe(0);
    expect(estimateTokens('abcd'.repeat(10))).toBe(10);
    expect(estimateTokens('가나다')).toBe(2);
    // A character outside the BMP (two UTF-16 code units) counts once, like any other non-ASCII one.
    expect(estimateTokens('😀😀😀')).toBe(2);
    expect(estimateTokens('ab😀가')).toBe(Math.ceil(2 / 4 + 2 / 1.5));
  });
});
