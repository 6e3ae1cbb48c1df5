import type { ChatMessage } from './types.ts';

/**
 * Rough token count without a tokenizer: ~4 characters per token for Latin text, and ~1.5 per
 * token for other scripts (Hangul, CJK), where chars/4 would undercount budgets several times over.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  // By code unit, counting a surrogate pair once (as a code point): the string iterator was a
  // measurable share of a turn's CPU, since every call's whole prompt is estimated.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) ascii++;
    else if ((c & 0xfc00) !== 0xdc00) other++;
  }
  return Math.ceil(ascii / 4 + other / 1.5);
}

/** Estimated prompt tokens of a chat, with a few tokens of per-message framing. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const m of messages) total += estimateTokens(m.content) + 4;
  return total;
}
