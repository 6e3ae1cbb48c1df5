import { type Command, Option } from 'commander';
import {
  axesShort,
  buildSystemPrompt,
  LANGS,
  type Lang,
  type Persona,
  PHASES,
  type Phase,
} from '../../personas/index.ts';
import { UsageError } from '../errors.ts';

export interface PersonasCommandDeps {
  /** The effective catalog (built-in plus PERSONAS_DIR). */
  loadPersonas: () => Promise<Persona[]>;
  /** Where output goes; defaults to stdout. */
  write?: (text: string) => void;
  /** Language of `personas show` when --lang is not given. */
  defaultLang?: Lang;
}

/** Adds `arena personas [--json]` and `arena personas show <id|handle> [--lang] [--phase]` to the program. */
export function registerPersonasCommand(program: Command, deps: PersonasCommandDeps): Command {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const personas = program
    .command('personas')
    .description('list the persona catalog (built-in plus PERSONAS_DIR)')
    .option('--json', 'print the effective catalog as one JSON array')
    .action(async (options: { json?: boolean }) => {
      const catalog = await deps.loadPersonas();
      write(options.json ? `${JSON.stringify(catalog, null, 2)}\n` : formatTable(catalog));
    });

  personas
    .command('show')
    .description("print a persona's system prompt")
    .argument('<persona>', 'persona id or @handle')
    .addOption(
      new Option('--lang <lang>', 'prompt language').choices(LANGS).default(deps.defaultLang ?? 'en'),
    )
    .addOption(new Option('--phase <phase>', "phase to brief (default: the persona's own)").choices(PHASES))
    .action(async (wanted: string, options: { lang: Lang; phase?: Phase }) => {
      const persona = findPersona(await deps.loadPersonas(), wanted);
      write(`${buildSystemPrompt(persona, { lang: options.lang, phase: options.phase })}\n`);
    });

  return personas;
}

function findPersona(catalog: readonly Persona[], wanted: string): Persona {
  const handle = wanted.replace(/^@/, '').toLowerCase();
  const found =
    catalog.find((p) => p.id === wanted) ?? catalog.find((p) => p.handle.toLowerCase() === handle);
  if (found === undefined) {
    throw new UsageError(`unknown persona "${wanted}": run \`arena personas\` to list ids and handles`);
  }
  return found;
}

const COLUMNS = ['id', 'handle', 'phase', 'model', 'axes'] as const;

function formatTable(catalog: readonly Persona[]): string {
  const rows = catalog.map((p) => [p.id, `@${p.handle}`, p.phase, p.model, axesShort(p.personality)]);
  const header = COLUMNS.map((c) => c.toUpperCase());
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const phases = PHASES.map((ph) => `${catalog.filter((p) => p.phase === ph).length} ${ph}`).join(', ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${catalog.length} personas (${phases}); axes: thinking/decision/communication/action\n`;
}
