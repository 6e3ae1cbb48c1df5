import type { Persona } from '../../../personas/types.ts';
import { BRIEFS } from '../briefs.ts';
import type { Engine } from '../engine.ts';
import { LABELS } from '../labels.ts';
import { cleanAnswer } from '../message.ts';
import type { BuiltPrompt } from '../prompts.ts';
import { parseVerdict, renderVerdict, VERDICT_JSON_SCHEMA, VERDICT_SHAPE } from '../verdict.ts';
import { settleAlone } from './llm-call.ts';
import type { Call, StepCallResult, StepDeps } from './step-call.ts';

export interface VerdictStepInput {
  debateId: string;
  lang: 'ko' | 'en';
  call: Call;
  prompt: BuiltPrompt;
  speaker: Persona | undefined;
}

/**
 * A verdict: parsed with zod; malformed JSON is re-asked once with the verdict's JSON schema as the
 * required format (stricter than JSON mode), then recorded as unreadable.
 */
export async function verdictStep(
  deps: StepDeps & Pick<Engine, 'note'>,
  input: VerdictStepInput,
): Promise<StepCallResult> {
  const { call, prompt, speaker } = input;
  const first = await call();
  if (!first.ok) return first;
  const usages = [first.usage];
  let raw = first.result.text;
  let parsed = parseVerdict(raw);
  if (!parsed.ok) {
    const reask = BRIEFS[input.lang].reask(parsed.error, VERDICT_SHAPE);
    // The second ask is stricter: the answer must match the verdict's JSON schema.
    const again = await call(
      [...prompt.messages, { role: 'assistant', content: raw }, { role: 'user', content: reask }],
      VERDICT_JSON_SCHEMA,
    );
    if (!again.ok) {
      await settleAlone(deps, input.debateId, usages);
      return again;
    }
    usages.push(again.usage);
    raw = again.result.text;
    parsed = parseVerdict(raw);
  }
  const model = usages.at(-1)!.model;
  if (!parsed.ok) {
    await deps.note('warn', 'unreadable verdict recorded', {
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
