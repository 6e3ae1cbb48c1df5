import { z } from 'zod';
import { LlmSettingError } from './setting-error.ts';

const name = z
  .string()
  .trim()
  .min(1, 'a model name is empty')
  .max(200)
  .regex(/^[^\s,=]+$/, 'model names contain no spaces, commas or "="');

const entry = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const eq = s.indexOf('=');
    if (eq < 0) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is not persona-model=remote-model` });
      return z.NEVER;
    }
    return [s.slice(0, eq), s.slice(eq + 1)] as const;
  })
  .pipe(z.tuple([name, name]));

/**
 * Parses OPENAI_MODEL_MAP, `persona-model=remote-model,...`; a `*` key maps every other model.
 * Throws LlmSettingError naming the setting.
 */
export function parseModelMap(
  text: string | undefined,
  setting = 'OPENAI_MODEL_MAP',
): Record<string, string> {
  const map: Record<string, string> = {};
  if (!text?.trim()) return map;
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const parsed = entry.safeParse(part);
    if (!parsed.success) throw new LlmSettingError(setting, parsed.error.issues[0]!.message);
    const [from, to] = parsed.data;
    if (from in map) throw new LlmSettingError(setting, `"${from}" is mapped twice`);
    map[from] = to;
  }
  return map;
}

/** The remote model for a persona's model: its own entry, else the `*` entry, else unchanged. */
export function mapModel(map: Readonly<Record<string, string>>, model: string): string {
  return map[model] ?? map['*'] ?? model;
}
