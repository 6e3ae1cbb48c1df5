import type { Command } from 'commander';
import type { Config } from './config.ts';

/**
 * The `arena` commands, one group per module, each loaded only when it runs: `arena --help` lists
 * them from `help` without importing the database, the engine or zod. test/app/cli-lazy.test.ts
 * checks `help` against what each module really registers.
 */
export interface CommandGroup {
  /** The top-level commands the group adds, as `arena --help` lists them. */
  help: Record<string, { term: string; description: string }>;
  register(program: Command, config: () => Config): Promise<void>;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    help: {
      start: {
        term: 'start [options]',
        description: 'migrate the database, then run everything configured (dashboard, engine, bots)',
      },
    },
    register: async (program, config) =>
      (await import('./commands/start.ts')).registerStartCommand(program, { config }),
  },
  {
    help: {
      migrate: {
        term: 'migrate',
        description: 'apply pending database migrations (a no-op when up to date)',
      },
      db: { term: 'db', description: 'database tools' },
    },
    register: async (program, config) =>
      (await import('./commands/db.ts')).registerDbCommands(program, { config }),
  },
  {
    help: {
      personas: {
        term: 'personas [options]',
        description: 'list the persona catalog (built-in plus PERSONAS_DIR)',
      },
    },
    register: async (program, config) => {
      const [{ registerPersonasCommand }, { loadCatalog }, { langFromLocale }] = await Promise.all([
        import('./commands/personas.ts'),
        import('../personas/index.ts'),
        import('./commands/lang.ts'),
      ]);
      registerPersonasCommand(program, {
        loadPersonas: () => loadCatalog({ extraDir: config().PERSONAS_DIR }),
        // The same default as `arena debate`: the terminal's locale.
        defaultLang: langFromLocale(process.env),
      });
    },
  },
  {
    help: {
      debate: {
        term: 'debate [options] <idea>',
        description: 'run one whole debate in the terminal: divergence, convergence, planning',
      },
      debates: { term: 'debates', description: 'list, show and export debates' },
    },
    register: async (program, config) => {
      const [{ registerDebateCommands }, { createConsoleLogger }] = await Promise.all([
        import('./commands/debate.ts'),
        import('../engine/log.ts'),
      ]);
      registerDebateCommands(program, {
        async openRead() {
          const c = config();
          const log = createConsoleLogger({ level: c.LOG_LEVEL === 'info' ? 'warn' : c.LOG_LEVEL });
          const { openForReading } = await import('./commands/open-reader.ts');
          const reader = await openForReading(c, log);
          if (reader.via === 'server')
            process.stderr.write('(read through the running arena: it holds the embedded database)\n');
          return reader;
        },
        async open(opts) {
          const c = config();
          const { openDebateArena } = await import('./commands/open-debate.ts');
          const ctx = await openDebateArena(c, opts);
          if ('server' in ctx) return ctx;
          if (process.stderr.isTTY) process.stderr.write(`llm: ${ctx.llmDescription}\n`);
          return { arena: ctx.arena, runner: ctx.runner, bus: ctx.bus, close: ctx.close };
        },
      });
    },
  },
  {
    help: { secrets: { term: 'secrets', description: 'stored secrets (webhook tokens sealed at rest)' } },
    register: async (program, config) =>
      (await import('./commands/secrets.ts')).registerSecretsCommands(program, { config }),
  },
  {
    help: { discord: { term: 'discord', description: 'Discord tools' } },
    register: async (program, config) => {
      (await import('./commands/discord.ts')).registerDiscordCommands(program, { config });
    },
  },
  {
    help: { signals: { term: 'signals', description: 'feeds and the signals collected from them' } },
    register: async (program, config) =>
      (await import('./commands/signals.ts')).registerSignalsCommands(program, { config }),
  },
  {
    help: {
      trends: {
        term: 'trends [options]',
        description: 'the latest trends of a period (keyword clusters scored by growth)',
      },
      ideas: { term: 'ideas [options]', description: 'ideas waiting for a debate, and their status' },
    },
    register: async (program, config) =>
      (await import('./commands/ideas.ts')).registerIdeasCommands(program, { config }),
  },
  {
    help: {
      jobs: {
        term: 'jobs',
        description: 'scheduled jobs: signals.fetch, trends.analyze, ideas.generate, debate.auto, retention',
      },
      cycle: {
        term: 'cycle [options]',
        description: 'the whole loop once: fetch feeds → trends → ideas → debate the top idea → plan',
      },
    },
    register: async (program, config) =>
      (await import('./commands/jobs.ts')).registerJobsCommands(program, { config }),
  },
];
