import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { describeOptionError, startOptions, summonOptions } from '../../bot/commands/options.ts';
import { parseCommandText, SUBCOMMANDS } from '../../bot/slack/command-text.ts';
import { VERDICT_ITEM_MAX_CHARS, VERDICT_MAX_ITEMS } from '../../engine/constants.ts';
import { parseVerdict } from '../../engine/debate/verdict.ts';
import { PersonaFileError } from '../../personas/errors.ts';
import { parsePersonaFile } from '../../personas/parse-file.ts';

// Loose JSON as platforms and models send it.
const loose = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);

describe('chat command options (fast-check)', () => {
  it('property: typed values in range, or one plain sentence for the person', () => {
    fc.assert(
      fc.property(
        fc.record({ idea: fc.oneof(loose, fc.string({ maxLength: 1200 })), rounds: loose, lang: loose }),
        (options) => {
          const r = startOptions.safeParse(options);
          if (r.success) {
            expect(r.data.idea.length).toBeGreaterThan(0);
            if (r.data.rounds !== undefined) expect(r.data.rounds).toBeGreaterThanOrEqual(1);
            if (r.data.rounds !== undefined) expect(r.data.rounds).toBeLessThanOrEqual(10);
            if (r.data.lang !== undefined) expect(['ko', 'en']).toContain(r.data.lang);
          } else {
            const message = describeOptionError(r.error);
            expect(message).not.toMatch(/\n|zod|Invalid input: expected/i);
            expect(message.length).toBeGreaterThan(10);
          }
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      // '@ !' once came back as ' !': a handle is trimmed again after its '@' is taken off.
      fc.property(
        fc.oneof(fc.record({ persona: loose }), fc.constantFrom({ persona: '@ !' }, { persona: '@ @x' })),
        (options) => {
          const r = summonOptions.safeParse(options);
          if (r.success) expect(r.data.persona).not.toMatch(/^@|^\s|\s$/);
          else expect(describeOptionError(r.error)).toMatch(/persona/i);
        },
      ),
    );
  });
});

describe('persona files (fast-check)', () => {
  const base = parseYaml(
    readFileSync(new URL('../../personas/catalog/02-dev_cautious.yaml', import.meta.url), 'utf8'),
  );
  const fields = Object.keys(base as object);

  it('property: a mangled file is a PersonaFileError naming the file, never another error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.oneof(loose, fc.object({ maxDepth: 1 }), fc.string({ maxLength: 3000 })),
        fc.constantFrom('custom.yaml', 'custom.json'),
        (field, value, file) => {
          const doc = { ...(base as Record<string, unknown>), [field]: value };
          const text = file.endsWith('.json') ? JSON.stringify(doc) : toYaml(doc);
          try {
            const persona = parsePersonaFile(file, text);
            expect(persona.id.length).toBeGreaterThan(0);
            expect(persona.color).toMatch(/^#[0-9a-f]{6}$/i);
          } catch (e) {
            expect(e).toBeInstanceOf(PersonaFileError);
            expect((e as Error).message.startsWith(`${file}: `)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: any text at all is a persona or a PersonaFileError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('x.yaml', 'x.json'), (text, file) => {
        try {
          parsePersonaFile(file, text);
        } catch (e) {
          expect(e).toBeInstanceOf(PersonaFileError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('LLM JSON: verdicts (fast-check)', () => {
  it('property: a verdict in range with capped lists, or a reason to re-ask; never a throw', () => {
    const answer = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .record(
          {
            score: fc.oneof(
              fc.double(),
              fc.integer({ min: -5, max: 15 }),
              fc.string({ maxLength: 6 }),
              fc.constant(null),
            ),
            strengths: fc.oneof(
              loose,
              fc.array(fc.oneof(fc.string({ maxLength: 500 }), fc.integer(), fc.object()), { maxLength: 12 }),
            ),
            risks: loose,
            conditions: loose,
          },
          { requiredKeys: [] },
        )
        .chain((o) =>
          fc.constantFrom(
            JSON.stringify(o),
            `Sure! Here it is:\n\`\`\`json\n${JSON.stringify(o)}\n\`\`\`\nThanks`,
            JSON.stringify(o).slice(0, -1),
          ),
        ),
    );
    fc.assert(
      fc.property(answer, (text) => {
        const r = parseVerdict(text);
        if (r.ok) {
          expect(r.verdict.score).toBeGreaterThanOrEqual(1);
          expect(r.verdict.score).toBeLessThanOrEqual(10);
          for (const list of [r.verdict.strengths, r.verdict.risks, r.verdict.conditions]) {
            expect(list.length).toBeLessThanOrEqual(VERDICT_MAX_ITEMS);
            for (const item of list) {
              expect(typeof item).toBe('string');
              expect(item.length).toBeGreaterThan(0);
              expect(item.length).toBeLessThanOrEqual(VERDICT_ITEM_MAX_CHARS);
            }
          }
        } else {
          expect(r.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('Slack command text (fast-check)', () => {
  const words = fc.oneof(
    fc.constantFrom(
      'start',
      'STOP',
      'pause',
      'resume',
      'status',
      'summon',
      'export',
      'personas',
      'strat',
      'help',
    ),
    fc.constantFrom(
      'rounds:3',
      'rounds: 99',
      '--rounds 2',
      'lang=ko',
      'lang:xx',
      'idea:',
      'persona:@Dev',
      'md',
      'json',
    ),
    fc.string({ maxLength: 12 }),
  );
  it('property: any text is a known subcommand with options the command layer checks, or a short answer', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(words, { maxLength: 8 }).map((w) => w.join(' ')),
          fc.string({ maxLength: 5000 }),
          loose,
        ),
        (text) => {
          const r = parseCommandText(text);
          if (!r.ok) {
            expect(r.text.length).toBeGreaterThan(0);
            expect(r.text.length).toBeLessThan(300);
            return;
          }
          expect(SUBCOMMANDS as readonly string[]).toContain(r.subcommand);
          if (r.subcommand === 'start') {
            const checked = startOptions.safeParse(r.options);
            if (!checked.success) expect(describeOptionError(checked.error).length).toBeGreaterThan(10);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
