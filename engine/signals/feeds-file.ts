import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The kinds of source the seed names; a feed says which one it is. */
export const SIGNAL_SOURCES = ['rss', 'github', 'news', 'social', 'research', 'blog'] as const;
export type SignalSource = (typeof SIGNAL_SOURCES)[number];

const feedSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  url: z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return ['http:', 'https:'].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: 'expected an http(s) URL' },
    ),
  source: z.enum(SIGNAL_SOURCES),
  category: z.string().trim().min(1).max(50),
  enabled: z.boolean().default(true),
});

const feedsFileSchema = z.strictObject({ feeds: z.array(feedSchema) });

export type Feed = z.infer<typeof feedSchema>;

/** The feed list shipped with the arena (AI, crypto, developer tools, startups). */
export const DEFAULT_FEEDS_FILE = fileURLToPath(new URL('./default-feeds.yaml', import.meta.url));

/** A feeds file that cannot be used: names the file and the first bad field (exit code 2). */
export class FeedsFileError extends Error {
  override name = 'FeedsFileError';
  readonly code = 'feeds_file';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(field === undefined ? `${file}: ${reason}` : `${file}: ${field}: ${reason}`);
  }
}

/** Parses and validates a feeds file's text; `file` is only used in messages. */
export function parseFeedsFile(file: string, text: string): Feed[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new FeedsFileError(file, undefined, `not valid YAML: ${first}`);
  }
  const result = feedsFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const at = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    const field =
      issue.code === 'unrecognized_keys'
        ? formatPath([...at, issue.keys[0] ?? ''])
        : at.length
          ? formatPath(at)
          : undefined;
    const reason =
      issue.code === 'unrecognized_keys'
        ? 'unknown field'
        : issue.code === 'invalid_value'
          ? `expected one of ${issue.values.map((v) => String(v)).join(', ')}`
          : issue.code === 'invalid_type' && at.length === 0
            ? 'expected a mapping with a `feeds:` list'
            : issue.code === 'invalid_type' && valueAt(raw, at) === undefined
              ? 'required field is missing'
              : issue.message;
    throw new FeedsFileError(file, field, reason);
  }
  const seen = new Map<string, number>();
  result.data.feeds.forEach((f, i) => {
    const before = seen.get(f.url);
    if (before !== undefined)
      throw new FeedsFileError(file, `feeds[${i}].url`, `same URL as feeds[${before}]`);
    seen.set(f.url, i);
  });
  return result.data.feeds;
}

/** Reads the feeds file (FEEDS_FILE or the bundled default). */
export async function loadFeedsFile(file: string = DEFAULT_FEEDS_FILE): Promise<Feed[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FeedsFileError(
      path.relative(process.cwd(), file) || file,
      undefined,
      code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(error)})`,
    );
  }
  return parseFeedsFile(file, text);
}

function formatPath(at: Array<string | number>): string {
  return at.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

function valueAt(raw: unknown, at: Array<string | number>): unknown {
  let v: unknown = raw;
  for (const k of at) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}
