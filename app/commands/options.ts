import type { z } from 'zod';
import { UsageError } from '../errors.ts';

/**
 * Command options checked with `schema`; the first problem becomes a usage error (exit 2) in plain
 * words naming the option (`--limit: expected a whole number from 1 to 100`), never zod's own text.
 */
export function parseOptions<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const name = issue.path.length > 0 ? `--${String(issue.path[0])}` : 'option';
  throw new UsageError(`${name}: ${issueText(issue, raw, issue.path[0])}`);
}

type Issue = z.core.$ZodIssue;

/** A zod issue in words a person reads; a message the schema wrote itself is kept as it is. */
export function issueText(issue: Issue, raw?: unknown, key?: PropertyKey): string {
  const given =
    key !== undefined && raw && typeof raw === 'object'
      ? (raw as Record<PropertyKey, unknown>)[key]
      : undefined;
  const got = typeof given === 'string' ? `, got "${given.slice(0, 40)}"` : '';
  if (!isZodDefault(issue.message)) return issue.message;
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string'
        ? `needs at least ${issue.minimum} characters`
        : `expected a number of at least ${issue.minimum}${got}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `allows at most ${issue.maximum} characters`
        : `expected a number of at most ${issue.maximum}${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}${got}`;
    case 'invalid_type':
      return issue.expected === 'int'
        ? `expected a whole number${got}`
        : `expected ${issue.expected === 'number' ? 'a number' : issue.expected}${got}`;
    case 'invalid_format':
      return `is not a valid ${issue.format}${got}`;
    case 'unrecognized_keys':
      return `unknown: ${issue.keys.join(', ')}`;
    default:
      return `is not valid${got}`;
  }
}

// zod's built-in messages start like these; a schema's own message is a person's sentence.
function isZodDefault(message: string): boolean {
  return /^(Too small|Too big|Invalid|Expected|Unrecognized)/.test(message);
}
