import type { Persona } from '../../../personas/types.ts';
import { LlmError } from '../../llm/types.ts';
import { cleanAnswer } from '../message.ts';
import { settleAlone } from './llm-call.ts';
import type { Call, StepCallResult, StepDeps } from './step-call.ts';

export interface TextStepInput {
  debateId: string;
  call: Call;
  speaker: Persona | undefined;
  model: string;
  /** Sends the last streamed piece once the answer is complete. */
  flush: () => void;
}

/** A divergence turn or a moderator's summary: one call, its text cleaned; an empty answer is retried. */
export async function speakStep(deps: StepDeps, input: TextStepInput): Promise<StepCallResult> {
  const { call, speaker, model, debateId } = input;
  const answer = await call();
  if (!answer.ok) return answer;
  input.flush();
  const content = cleanAnswer(answer.result.text, speaker);
  if (content.length === 0) {
    await settleAlone(deps, debateId, [answer.usage]);
    throw new LlmError(`${model} answered with nothing`, 'bad_response', true);
  }
  return { ok: true, draft: { content, model: answer.result.model, usages: [answer.usage], meta: {} } };
}

/**
 * A plan section or the final plan. Drafted like a spoken turn today; its own function because
 * sections are independent of each other and may be drafted concurrently (committed one by one).
 */
export function planSectionStep(deps: StepDeps, input: TextStepInput): Promise<StepCallResult> {
  return speakStep(deps, input);
}
