import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPersonasCommand } from '../../app/commands/personas.ts';
import { UsageError } from '../../app/errors.ts';
import { loadCatalog, type Persona } from '../../personas/index.ts';

const overrideDir = fileURLToPath(new URL('../fixtures/personas/override/', import.meta.url));

async function run(args: string[], extraDir?: string): Promise<string> {
  let out = '';
  const program = new Command('arena').exitOverride().configureOutput({ writeErr: () => {} });
  registerPersonasCommand(program, {
    loadPersonas: () => loadCatalog(extraDir === undefined ? {} : { extraDir }),
    write: (text) => {
      out += text;
    },
  });
  await program.parseAsync(args, { from: 'user' });
  return out;
}

describe('arena personas', () => {
  it('prints a table with id, handle, phase, model and axes', async () => {
    const out = await run(['personas']);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^ID\s+HANDLE\s+PHASE\s+MODEL\s+AXES$/);
    expect(lines.filter((l) => /^[a-z_]+\s+@/.test(l))).toHaveLength(34);
    expect(out).toMatch(/^dev_optimistic\s+@OptimisticDev\s+divergence\s+phi4:14b\s+opt\/int\/sup\/inn$/m);
    expect(out).toMatch(
      /^founder_serial\s+@SerialFounder\s+convergence\s+llama3\.3:70b\s+cau\/int\/sup\/pra$/m,
    );
    expect(out).toContain('34 personas (16 divergence, 8 convergence, 10 planning)');
  });

  it('prints the effective catalog as one JSON array with --json', async () => {
    const catalog = JSON.parse(await run(['personas', '--json'])) as Persona[];
    expect(catalog).toHaveLength(34);
    expect(catalog.find((p) => p.id === 'cpo_vision')).toMatchObject({
      model: 'llama3.3:70b',
      planSection: 'business_model',
    });
    const extended = JSON.parse(await run(['personas', '--json'], overrideDir)) as Persona[];
    expect(extended).toHaveLength(35);
    expect(extended.find((p) => p.id === 'dev_optimistic')?.model).toBe('llama3.1:8b');
  });

  it('prints the system prompt for an id or a handle', async () => {
    expect(await run(['personas', 'show', 'vc_aggressive', '--lang', 'ko'])).toMatch(
      /^당신은 Michael Chen\(@CryptoVC\)입니다\./,
    );
    // Without --lang: English, like `arena debate` (the CLI passes the terminal's locale).
    expect(await run(['personas', 'show', 'vc_aggressive'])).toMatch(/^You are Michael Chen/);
    const en = await run(['personas', 'show', '@cryptovc', '--lang', 'en']);
    expect(en).toMatch(/^You are Michael Chen \(@CryptoVC\)/);
    expect(await run(['personas', 'show', 'SerialFounder', '--lang', 'en', '--phase', 'planning'])).toContain(
      '## This phase: planning',
    );
  });

  it('refuses an unknown persona with a UsageError that points at the list', async () => {
    const err = await run(['personas', 'show', 'nobody']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain('"nobody"');
    expect((err as UsageError).message).toContain('arena personas');
    expect((err as UsageError).exitCode).toBe(2);
  });

  it('rejects a language other than ko or en', async () => {
    await expect(run(['personas', 'show', 'vc_aggressive', '--lang', 'fr'])).rejects.toThrow(
      /Allowed choices are ko, en/,
    );
  });
});
