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
import { type ChatRequest, type ChatResult, LlmError, type LlmProvider } from './types.ts';

export interface OfflineProviderOptions {
  /** The catalog; `ChatRequest.metadata.personaId` picks the speaker from it. */
  personas: readonly Persona[];
  /** Pause between streamed chunks in ms, for demos that should look typed; default 0. */
  chunkDelayMs?: number;
  /**
   * How long one whole call streams, spread over its chunks (OFFLINE_TURN_DELAY_MS), so a debate
   * can be watched live without a model; default 0 (as fast as possible).
   */
  turnDelayMs?: number;
  /** How a pause is waited out; default a real, abortable sleep (tests record the pacing instead). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The label of offline output in model_used, api_usage and every view. */
export const OFFLINE_MODEL = 'offline';

/**
 * No model: composes persona-flavoured text from persona data, the reaction and the target
 * message, deterministically (the same request always gives the same text). Costs nothing and
 * counts no tokens: no model read or wrote any, so nothing is charged to the budget.
 */
export function createOfflineProvider(opts: OfflineProviderOptions): LlmProvider {
  const byId = new Map(opts.personas.map((p) => [p.id, p]));
  const delay = opts.chunkDelayMs ?? 0;
  const sleep = opts.sleep ?? abortableSleep;

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
      const chunks = Math.ceil(pieces.length / 3);
      const pause = Math.max(delay, chunks > 0 ? (opts.turnDelayMs ?? 0) / chunks : 0);
      for (let i = 0; i < pieces.length; i += 3) {
        if (req.signal?.aborted) throw new LlmError('offline: aborted', 'aborted', false, { partial: i > 0 });
        if (pause > 0) await sleep(pause, req.signal);
        onDelta?.(pieces.slice(i, i + 3).join(''));
      }
      return {
        text,
        model: OFFLINE_MODEL,
        provider: 'offline',
        promptTokens: 0,
        completionTokens: 0,
        ms: Date.now() - started,
      } satisfies ChatResult;
    },
  };
}

// Sentences that frame a turn rather than say something (the offline composer's own openers).
const FRAME =
  /^(As an? |From the |Here is where |Let me |I back |Good question|To answer )|관점에서 봅니다|시각, 특히/;

/**
 * A short phrase of a message to quote: its first sentence that says something (at most ~8 words or
 * 48 characters), never a sentence that itself quotes someone, so quotes never nest.
 */
export function shortPhrase(text: string): string {
  const body = firstLine(text.replace(/^[^:\n"“]{1,40}:\s+/, ''));
  const sentences = body.split(/(?<=[.!?。:—])\s+/).filter((s) => s.trim().length > 0);
  const plain = (s: string) => !/["“”]/.test(s);
  const sentence =
    sentences.find((s) => plain(s) && !FRAME.test(s) && !/[:—]$/.test(s)) ??
    sentences.find(plain) ??
    (sentences[0] ?? '').replace(/["“][^"”]*["”]\s*(?:[—–-]\s*)?/g, '');
  const words = sentence
    .replace(/["“”]/g, '')
    .replace(/[.!。:—]+$/, '')
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
