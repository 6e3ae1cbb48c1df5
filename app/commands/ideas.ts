import type { Command } from 'commander';
import { z } from 'zod';
import { listIdeas } from '../../db/repositories/ideas.ts';
import { latestTrends } from '../../db/repositories/trends.ts';
import type { IdeaSummaryView } from '../../engine/api.ts';
import { systemClock } from '../../engine/clock.ts';
import { addIdea } from '../../engine/signals/ideas.ts';
import { TREND_PERIODS } from '../../engine/signals/trends.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure, UsageError } from '../errors.ts';
import { table, withReadSource } from './open-store.ts';
import { parseOptions } from './options.ts';

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

/** A trend as `arena trends` prints it, and as `GET /api/trends` answers. */
interface TrendLine {
  name: string;
  category: string | null;
  score: number;
  signalCount: number;
  growth: number;
}

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
      const rows = await withReadSource(deps.config(), 'trends', async (source): Promise<TrendLine[]> => {
        if (source.via === 'server')
          return (
            await source.server.get<{ trends: TrendLine[] }>(
              `/api/trends?period=${opts.period}&limit=${opts.limit}`,
            )
          ).trends;
        return (await latestTrends(source.store.db, opts.period, opts.limit)).map((t) => ({
          name: t.name,
          category: t.category,
          score: Number(t.score),
          signalCount: Number(t.signal_count),
          growth: (t.analysis_data as { growth?: number } | null)?.growth ?? 1,
        }));
      });
      if (opts.json) return write(`${JSON.stringify(rows)}\n`);
      if (rows.length === 0)
        return write(`no ${opts.period} trends yet; run \`arena jobs run trends.analyze\` after a fetch\n`);
      write(
        `${table([
          ['SCORE', 'SIGNALS', 'GROWTH', 'CATEGORY', 'TREND'],
          ...rows.map((t) => [
            t.score.toFixed(1),
            String(t.signalCount),
            `×${t.growth}`,
            t.category ?? '',
            t.name,
          ]),
        ])}\n`,
      );
    });

  const ideas = program
    .command('ideas')
    .description('ideas waiting for a debate, and their status')
    .option('--status <status>', 'pending, in_debate, selected, rejected or planned')
    .option('--limit <n>', 'how many', '30')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const opts = parseOptions(IdeaOptions, raw);
      const rows = await withReadSource(deps.config(), 'ideas', async (source) => {
        if (source.via === 'database') return listIdeas(source.store.db, opts);
        const q = new URLSearchParams({
          limit: String(opts.limit),
          ...(opts.status ? { status: opts.status } : {}),
        });
        return (await source.server.get<{ ideas: IdeaSummaryView[] }>(`/api/ideas?${q}`)).ideas;
      });
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
    });

  ideas
    .command('add')
    .description('add an idea of your own (it waits as pending for a debate)')
    .argument('<title>', 'the idea in a sentence')
    .option('--summary <text>', 'a longer description')
    .option('--json', 'print JSON')
    .action(async (title: string, opts: { summary?: string; json?: boolean }) => {
      const added = await withReadSource(deps.config(), 'ideas add', async (source) => {
        if (source.via === 'server') {
          // The running arena adds it (and shows it in the dashboard): same rule, same refusals.
          const { idea } = await source.server.post<{ idea: IdeaSummaryView }>('/api/ideas', {
            title,
            ...(opts.summary ? { summary: opts.summary } : {}),
            by: 'cli',
          });
          return { ok: true as const, idea };
        }
        return addIdea(
          { db: source.store.db, clock: systemClock },
          { title, ...(opts.summary ? { summary: opts.summary } : {}), by: 'cli' },
        );
      });
      if (opts.json) write(`${JSON.stringify(added)}\n`);
      if (added.ok) {
        if (!opts.json) write(`added idea ${added.idea.id}: ${added.idea.title}\n`);
        return;
      }
      if (added.reason === 'duplicate')
        throw new RuntimeFailure(`not added: too close to the existing idea "${added.similarTo}"`);
      // The idea itself is not acceptable: a usage error, like a bad option.
      throw new UsageError(`not added: ${added.error}`);
    });
}
