import type { Lang, Persona } from '../../personas/types.ts';
import { seededRng } from '../debate/plan/random.ts';
import {
  composePlan,
  composeSummary,
  composeTurn,
  composeVerdict,
  type OfflineContext,
} from './offline-text.ts';
import { abortableSleep } from './retry.ts';
import { estimatePromptTokens, estimateTokens } from './tokens.ts';
import { type ChatRequest, type ChatResult, LlmError, type LlmProvider } from './types.ts';

export interface OfflineProviderOptions {
  /** The catalog; `ChatRequest.metadata.personaId` picks the speaker from it. */
  personas: readonly Persona[];
  /** Pause between streamed chunks in ms, for demos that should look typed; default 0. */
  chunkDelayMs?: number;
}

/** The label of offline output in model_used, api_usage and every view. */
export const OFFLINE_MODEL = 'offline';

/**
 * No model: composes persona-flavoured text from persona data, the reaction and the target
 * message, deterministically (the same request always gives the same text). Costs nothing.
 */
export function createOfflineProvider(opts: OfflineProviderOptions): LlmProvider {
  const byId = new Map(opts.personas.map((p) => [p.id, p]));
  const delay = opts.chunkDelayMs ?? 0;

  function compose(req: ChatRequest): string {
    const meta = req.metadata;
    const lastUser = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const lang: Lang = meta?.lang ?? (/[\uac00-\ud7a3]/.test(lastUser) ? 'ko' : 'en');
    const idea = clip(firstLine(meta?.idea ?? lastUser) || (lang === 'ko' ? '이 아이디어' : 'this idea'), 80);
    const task = meta?.task ?? (req.options?.json ? 'verdict' : 'turn');
    const seed = [
      meta?.personaId,
      task,
      meta?.turnIndex,
      meta?.round,
      meta?.reaction,
      meta?.targetText,
      idea,
    ].join('|');
    const ctx: OfflineContext = {
      persona: meta ? byId.get(meta.personaId) : undefined,
      lang,
      rng: seededRng(seed),
      idea,
      reaction: meta?.reaction ?? 'propose',
      quote: meta?.targetText ? shortPhrase(meta.targetText) : undefined,
      targetAuthor: meta?.targetAuthor,
      planSection: meta?.planSection,
      phase: meta?.phase,
    };
    switch (task) {
      case 'verdict':
        return composeVerdict(ctx);
      case 'plan':
        return composePlan(ctx);
      case 'summary':
        return composeSummary(ctx, transcriptQuotes(lastUser));
      default:
        return composeTurn(ctx);
    }
  }

  return {
    name: 'offline',
    async models() {
      return [OFFLINE_MODEL];
    },
    async chat(req, onDelta) {
      const started = Date.now();
      const text = compose(req);
      const pieces = text.match(/\S+\s*/g) ?? [text];
      for (let i = 0; i < pieces.length; i += 3) {
        if (req.signal?.aborted) throw new LlmError('offline: aborted', 'aborted', false, { partial: i > 0 });
        if (delay > 0) await abortableSleep(delay, req.signal);
        onDelta?.(pieces.slice(i, i + 3).join(''));
      }
      return {
        text,
        model: OFFLINE_MODEL,
        provider: 'offline',
        promptTokens: estimatePromptTokens(req.messages),
        completionTokens: estimateTokens(text),
        ms: Date.now() - started,
      } satisfies ChatResult;
    },
  };
}

/** A short phrase of a message to quote: its first sentence, at most ~8 words or 48 characters. */
export function shortPhrase(text: string): string {
  // Quoting a message that itself opens with a quote would nest quotes ("\"\"Let me…"): skip the
  // opening quotation and drop the marks of any other.
  const unquoted = text
    .replace(/^[^:\n]{1,40}:\s+/, '')
    .replace(/^\s*["“][^"”\n]*["”]\s*(?:[—–-]\s*)?/, '')
    .replace(/["“”]/g, '');
  const sentence = firstLine(unquoted).split(/(?<=[.!?。])\s/)[0] ?? '';
  const words = sentence
    .replace(/[.!。]+$/, '')
    .split(/\s+/)
    .filter(Boolean);
  let out = words.slice(0, 8).join(' ');
  if (out.length > 48) out = `${out.slice(0, 47).trimEnd()}…`;
  else if (words.length > 8) out += '…';
  return out;
}

/**
 * The gist of the latest transcript entries in a prompt (`[#3] Name (@handle) · type` headers, each
 * followed by its text), as `Name: "short phrase"`; plain long lines when there are no headers.
 */
function transcriptQuotes(text: string): string[] {
  const lines = text.split('\n').map((l) => l.trim());
  const quotes: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^\[#\d+\]\s+(.+?)(?:\s+\(@[^)]*\))?(?:\s+·.*)?$/.exec(lines[i]!);
    const body = lines.slice(i + 1).find((l) => l.length > 0);
    if (head && body) quotes.push(`${head[1]}: "${shortPhrase(body.replace(/^>\s*/, ''))}"`);
  }
  if (quotes.length > 0) return quotes.slice(-4);
  return lines
    .filter((l) => l.length > 20)
    .slice(-4)
    .map((l) => `"${shortPhrase(l)}"`);
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}
