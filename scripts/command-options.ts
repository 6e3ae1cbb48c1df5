import type { Command } from 'commander';
import type { z } from 'zod';

/**
 * Parses the arguments of a standalone entry point (`npm run bench`, `npm run chaos`) with its
 * commander program and validates the options with its zod schema. Returns 'help' when --help was
 * asked (the text is already written); a bad flag or value throws `usageError(<one sentence>)`,
 * naming the flag (`--db-outage-ms: …`). `extra` overrides or adds options before validation.
 */
export function parseCommandOptions<S extends z.ZodType>(p: {
  program: Command;
  argv: string[];
  schema: S;
  write: (text: string) => void;
  usageError: (message: string) => Error;
  extra?: (opts: Record<string, unknown>) => Record<string, unknown>;
}): z.output<S> | 'help' {
  p.program.exitOverride().configureOutput({ writeOut: p.write, writeErr: p.write });
  try {
    p.program.parse(p.argv, { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.help') return 'help';
    throw p.usageError((error as Error).message);
  }
  const opts = p.program.opts();
  const parsed = p.schema.safeParse(p.extra ? { ...opts, ...p.extra(opts) } : opts);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw p.usageError(`--${flag}: ${issue.message}`);
  }
  return parsed.data;
}
