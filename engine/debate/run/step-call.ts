import type { Persona } from '../../../personas/types.ts';
import type { Hold } from '../../budget/index.ts';
import { DELTA_MIN_CHARS } from '../../constants.ts';
import type { ChatMessage, JsonSchemaFormat } from '../../llm/types.ts';
import type { Engine } from '../engine.ts';
import type { HistoryEntry } from '../history.ts';
import { type Draft, MODERATOR_ID, messageTypeOf, speakerOf } from '../message.ts';
import { upcomingModels } from '../plan/group.ts';
import { type BuiltPrompt, buildPrompt, type LlmStep } from '../prompts.ts';
import { contextTokensOf } from '../settings.ts';
import { type CallOutcome, callModel, deltaBuffer, type Refusal } from './llm-call.ts';
import { planSectionStep, speakStep } from './speak-step.ts';
import { verdictStep } from './verdict-step.ts';

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
  /** Steps sent together with this one (a group of verdicts or plan sections), itself included. */
  siblings?: number;
}

export type StepCallResult = { ok: true; draft: Draft } | { ok: false; refusal: Refusal };

/** One model call of the step; `messages` replaces the prompt's (a re-ask), `jsonSchema` asks for strict JSON. */
export type Call = (messages?: ChatMessage[], jsonSchema?: JsonSchemaFormat) => Promise<CallOutcome>;

/** What a step needs besides its call: the database and clock to record a lost call's usage. */
export type StepDeps = Pick<Engine, 'db' | 'clock' | 'log'>;

/** Who speaks a step, on which model, with which prompt: built before the turn is claimed. */
export interface StepRequest {
  speaker: Persona | undefined;
  model: string;
  prompt: BuiltPrompt;
}

/** A step's request built before its turn was claimed, and what the claim held for its first call. */
export interface PreparedStep {
  request: StepRequest;
  /** Undefined: the claim held nothing for it, the call reserves its own. */
  held: Hold | null | undefined;
}

/** Builds a step's prompt from the committed history (pure). */
export function stepRequest(
  engine: Pick<Engine, 'cast' | 'settings'>,
  input: Pick<StepCallInput, 'step' | 'lang' | 'idea' | 'history' | 'rounds' | 'turnIndex'>,
): StepRequest {
  const { step } = input;
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
  prompt.metadata.turnIndex = input.turnIndex;
  return { speaker, model, prompt };
}

/**
 * Makes the model call(s) of one step: builds the prompt (unless given), announces the turn,
 * streams deltas to the bus (never to the database), and returns the draft message or the budget's
 * refusal. The kind of step picks its drafting: a spoken turn or summary, a verdict, a plan section.
 * `first`: the request built before the turn's claim, and what the claim held for its first call
 * (undefined: the call reserves its own).
 */
export async function draftStep(
  engine: Pick<Engine, 'db' | 'llm' | 'prices' | 'clock' | 'cast' | 'settings' | 'log' | 'emit' | 'note'>,
  input: StepCallInput,
  first?: PreparedStep,
): Promise<StepCallResult> {
  const { step, debateId, turnIndex } = input;
  const { speaker, model, prompt } = first?.request ?? stepRequest(engine, input);
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
  const answersPerson = input.history.some(
    (e) => e.turnIndex === step.targetTurn && e.authorKind === 'human',
  );
  const route = {
    debateId,
    priority: answersPerson ? ('human' as const) : ('normal' as const),
    upcomingModels: upcomingModels(engine.cast, step, engine.settings.moderatorModel),
    ...(input.siblings && input.siblings > 1 ? { siblings: input.siblings } : {}),
  };
  let held = first?.held;
  const call: Call = (messages, jsonSchema) => {
    const hold = held;
    held = undefined; // a re-ask reserves its own
    return callModel(engine, {
      debateId,
      route,
      capUsd: input.capUsd,
      model,
      prompt,
      signal: input.signal,
      ...(messages ? { messages } : {}),
      ...(jsonSchema ? { jsonSchema } : {}),
      ...(buffer ? { onDelta: (d: string) => buffer.push(d) } : {}),
      ...(hold !== undefined ? { held: hold } : {}),
    });
  };

  const flush = () => buffer?.flush();
  const deps = { db: engine.db, clock: engine.clock, log: engine.log };
  switch (step.kind) {
    case 'verdict':
      return verdictStep({ ...deps, note: engine.note }, { ...input, call, prompt, speaker });
    case 'section':
    case 'final':
      return planSectionStep(deps, { debateId, call, speaker, model, flush });
    default:
      return speakStep(deps, { debateId, call, speaker, model, flush });
  }
}
