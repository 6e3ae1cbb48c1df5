import { z } from 'zod';

/** Subcommands typed after `/arena`, and `help`. */
export const SUBCOMMANDS = [
  'start',
  'stop',
  'pause',
  'resume',
  'status',
  'budget',
  'personas',
  'summon',
  'ideas',
  'export',
  'help',
] as const;

export type ParsedCommandText =
  | { ok: true; subcommand: string; options: Record<string, unknown> }
  | { ok: false; text: string };

// `/arena start <idea> [rounds:N] [lang:xx]`: options may sit anywhere, as key:value or --key value.
const OPTION = /(?:^|\s)(?:--)?(rounds|lang)(?::\s*|=|\s+)(\S+)/gi;

const textSchema = z.string().max(4000, 'That command is too long; say the idea in under 1,000 characters.');

/** Slack gives a slash command one line of free text: this turns it into a subcommand and options. */
export function parseCommandText(raw: unknown): ParsedCommandText {
  const checked = textSchema.safeParse(typeof raw === 'string' ? raw : '');
  if (!checked.success) return { ok: false, text: checked.error.issues[0]!.message };
  const text = checked.data.trim();
  if (text === '') return { ok: true, subcommand: 'help', options: {} };
  const [first = '', ...restWords] = text.split(/\s+/);
  const word = first.toLowerCase();
  const rest = text.slice(first.length).trim();
  if (!(SUBCOMMANDS as readonly string[]).includes(word)) {
    const near = nearest(word);
    return {
      ok: false,
      text: `Unknown subcommand “${first.slice(0, 40)}”.${near ? ` Did you mean \`/arena ${near}\`?` : ''} Try \`/arena help\` for the list.`,
    };
  }
  switch (word) {
    case 'start': {
      const options: Record<string, unknown> = {};
      const idea = rest
        .replace(OPTION, (_m, key: string, value: string) => {
          const k = key.toLowerCase();
          options[k] = k === 'rounds' && /^\d+$/.test(value) ? Number(value) : value;
          return ' ';
        })
        .replace(/^idea:\s*/i, '')
        .trim();
      return { ok: true, subcommand: word, options: { ...options, idea } };
    }
    case 'personas':
      return {
        ok: true,
        subcommand: word,
        options: restWords[0] ? { phase: restWords[0].toLowerCase() } : {},
      };
    case 'summon':
      return { ok: true, subcommand: word, options: { persona: rest.replace(/^persona:\s*/i, '') } };
    case 'ideas': {
      // `/arena ideas` lists the backlog; `/arena ideas add <idea>` (or `add: <idea>`) adds one.
      const add = /^add(?::|\s|$)/i.exec(rest);
      return {
        ok: true,
        subcommand: word,
        options: add
          ? {
              add: rest
                .slice(add[0].length)
                .replace(/^idea:\s*/i, '')
                .trim(),
            }
          : {},
      };
    }
    case 'export':
      return {
        ok: true,
        subcommand: word,
        options: restWords[0] ? { format: restWords[0].toLowerCase() } : {},
      };
    default:
      return { ok: true, subcommand: word, options: {} };
  }
}

/** The closest subcommand within two edits, for "did you mean". */
export function nearest(word: string): string | null {
  let best: { name: string; d: number } | null = null;
  for (const name of SUBCOMMANDS) {
    const d = distance(word, name);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name ?? null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length]!;
}
