import type { Persona } from '../../personas/types.ts';
import { DELTA_MIN_CHARS } from '../constants.ts';
import { type ChatMessage, LlmError } from '../llm/types.ts';
import { BRIEFS } from './briefs.ts';
import type { Engine } from './engine.ts';
import type { HistoryEntry } from './history.ts';
import { LABELS } from './labels.ts';
import { type CallOutcome, callModel, deltaBuffer, type Refusal, settleAlone } from './llm-call.ts';
import { cleanAnswer, type Draft, MODERATOR_ID, messageTypeOf, speakerOf } from './message.ts';
import { type BuiltPrompt, buildPrompt, type LlmStep } from './prompts.ts';
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

type Call = (messages?: ChatMessage[]) => Promise<CallOutcome>;

/**
 * Makes the model call(s) of one step: marks the persona active, announces the turn, streams
 * deltas to the bus (never to the database), and returns the draft message or the budget's refusal.
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
  await engine.emit({
    type: 'turn.started',
    debateId,
    turnIndex,
    personaId,
    handle: speaker?.handle ?? MODERATOR_ID,
    reaction: messageTypeOf(step),
    targetMessageId: input.history.find((e) => e.turnIndex === step.targetTurn)?.id ?? null,
  });
  // A verdict streams JSON: viewers get the rendered verdict with message.created instead.
  const buffer =
    step.kind === 'verdict'
      ? undefined
      : deltaBuffer(
          DELTA_MIN_CHARS,
          (delta) => void engine.emit({ type: 'message.delta', debateId, turnIndex, personaId, delta }),
        );
  const call: Call = (messages) =>
    callModel(engine, {
      debateId,
      capUsd: input.capUsd,
      model,
      prompt,
      signal: input.signal,
      ...(messages ? { messages } : {}),
      ...(buffer ? { onDelta: (d: string) => buffer.push(d) } : {}),
    });

  return step.kind === 'verdict'
    ? verdictDraft(engine, input, call, prompt, speaker)
    : textDraft(engine, debateId, call, speaker, model, () => buffer?.flush());
}

async function textDraft(
  engine: Engine,
  debateId: string,
  call: Call,
  speaker: Persona | undefined,
  model: string,
  flush: () => void,
): Promise<StepCallResult> {
  const answer = await call();
  if (!answer.ok) return answer;
  flush();
  const content = cleanAnswer(answer.result.text, speaker);
  if (content.length === 0) {
    await settleAlone(engine, debateId, [answer.usage]);
    throw new LlmError(`${model} answered with nothing`, 'bad_response', true);
  }
  return { ok: true, draft: { content, model: answer.result.model, usages: [answer.usage], meta: {} } };
}

/** A verdict: parsed with zod; malformed JSON is re-asked once, then recorded as unreadable. */
async function verdictDraft(
  engine: Engine,
  input: StepCallInput,
  call: Call,
  prompt: BuiltPrompt,
  speaker: Persona | undefined,
): Promise<StepCallResult> {
  const first = await call();
  if (!first.ok) return first;
  const usages = [first.usage];
  let raw = first.result.text;
  let parsed = parseVerdict(raw);
  if (!parsed.ok) {
    const reask = BRIEFS[input.lang].reask(parsed.error, VERDICT_SHAPE);
    const again = await call([
      ...prompt.messages,
      { role: 'assistant', content: raw },
      { role: 'user', content: reask },
    ]);
    if (!again.ok) {
      await settleAlone(engine, input.debateId, usages);
      return again;
    }
    usages.push(again.usage);
    raw = again.result.text;
    parsed = parseVerdict(raw);
  }
  const model = usages.at(-1)!.model;
  if (!parsed.ok) {
    await engine.note('warn', 'unreadable verdict recorded', {
      debateId: input.debateId,
      personaId: speaker?.id,
      error: parsed.error,
    });
    const content = `${LABELS[input.lang].unreadableVerdict}\n\n${cleanAnswer(raw, speaker)}`.trim();
    return {
      ok: true,
      draft: { content, model, usages, meta: { verdict: null, unparseable: true, parseError: parsed.error } },
    };
  }
  return {
    ok: true,
    draft: {
      content: renderVerdict(parsed.verdict, input.lang),
      model,
      usages,
      meta: { verdict: parsed.verdict },
    },
  };
}
