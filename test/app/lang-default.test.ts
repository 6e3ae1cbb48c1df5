import { describe, expect, it } from 'vitest';
import { langFromLocale } from '../../app/commands/lang.ts';
import { cleanEnv, runArena } from '../helpers/cli.ts';

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

describe('the real `arena` binary', { timeout: 120_000 }, () => {
  it('shows a persona in the locale’s language when --lang is not given', async () => {
    const ko = await runArena(['personas', 'show', '@VisionaryPM'], {
      env: cleanEnv({ LANG: 'ko_KR.UTF-8' }),
    });
    expect(ko.code, ko.stderr).toBe(0);
    expect(ko.stdout).toMatch(/^당신은 /);
    const en = await runArena(['personas', 'show', '@VisionaryPM'], {
      env: cleanEnv({ LANG: 'en_US.UTF-8' }),
    });
    expect(en.stdout).toMatch(/^You are /);
    // No locale at all: English, the same default `arena debate` takes (test/app/cli-one-off.test.ts).
    const none = await runArena(['personas', 'show', '@VisionaryPM'], { env: cleanEnv() });
    expect(none.stdout).toMatch(/^You are /);
  });
});
