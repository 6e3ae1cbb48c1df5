import type { ChatMetadata, ChatRequest, ChatResult, LlmProvider } from '../../engine/llm/types.ts';
import { LlmError } from '../../engine/llm/types.ts';

/** What a scripted answer may be: text, text with token counts, or a failure to throw. */
export type FakeReply =
  | string
  | { text: string; promptTokens?: number; completionTokens?: number; model?: string }
  | Error;

export interface FakeLlmOptions {
  /** Scripted answer per call; undefined falls back to the default. `n` counts calls from 0. */
  respond?: (req: ChatRequest, n: number) => FakeReply | undefined | Promise<FakeReply | undefined>;
  /** Verdict score of the default answer: one for all, or per evaluator id (others get 8). */
  scores?: number | Record<string, number>;
  /** Provider name results carry (priced as such); default 'fake'. */
  provider?: string;
}

export interface FakeLlmCall {
  request: ChatRequest;
  meta: ChatMetadata | undefined;
}

/** Holds calls until the test lets them go, to act while a turn is in flight. */
export interface Hold {
  /** Resolves with each held request as it arrives. */
  next(): Promise<ChatRequest>;
  release(): void;
}

export interface FakeLlm extends LlmProvider {
  calls: FakeLlmCall[];
  /** Calls made so far, optionally of one task and/or persona. */
  count(filter?: { task?: ChatMetadata['task']; personaId?: string }): number;
  /**
   * From now on, every call waits until `release()`; with `after`, the next `after` calls go through
   * first (set the hold before starting a debate, so an instant fake cannot race past the moment).
   */
  hold(opts?: { after?: number }): Hold;
}

/**
 * A deterministic LlmProvider for engine tests: the same request gives the same answer; turns say
 * who spoke with which reaction; verdicts are valid JSON with a configurable score; answers stream
 * in word chunks and honour the abort signal.
 */
export function createFakeLlm(opts: FakeLlmOptions = {}): FakeLlm {
  const calls: FakeLlmCall[] = [];
  let gate:
    | {
        promise: Promise<void>;
        open(): void;
        waiting: Array<(r: ChatRequest) => void>;
        queue: ChatRequest[];
        pass: number;
      }
    | undefined;

  function defaultReply(req: ChatRequest): string {
    const m = req.metadata;
    if (m?.task === 'verdict') {
      const s = opts.scores;
      const score = typeof s === 'number' ? s : (s?.[m.personaId] ?? 8);
      return JSON.stringify({
        score,
        strengths: [`${m.personaId} likes it`],
        risks: [`${m.personaId} risk`],
        conditions: ['pilot first'],
      });
    }
    const what =
      m?.task === 'turn' ? m.reaction : m?.task === 'plan' ? `plan ${m.planSection}` : (m?.task ?? 'reply');
    return `${m?.personaId ?? 'someone'} ${what} at #${m?.turnIndex ?? '?'} on ${m?.idea ?? 'the idea'}.`;
  }

  return {
    name: opts.provider ?? 'fake',
    calls,
    count(filter = {}) {
      return calls.filter(
        (c) =>
          (!filter.task || c.meta?.task === filter.task) &&
          (!filter.personaId || c.meta?.personaId === filter.personaId),
      ).length;
    },
    hold(holdOpts) {
      let open!: () => void;
      const promise = new Promise<void>((r) => {
        open = r;
      });
      const g = {
        promise,
        open,
        waiting: [] as Array<(r: ChatRequest) => void>,
        queue: [] as ChatRequest[],
        pass: holdOpts?.after ?? 0,
      };
      gate = g;
      return {
        next: () =>
          g.queue.length > 0 ? Promise.resolve(g.queue.shift()!) : new Promise((r) => g.waiting.push(r)),
        release() {
          if (gate === g) gate = undefined;
          g.open();
        },
      };
    },
    async models() {
      return ['fake-model'];
    },
    async chat(req, onDelta): Promise<ChatResult> {
      const n = calls.length;
      calls.push({ request: req, meta: req.metadata });
      const g = gate;
      if (g && g.pass > 0) g.pass--;
      else if (g) {
        const waiter = g.waiting.shift();
        if (waiter) waiter(req);
        else g.queue.push(req);
        await Promise.race([g.promise, aborted(req.signal)]);
      }
      if (req.signal?.aborted) throw new LlmError('fake: aborted', 'aborted', false);
      const scripted = (await opts.respond?.(req, n)) ?? defaultReply(req);
      if (scripted instanceof Error) throw scripted;
      const reply = typeof scripted === 'string' ? { text: scripted } : scripted;
      for (const piece of reply.text.match(/\S+\s*/g) ?? []) {
        if (req.signal?.aborted) throw new LlmError('fake: aborted', 'aborted', false, { partial: true });
        onDelta?.(piece);
      }
      const promptChars = req.messages.reduce((sum, m) => sum + m.content.length, 0);
      return {
        text: reply.text,
        model: reply.model ?? req.model,
        provider: opts.provider ?? 'fake',
        promptTokens: reply.promptTokens ?? Math.ceil(promptChars / 4),
        completionTokens: reply.completionTokens ?? reply.text.match(/\S+/g)?.length ?? 0,
        ms: 1,
      };
    },
  };
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
