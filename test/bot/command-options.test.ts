import { describe, expect, it } from 'vitest';
import {
  describeOptionError,
  personasOptions,
  startOptions,
  summonOptions,
} from '../../bot/commands/options.ts';
import { threadTitle } from '../../bot/commands/start.ts';

function errorOf(result: { success: boolean; error?: unknown }): string {
  if (result.success) throw new Error('expected a parse failure');
  return describeOptionError(result.error as never);
}

describe('slash command options', () => {
  it('parses a start with all options and trims the idea', () => {
    expect(startOptions.parse({ idea: '  a marketplace for idle GPUs ', rounds: 3, lang: 'ko' })).toEqual({
      idea: 'a marketplace for idle GPUs',
      rounds: 3,
      lang: 'ko',
    });
    expect(startOptions.parse({ idea: 'xyz', rounds: null })).toEqual({ idea: 'xyz' });
    expect(errorOf(startOptions.safeParse({ idea: 'ab' }))).toMatch(/too short/);
  });

  it('refuses an empty idea with an example of what to type', () => {
    const msg = errorOf(startOptions.safeParse({ idea: '   ' }));
    expect(msg).toMatch(/idea is empty/i);
    expect(msg).toContain('/arena start idea:');
    expect(errorOf(startOptions.safeParse({}))).toContain('/arena start idea:');
  });

  it('refuses a 5000-character idea, naming the length and the limit', () => {
    const msg = errorOf(startOptions.safeParse({ idea: 'y'.repeat(5000) }));
    expect(msg).toContain('5000');
    expect(msg).toContain('1000');
  });

  it('refuses rounds outside 1–10 and unknown languages', () => {
    expect(errorOf(startOptions.safeParse({ idea: 'xyz', rounds: 0 }))).toMatch(/1 to 10/);
    expect(errorOf(startOptions.safeParse({ idea: 'xyz', rounds: 2.5 }))).toMatch(/1 to 10/);
    expect(errorOf(startOptions.safeParse({ idea: 'xyz', rounds: '3' }))).toMatch(/1 to 10/);
    expect(errorOf(startOptions.safeParse({ idea: 'xyz', lang: 'fr' }))).toMatch(/ko, en|en, ko/);
  });

  it('parses personas phase and summon handle', () => {
    expect(personasOptions.parse({})).toEqual({});
    expect(personasOptions.parse({ phase: 'planning' })).toEqual({ phase: 'planning' });
    expect(errorOf(personasOptions.safeParse({ phase: 'voting' }))).toMatch(/divergence/);
    expect(summonOptions.parse({ persona: ' @SecurityParanoid ' })).toEqual({ persona: 'SecurityParanoid' });
    expect(errorOf(summonOptions.safeParse({ persona: '@' }))).toMatch(/Name a persona/);
  });

  it('names a thread after the idea within 100 characters', () => {
    expect(threadTitle('An app\nfor DAOs')).toBe('An app for DAOs');
    const long = `${'word '.repeat(40)}end`;
    const t = threadTitle(long);
    expect(t.length).toBeLessThanOrEqual(100);
    expect(t.endsWith('…')).toBe(true);
    expect(threadTitle('z'.repeat(300))).toHaveLength(100);
  });
});
