import type { Command } from 'commander';
import { z } from 'zod';
import {
  type FeedHealthView,
  feedHealthViews,
  type SignalView,
  toSignalView,
} from '../../dashboard/read-model.ts';
import { listSignals } from '../../db/repositories/signals.ts';
import { systemClock } from '../../engine/clock.ts';
import { collectSignals } from '../../engine/signals/collect.ts';
import { type Feed, loadFeedsFile } from '../../engine/signals/feeds-file.ts';
import type { Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { table, withReadSource, withStore } from './open-store.ts';
import { parseOptions } from './options.ts';

export interface SignalsCommandDeps {
  config: () => Config;
  write?: (text: string) => void;
}

const ListOptions = z.object({
  source: z.string().optional(),
  category: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(30),
  json: z.boolean().optional(),
});

/** `arena signals fetch|list|feeds`. */
export function registerSignalsCommands(program: Command, deps: SignalsCommandDeps): void {
  const write = deps.write ?? ((t: string) => process.stdout.write(t));
  const signals = program.command('signals').description('feeds and the signals collected from them');

  signals
    .command('fetch')
    .description('fetch the configured feeds now and store new items as signals')
    .option('--feed <url>', 'fetch only this feed (one of FEEDS_FILE, or any RSS/Atom URL)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { feed?: string; json?: boolean }) => {
      const config = deps.config();
      const feeds = await pickFeeds(config, opts.feed);
      await withStore(config, 'signals fetch', async (store) => {
        const report = await collectSignals({ db: store.db, clock: systemClock, log: store.log }, feeds);
        if (opts.json) return write(`${JSON.stringify(report)}\n`);
        write(
          `${table([
            ['FEED', 'STATUS', 'ITEMS', 'NEW', 'ERROR'],
            ...report.feeds.map((f) => [f.name, f.status, String(f.items), String(f.added), f.error ?? '']),
          ])}\n${report.added} new signal(s), ${report.errors} feed error(s)\n`,
        );
        if (report.errors > 0 && report.errors === report.feeds.length) process.exitCode = 1;
      });
    });

  signals
    .command('list')
    .description('newest signals')
    .option('--source <source>', 'only this source (rss, github, news, social, …)')
    .option('--category <category>', 'only this category')
    .option('--limit <n>', 'how many', '30')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const opts = parseOptions(ListOptions, raw);
      const rows = await withReadSource(deps.config(), 'signals list', async (source) => {
        if (source.via === 'database') return (await listSignals(source.store.db, opts)).map(toSignalView);
        const q = new URLSearchParams({ order: 'newest', limit: String(opts.limit) });
        if (opts.source) q.set('source', opts.source);
        if (opts.category) q.set('category', opts.category);
        return (await source.server.get<{ signals: SignalView[] }>(`/api/signals?${q}`)).signals;
      });
      if (opts.json) return write(`${JSON.stringify(rows)}\n`);
      if (rows.length === 0) return write('no signals yet; run `arena signals fetch`\n');
      write(
        `${table([
          ['COLLECTED', 'SOURCE', 'SCORE', 'MOOD', 'TITLE'],
          ...rows.map((s) => [
            s.collectedAt.slice(0, 16).replace('T', ' '),
            `${s.source}/${s.category}`,
            s.score.toFixed(2),
            s.sentiment ?? '',
            s.title.slice(0, 90),
          ]),
        ])}\n`,
      );
    });

  signals
    .command('feeds')
    .description('configured feeds and their health (last ok, last error, items, next fetch)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = deps.config();
      const feeds = await loadFeedsFile(config.FEEDS_FILE);
      const health = await withReadSource(config, 'signals feeds', async (source) => {
        if (source.via === 'database') return feedHealthViews(source.store.db);
        return (await source.server.get<{ signals: { feeds: FeedHealthView[] } }>('/api/state')).signals
          .feeds;
      });
      const byName = new Map(health.map((h) => [h.name, h]));
      const rows = feeds.map((f) => ({ ...f, health: byName.get(f.name) ?? null }));
      if (opts.json) return write(`${JSON.stringify(rows)}\n`);
      const when = (d: string | null | undefined) => (d ? d.slice(0, 16).replace('T', ' ') : '-');
      write(
        `${table([
          ['FEED', 'SOURCE', 'ON', 'LAST OK', 'ITEMS', 'NEXT', 'LAST ERROR'],
          ...rows.map((r) => [
            r.name,
            `${r.source}/${r.category}`,
            r.enabled ? 'yes' : 'no',
            when(r.health?.lastOkAt),
            String(r.health?.items ?? 0),
            when(r.health?.nextFetchAt),
            r.health?.failing ? (r.health.lastError ?? '').slice(0, 60) : '',
          ]),
        ])}\n`,
      );
    });
}

async function pickFeeds(config: Config, url: string | undefined): Promise<Feed[]> {
  const feeds = await loadFeedsFile(config.FEEDS_FILE);
  if (!url) return feeds;
  const known = feeds.find((f) => f.url === url);
  if (known) return [{ ...known, enabled: true }];
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`--feed: expected an http(s) URL, got "${url.slice(0, 80)}"`);
  }
  return [{ name: new URL(url).hostname, url, source: 'rss', category: 'general', enabled: true }];
}
