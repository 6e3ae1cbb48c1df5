import { markAgentActive } from '../../db/repositories/agents.ts';
import { DELTA_MIN_CHARS } from '../constants.ts';
import { type ChatMessage, LlmError } from '../llm/types.ts';
import { BRIEFS } from './briefs.ts';
import type { Engine } from './engine.ts';
import type { HistoryEntry } from './history.ts';
import { LABELS } from './labels.ts';
import { type CallOutcome, callModel, deltaBuffer, type Refusal, settleAlone } from './llm-call.ts';
import { cleanAnswer, type Draft, MODERATOR_ID, messageTypeOf, speakerOf } from './message.ts';
import { buildPrompt, type LlmStep } from './prompts.ts';
import { contextTokensOf } from './settings.ts';
import { parseVerdict, renderVerdict, VERDICT_SHAPE } from './verdict.ts';

export interface StepCallInput {
  debateId: string;
  lang: 'ko' | 'en';
  idea: { title: string; summary: string };
  rounds: number;
  capUsd: number | null;
  step: LlmStep;
  turnIndex: number;
  /** Committed messages before this turn. */
  history: readonly HistoryEntry[];
  signal: AbortSignal;
}

export type StepCallResult = { ok: true; draft: Draft } | { ok: false; refusal: Refusal };

/**
 * Makes the model call(s) of one step: announces the turn, streams deltas to the bus (not to the
 * database), and for a verdict re-asks once on malformed JSON before recording it as unreadable.
 */
export async function callStep(engine: Engine, input: StepCallInput): Promise<StepCallResult> {
  const { step, debateId, turnIndex } = input;
  const speaker = speakerOf(step, engine.cast);
  const model = speaker?.model ?? engine.settings.moderatorModel;
  const prompt = buildPrompt({
    step,
    lang: input.lang,
    idea: input.idea,
    history: input.history,
    cast: engine.cast,
    rounds: input.rounds,
    contextTokens: contextTokensOf(engine.settings, model),
  });
  prompt.metadata.turnIndex = turnIndex;
  const personaId = speaker?.id ?? MODERATOR_ID;
  if (speaker) {
    const task = `${messageTypeOf(step)} · ${input.idea.title}`.slice(0, 200);
    await markAgentActive(engine.db, { id: speaker.id, name: speaker.name, task, now: engine.clock.now() });
  }
  const target = input.history.find((e) => e.turnIndex === step.targetTurn);
  await engine.emit({
    type: 'turn.started',
    debateId,
    turnIndex,
    personaId,
    handle: speaker?.handle ?? MODERATOR_ID,
    reaction: messageTypeOf(step),
    targetMessageId: target?.id ?? null,
  });
  // A verdict streams JSON: viewers get the rendered verdict with message.created instead.
  const buffer =
    step.kind === 'verdict'
      ? undefined
      : deltaBuffer(DELTA_MIN_CHARS, (delta) => void engine.emit({ type: 'message.delta', debateId, turnIndex, personaId, delta }));
  const call = (messages?: ChatMessage[]): Promise<CallOutcome> =>
    callModel(engine, {
      debateId,
      capUsd: input.capUsd,
      model,
      prompt,
      signal: input.signal,
      ...(messages ? { messages } : {}),
      ...(buffer ? { onDelta: (d: string) => buffer.push(d) } : {}),
    });

  const first = await call();
  if (!first.ok) return first;
  buffer?.flush();
  if (step.kind !== 'verdict') {
    const content = cleanAnswer(first.result.text, speaker);
    if (content.length === 0) {
      await settleAlone(engine, debateId, [first.usage]);
      throw new LlmError(`${model} answered with nothing`, 'bad_response', true);
    }
    return { ok: true, draft: { content, model: first.result.model, usages: [first.usage], meta: {} } };
  }

  let parsed = parseVerdict(first.result.text);
  let raw = first.result.text;
  const usages = [first.usage];
  if (!parsed.ok) {
    const reask = BRIEFS[input.lang].reask(parsed.error, VERDICT_SHAPE);
    const again = await call([...prompt.messages, { role: 'assistant', content: raw }, { role: 'user', content: reask }]);
    if (!again.ok) {
      await settleAlone(engine, debateId, usages);
      return again;
    }
    usages.push(again.usage);
    raw = again.result.text;
    const second = parseVerdict(raw);
    if (!second.ok) {
      await engine.note('warn', 'unreadable verdict recorded', { debateId, personaId, error: second.error });
      const content = `${LABELS[input.lang].unreadableVerdict}\n\n${cleanAnswer(raw, speaker)}`.trim();
      const meta = { verdict: null, unparseable: true, parseError: second.error };
      return { ok: true, draft: { content, model: again.result.model, usages, meta } };
    }
    parsed = second;
  }
  const content = renderVerdict(parsed.verdict, input.lang);
  return { ok: true, draft: { content, model: usages.at(-1)!.model, usages, meta: { verdict: parsed.verdict } } };
}
