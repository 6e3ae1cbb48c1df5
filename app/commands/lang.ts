import type { Lang } from '../../personas/types.ts';

/**
 * The language a terminal command uses when `--lang` is not given, from the locale (LC_ALL,
 * LC_MESSAGES, LANG, as POSIX orders them): Korean for a `ko` locale, English otherwise.
 */
export function langFromLocale(env: Record<string, string | undefined>): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^ko\b|^ko_/i.test(locale) ? 'ko' : 'en';
}
