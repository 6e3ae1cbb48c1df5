import { performance } from 'node:perf_hooks';
import { seededRng } from '../engine/debate/plan/random.ts';
import { abortableSleep } from '../engine/llm/retry.ts';
import { type ChatRequest, type ChatResult, LlmError, type LlmProvider } from '../engine/llm/types.ts';

export interface BenchLlmOptions {
  /** Wait before the first delta of every call, like a model's time to first token; default 0. */
  latencyMs?: number;
  /** Length of a reply (verdicts are JSON of their own, shorter); default 600. */
  replyChars?: number;
  /** Deltas a reply is streamed in; default 40. */
  deltas?: number;
  /** Provider name results carry, for pricing; default 'bench'. */
  provider?: string;
  /** Verdict score every evaluator gives; 8 selects the idea, so the debate runs through planning. */
  score?: number;
  /** Called on every call, inside the fake's own timed work (a memory probe goes here). */
  onCall?: () => void;
}

/** What the fake model did, so a benchmark can take its own cost out of the process's. */
export interface BenchLlmStats {
  calls: number;
  deltas: number;
  completionChars: number;
  /** Milliseconds spent composing replies and counting tokens (the fake's CPU, not the caller's). */
  selfMs: number;
}

export interface BenchLlm extends LlmProvider {
  stats(): BenchLlmStats;
  /** Changes the wait before the first delta (warm-ups run without it). */
  setLatency(ms: number): void;
}

const WORDS =
  'market users retention pricing risk pilot cohort onboarding latency budget churn moat partner launch signal ' +
  'feedback channel margin scope roadmap trust privacy adoption wedge metric habit supply demand loop story';
const POOL = WORDS.split(' ');

/**
 * A deterministic stand-in for a model: the same request gives the same ~600-character reply in
 * ~40 deltas; verdict calls get valid verdict JSON; token counts are estimated from characters.
 */
export function createBenchLlm(opts: BenchLlmOptions = {}): BenchLlm {
  let latencyMs = opts.latencyMs ?? 0;
  const replyChars = opts.replyChars ?? 600;
  const deltaCount = opts.deltas ?? 40;
  const provider = opts.provider ?? 'bench';
  const stats: BenchLlmStats = { calls: 0, deltas: 0, completionChars: 0, selfMs: 0 };

  function compose(req: ChatRequest): { text: string; pieces: string[]; promptTokens: number } {
    const m = req.metadata;
    const rng = seededRng(`${m?.personaId}|${m?.task}|${m?.turnIndex}|${m?.round}|${m?.idea}`);
    const text =
      m?.task === 'verdict'
        ? verdictJson(rng, opts.score ?? 8)
        : prose(rng, `${m?.personaId ?? 'model'}:`, replyChars);
    const size = Math.ceil(text.length / deltaCount);
    const pieces: string[] = [];
    for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
    let promptChars = 0;
    for (const message of req.messages) promptChars += message.content.length;
    return { text, pieces, promptTokens: Math.ceil(promptChars / 4) };
  }

  return {
    name: provider,
    async models() {
      return ['bench-model'];
    },
    async chat(req, onDelta): Promise<ChatResult> {
      const began = performance.now();
      const { text, pieces, promptTokens } = compose(req);
      opts.onCall?.();
      stats.selfMs += performance.now() - began;
      stats.calls++;
      if (latencyMs > 0) await abortableSleep(latencyMs, req.signal);
      for (let i = 0; i < pieces.length; i++) {
        if (req.signal?.aborted) throw new LlmError('bench: aborted', 'aborted', false, { partial: i > 0 });
        onDelta?.(pieces[i]!);
      }
      stats.deltas += pieces.length;
      stats.completionChars += text.length;
      return {
        text,
        model: req.model,
        provider,
        promptTokens,
        completionTokens: Math.ceil(text.length / 4),
        ms: latencyMs,
      };
    },
    stats: () => ({ ...stats }),
    setLatency(ms) {
      latencyMs = ms;
    },
  };
}

function prose(rng: () => number, opener: string, chars: number): string {
  const words = [opener];
  let length = opener.length;
  while (length < chars) {
    const word = POOL[Math.floor(rng() * POOL.length)]!;
    const end = rng() < 0.1 ? '.' : '';
    words.push(word + end);
    length += word.length + end.length + 1;
  }
  return `${words.join(' ').slice(0, chars - 1)}.`;
}

function verdictJson(rng: () => number, score: number): string {
  const item = () => prose(rng, 'because', 60);
  return JSON.stringify({
    score,
    strengths: [item(), item()],
    risks: [item(), item()],
    conditions: [item()],
  });
}
