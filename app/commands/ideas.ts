import type { Command } from 'commander';
import { z } from 'zod';
import { listIdeas } from '../../db/repositories/ideas.ts';
import { latestTrends } from '../../db/repositories/trends.ts';
import { systemClock } from '../../engine/clock.ts';
import { addIdea } from '../../engine/signals/ideas.ts';
import { TREND_PERIODS } from '../../engine/signals/trends.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure } from '../errors.ts';
import { openStore, table } from './open-store.ts';
import { parseOptions } from './signals.ts';

export interface IdeasCommandDeps {
  config: () => Config;
  write?: (text: string) => void;
}

const TrendOptions = z.object({
  period: z.enum(TREND_PERIODS).default('24h'),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  json: z.boolean().optional(),
});

const IdeaOptions = z.object({
  status: z.enum(['pending', 'in_debate', 'selected', 'rejected', 'planned']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(30),
  json: z.boolean().optional(),
});

/** `arena trends` and `arena ideas [add]`. */
export function registerIdeasCommands(program: Command, deps: IdeasCommandDeps): void {
  const write = deps.write ?? ((t: string) => process.stdout.write(t));

  program
    .command('trends')
    .description('the latest trends of a period (keyword clusters scored by growth)')
    .option('--period <period>', '24h, 7d or 30d', '24h')
    .option('--limit <n>', 'how many', '10')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const opts = parseOptions(TrendOptions, raw);
      const store = await openStore(deps.config());
      try {
        const rows = await latestTrends(store.db, opts.period, opts.limit);
        if (opts.json) return write(`${JSON.stringify(rows)}\n`);
        if (rows.length === 0)
          return write(`no ${opts.period} trends yet; run \`arena jobs run trends.analyze\` after a fetch\n`);
        write(
          `${table([
            ['SCORE', 'SIGNALS', 'GROWTH', 'CATEGORY', 'TREND'],
            ...rows.map((t) => [
              Number(t.score).toFixed(1),
              String(t.signal_count),
              `×${(t.analysis_data as { growth?: number } | null)?.growth ?? 1}`,
              t.category ?? '',
              t.name,
            ]),
          ])}\n`,
        );
      } finally {
        await store.close();
      }
    });

  const ideas = program
    .command('ideas')
    .description('ideas waiting for a debate, and their status')
    .option('--status <status>', 'pending, in_debate, selected, rejected or planned')
    .option('--limit <n>', 'how many', '30')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const opts = parseOptions(IdeaOptions, raw);
      const store = await openStore(deps.config());
      try {
        const rows = await listIdeas(store.db, opts);
        if (opts.json) return write(`${JSON.stringify(rows)}\n`);
        if (rows.length === 0) return write('no ideas yet; `arena ideas add "…"` adds one\n');
        write(
          `${table([
            ['CREATED', 'STATUS', 'SCORE', 'TITLE'],
            ...rows.map((i) => [
              i.createdAt.slice(0, 16).replace('T', ' '),
              i.status,
              i.score.toFixed(1),
              i.title.slice(0, 90),
            ]),
          ])}\n`,
        );
      } finally {
        await store.close();
      }
    });

  ideas
    .command('add')
    .description('add an idea of your own (it waits as pending for a debate)')
    .argument('<title>', 'the idea in a sentence')
    .option('--summary <text>', 'a longer description')
    .option('--json', 'print JSON')
    .action(async (title: string, opts: { summary?: string; json?: boolean }) => {
      const store = await openStore(deps.config());
      try {
        const result = await addIdea(
          { db: store.db, clock: systemClock },
          { title, ...(opts.summary ? { summary: opts.summary } : {}), by: 'cli' },
        );
        if (opts.json) return write(`${JSON.stringify(result)}\n`);
        if (result.ok) return write(`added idea ${result.idea.id}: ${result.idea.title}\n`);
        if (result.reason === 'duplicate')
          throw new RuntimeFailure(`not added: too close to the existing idea "${result.similarTo}"`);
        throw new RuntimeFailure(`not added: ${result.error}`);
      } finally {
        await store.close();
      }
    });
}
