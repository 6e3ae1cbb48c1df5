import { describe, expect, it } from 'vitest';
import { langFromLocale } from '../../app/commands/lang.ts';

describe('the CLI language default', () => {
  it('follows the locale, the same for `arena debate` and `arena personas show`', () => {
    expect(langFromLocale({})).toBe('en');
    expect(langFromLocale({ LANG: 'en_US.UTF-8' })).toBe('en');
    expect(langFromLocale({ LANG: 'ko_KR.UTF-8' })).toBe('ko');
    expect(langFromLocale({ LANG: 'ko' })).toBe('ko');
    // LC_ALL wins over LANG, as in every POSIX program.
    expect(langFromLocale({ LANG: 'ko_KR.UTF-8', LC_ALL: 'C' })).toBe('en');
    expect(langFromLocale({ LANG: 'C', LC_MESSAGES: 'ko_KR.UTF-8' })).toBe('ko');
    expect(langFromLocale({ LANG: 'kok_IN' })).toBe('en');
  });
});
