import { z } from 'zod';
import type { Lang } from '../../personas/types.ts';
import { VERDICT_ITEM_MAX_CHARS, VERDICT_MAX_ITEMS } from '../constants.ts';
import type { JsonSchemaFormat } from '../llm/types.ts';

// Local models often answer a list field with a single string, or pad items: accept both, trim, cap.
const items = z
  .union([z.array(z.unknown()), z.string()])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .transform((list) =>
    list
      .filter((x): x is string | number => typeof x === 'string' || typeof x === 'number')
      .map((x) => String(x).trim().slice(0, VERDICT_ITEM_MAX_CHARS))
      .filter((x) => x.length > 0)
      .slice(0, VERDICT_MAX_ITEMS),
  );

/** An evaluator's structured verdict, as the model must return it. */
export const VerdictSchema = z.object({
  score: z
    .union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*$/)])
    .transform(Number)
    .pipe(z.number().min(1).max(10)),
  strengths: items,
  risks: items,
  conditions: items,
});

export type Verdict = z.output<typeof VerdictSchema>;

export type VerdictParse = { ok: true; verdict: Verdict } | { ok: false; error: string };

/** Finds the JSON object in a model's answer (fences and chatter around it are tolerated) and checks it. */
export function parseVerdict(text: string): VerdictParse {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return { ok: false, error: 'no JSON object found' };
  let raw: unknown;
  try {
    raw = JSON.parse(text.slice(start, end + 1));
  } catch (error) {
    return { ok: false, error: `invalid JSON (${(error as Error).message})` };
  }
  const parsed = VerdictSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `${issue.path.join('.') || 'answer'}: ${issue.message}` };
  }
  return { ok: true, verdict: { ...parsed.data, score: Math.round(parsed.data.score * 10) / 10 } };
}

/** The JSON shape the evaluator is asked for, shown verbatim in the prompt. */
export const VERDICT_SHAPE =
  '{"score": <1-10>, "strengths": ["..."], "risks": ["..."], "conditions": ["what must be true to go ahead"]}';

const list = (description: string) => ({ type: 'array', items: { type: 'string' }, description });

/**
 * The verdict as a JSON schema, for the stricter retry: Ollama constrains decoding to it (`format`),
 * OpenAI-compatible servers take it as `response_format` json_schema (strict: every field required,
 * no others). The 1–10 range is checked by VerdictSchema, not here (strict mode has no bounds).
 */
export const VERDICT_JSON_SCHEMA = {
  name: 'verdict',
  schema: {
    type: 'object',
    properties: {
      score: { type: 'number', description: 'from 1 (weak) to 10 (strong)' },
      strengths: list('what is strong about the idea'),
      risks: list('what could make it fail'),
      conditions: list('what must be true to go ahead'),
    },
    required: ['score', 'strengths', 'risks', 'conditions'],
    additionalProperties: false,
  },
} satisfies JsonSchemaFormat;

const HEADINGS: Record<Lang, { score: string; strengths: string; risks: string; conditions: string }> = {
  en: { score: 'Score', strengths: 'Strengths', risks: 'Risks', conditions: 'Conditions' },
  ko: { score: '점수', strengths: '강점', risks: '리스크', conditions: '조건' },
};

/** A verdict as people read it in a chat thread or transcript. */
export function renderVerdict(verdict: Verdict, lang: Lang): string {
  const h = HEADINGS[lang];
  const section = (title: string, list: string[]) =>
    list.length === 0 ? [] : [`${title}:`, ...list.map((x) => `- ${x}`)];
  return [
    `${h.score}: ${verdict.score}/10`,
    ...section(h.strengths, verdict.strengths),
    ...section(h.risks, verdict.risks),
    ...section(h.conditions, verdict.conditions),
  ].join('\n');
}
