import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog, PersonaFileError, parsePersonaFile } from '../../personas/index.ts';

const fixtures = fileURLToPath(new URL('../fixtures/personas/', import.meta.url));
const dir = (name: string) => path.join(fixtures, name);

async function loadError(name: string): Promise<PersonaFileError> {
  const err = await loadCatalog({ extraDir: dir(name) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PersonaFileError);
  return err as PersonaFileError;
}

describe('loading bad persona files', () => {
  it('names the file and the missing field', async () => {
    const err = await loadError('missing-field');
    expect(err.file).toContain(path.join('missing-field', 'no-model.yaml'));
    expect(err.field).toBe('model');
    expect(err.message).toBe(`${err.file}: model: required field is missing`);
    expect(err.exitCode).toBe(2);
  });

  it('names the file, the axis path, the allowed values and the bad one', async () => {
    const err = await loadError('bad-axis');
    expect(err.file).toContain(path.join('bad-axis', 'happy.yaml'));
    expect(err.message).toBe(
      `${err.file}: personality.thinking: expected "optimistic" | "cautious", got "happy"`,
    );
  });

  it('refuses a duplicate handle (case-insensitively) and names both files', async () => {
    const err = await loadError('duplicate-handle');
    expect(err.field).toBe('handle');
    expect(err.file).toContain('b-second.yaml');
    expect(err.otherFile).toContain('a-first.yaml');
    expect(err.message).toMatch(/b-second\.yaml: handle: "samehandle" is already used by .*a-first\.yaml$/);
  });

  it('refuses a duplicate id within one folder and names both files', async () => {
    const err = await loadError('duplicate-id');
    expect(err.field).toBe('id');
    expect(err.message).toMatch(/b-second\.yaml: id: "fixture_same" is already used by .*a-first\.yaml$/);
  });

  it('refuses a handle containing "discord"', async () => {
    const err = await loadError('discord-handle');
    expect(err.file).toContain(path.join('discord-handle', 'fan.yaml'));
    expect(err.field).toBe('handle');
    expect(err.message).toContain('must not contain "discord" or "clyde"');
    expect(err.message).toContain('got "TheDiscordFan"');
  });

  it('refuses a user handle that clashes with a built-in one', async () => {
    const err = await loadError('handle-clash');
    expect(err.file).toContain('clash.yaml');
    expect(err.otherFile).toContain('17-vc_aggressive.yaml');
  });

  it('reports YAML syntax errors with the file name', () => {
    // Inline rather than a fixture file: the linter parses YAML fixtures and would reject a broken one.
    expect(() => parsePersonaFile('personas/broken.yaml', 'id: [unclosed\nname: x\n')).toThrow(
      /^personas\/broken\.yaml: not valid yaml: /,
    );
    expect(() => parsePersonaFile('personas/broken.json', '{"id": ')).toThrow(
      /^personas\/broken\.json: not valid json: /,
    );
  });

  it('reports a missing user folder', async () => {
    const err = await loadError('no-such-folder');
    expect(err.message).toMatch(/no-such-folder: cannot read the persona folder: no such folder$/);
  });

  it('reports every problem of one file, unknown fields and cross-field rules included', () => {
    const source = JSON.stringify({
      id: 'Bad Id',
      name: 'Clyde',
      handle: 'ok_handle',
      role: { ko: '역할', en: '' },
      group: 'planning',
      phase: 'divergence',
      personality: {
        thinking: 'cautious',
        decision: 'analytical',
        communication: 'supporter',
        action: 'pragmatic',
      },
      model: 'm',
      color: 'red',
      expertise: ['x'],
      catchphrase: { ko: 'a', en: 'b' },
      guidance: { ko: 'a', en: 'b' },
      mood: 'sunny',
    });
    expect(() => parsePersonaFile('x.json', source)).toThrow(PersonaFileError);
    const message = (() => {
      try {
        parsePersonaFile('x.json', source);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/^x\.json: id: expected 2–48 characters/);
    for (const part of [
      'name: must not contain',
      'role.en: must not be empty',
      'color: expected a colour',
      'mood: unknown field',
    ]) {
      expect(message).toContain(part);
    }
  });
});

describe('cross-field rules', () => {
  const valid = {
    id: 'fixture_rule',
    name: 'Rule Person',
    handle: 'RulePerson',
    role: { ko: '역할', en: 'Role' },
    group: 'technical',
    phase: 'divergence',
    personality: {
      thinking: 'cautious',
      decision: 'analytical',
      communication: 'supporter',
      action: 'pragmatic',
    },
    model: 'm',
    color: '#abcdef',
    expertise: ['x'],
    catchphrase: { ko: 'a', en: 'b' },
    guidance: { ko: 'a', en: 'b' },
  };
  const parse = (patch: object) => () =>
    parsePersonaFile('rule.json', JSON.stringify({ ...valid, ...patch }));

  it('accepts the valid base persona', () => {
    expect(parse({})().id).toBe('fixture_rule');
  });

  it('checks the group against the phase', () => {
    expect(parse({ group: 'planning' })).toThrow(
      'rule.json: group: expected "technical" | "design_product" | "business_marketing" in phase "divergence"',
    );
  });

  it('requires a plan section for planners only', () => {
    expect(parse({ phase: 'planning', group: 'planning' })).toThrow('rule.json: planSection: required');
    expect(parse({ planSection: 'prd' })).toThrow('rule.json: planSection: only planning personas');
    expect(parse({ phase: 'planning', group: 'planning', planSection: 'prd' })().planSection).toBe('prd');
  });

  it('takes only http(s) avatar URLs', () => {
    expect(parse({ avatarUrl: 'ftp://example.com/a.png' })).toThrow(
      'rule.json: avatarUrl: expected an http(s) URL',
    );
  });
});

describe('user persona folder', () => {
  it('overrides a built-in persona by id and adds new ones, JSON included', async () => {
    const catalog = await loadCatalog({ extraDir: dir('override') });
    expect(catalog).toHaveLength(35);
    const alex = catalog.filter((p) => p.id === 'dev_optimistic');
    expect(alex).toHaveLength(1);
    expect(alex[0]).toMatchObject({
      model: 'llama3.1:8b',
      color: '#33ff99',
      avatarUrl: 'https://example.com/alex.png',
    });
    // The override keeps the built-in's place; additions come last.
    expect(catalog[0]?.id).toBe('dev_optimistic');
    expect(catalog[34]).toMatchObject({ id: 'ethics_watch', handle: 'EthicsWatch', color: '#ffaa00' });
  });

  it('leaves the built-in catalog untouched', async () => {
    await loadCatalog({ extraDir: dir('override') });
    const builtin = await loadCatalog();
    expect(builtin).toHaveLength(34);
    expect(builtin.find((p) => p.id === 'dev_optimistic')?.model).toBe('phi4:14b');
  });
});
