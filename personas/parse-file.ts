import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { PersonaFileError } from './errors.ts';
import { personaFileSchema } from './schema.ts';
import type { Persona } from './types.ts';

/** File extensions the loader reads as persona files. */
export const PERSONA_FILE_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

/** Parses and validates the text of one persona file; `file` is only used in error messages. */
export function parsePersonaFile(file: string, source: string): Persona {
  let raw: unknown;
  try {
    raw = path.extname(file).toLowerCase() === '.json' ? JSON.parse(source) : parseYaml(source);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new PersonaFileError(file, undefined, `not valid ${path.extname(file).slice(1)}: ${first}`);
  }
  const result = personaFileSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => describeIssue(issue, raw));
  const [first] = issues;
  const reason = issues
    .map((i, n) => (n === 0 ? i.reason : `${i.field ?? '(file)'}: ${i.reason}`))
    .join('; ');
  throw new PersonaFileError(file, first?.field, reason);
}

interface Described {
  field: string | undefined;
  reason: string;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): Described {
  const at = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const value = valueAt(raw, at);
  const field = at.length === 0 ? undefined : formatPath(at);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => formatPath([...at, k]));
      return { field: keys[0], reason: `unknown field${keys.length > 1 ? `s ${keys.join(', ')}` : ''}` };
    }
    case 'invalid_value':
      return {
        field,
        reason: `expected ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${show(value)}`,
      };
    case 'invalid_type':
      if (value === undefined) return { field, reason: 'required field is missing' };
      if (at.length === 0)
        return { field, reason: `expected a mapping of persona fields, got ${show(value)}` };
      return { field, reason: `expected ${issue.expected}, got ${show(value)}` };
    default:
      return {
        field,
        reason: typeof value === 'string' ? `${issue.message}, got ${show(value)}` : issue.message,
      };
  }
}

function valueAt(raw: unknown, at: readonly (string | number)[]): unknown {
  let v: unknown = raw;
  for (const key of at) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function formatPath(at: readonly (string | number)[]): string {
  return at.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
