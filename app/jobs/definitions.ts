import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';
import type { Clock } from '../../engine/clock.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import type { Logger } from '../../engine/log.ts';
import { analyzeTrends } from '../../engine/signals/analyze.ts';
import { collectSignals } from '../../engine/signals/collect.ts';
import { loadFeedsFile } from '../../engine/signals/feeds-file.ts';
import { generateIdeas } from '../../engine/signals/ideas.ts';
import { type RetentionPolicy, runRetention } from '../../engine/signals/retention.ts';
import { autoDebate, type DebateThreadTarget } from './auto-debate.ts';
import type { JobDefinition } from './scheduler.ts';

export interface JobSettings {
  feedsFile: string | undefined;
  schedules: Record<JobName, string>;
  /** Scheduling on or off (jobs stay runnable by hand). */
  enabled: boolean;
  retention: RetentionPolicy;
  ideasModel: string;
  /** `AUTO_DEBATE_CHANNEL` as given, for the reason shown when the target is missing. */
  autoDebateChannel: string | undefined;
}

export const JOB_NAMES = [
  'signals.fetch',
  'trends.analyze',
  'ideas.generate',
  'debate.auto',
  'retention',
] as const;
export type JobName = (typeof JOB_NAMES)[number];

export const DEFAULT_SCHEDULES: Record<JobName, string> = {
  'signals.fetch': '*/30 * * * *',
  'trends.analyze': '5 * * * *',
  'ideas.generate': '20 */6 * * *',
  'debate.auto': '0 9 * * *',
  retention: '30 3 * * *',
};

export interface JobDeps {
  db: Kysely<Database>;
  arena: Arena;
  llm: LlmProvider;
  clock: Clock;
  log: Logger;
  settings: JobSettings;
  /** The chat channel of the daily debate, when AUTO_DEBATE_CHANNEL names one on a configured platform. */
  debateTarget?: () => DebateThreadTarget | undefined;
  price?: (provider: string, model: string, promptTokens: number, completionTokens: number) => number;
}

/** The arena's scheduled jobs (signals → trends → ideas → debate, and retention). */
export function buildJobs(deps: JobDeps): JobDefinition[] {
  const { db, clock, settings } = deps;
  const log = deps.log.child('jobs');
  const on = settings.enabled;
  const target = () => deps.debateTarget?.();
  return [
    {
      name: 'signals.fetch',
      schedule: settings.schedules['signals.fetch'],
      enabled: on,
      async run() {
        const feeds = await loadFeedsFile(settings.feedsFile);
        const r = await collectSignals({ db, clock, log }, feeds, { dueOnly: true });
        return { feeds: r.feeds.length, added: r.added, errors: r.errors };
      },
    },
    {
      name: 'trends.analyze',
      schedule: settings.schedules['trends.analyze'],
      enabled: on,
      async run() {
        const stored = await analyzeTrends({ db, clock });
        return Object.fromEntries(Object.entries(stored).map(([p, rows]) => [p, rows.length]));
      },
    },
    {
      name: 'ideas.generate',
      schedule: settings.schedules['ideas.generate'],
      enabled: on,
      async run() {
        const r = await generateIdeas(
          {
            db,
            llm: deps.llm,
            model: settings.ideasModel,
            clock,
            log,
            ...(deps.price ? { price: deps.price } : {}),
          },
          { period: '24h' },
        );
        return {
          trends: r.trends,
          added: r.added.length,
          duplicates: r.duplicates.length,
          failed: r.failed.length,
        };
      },
    },
    {
      name: 'debate.auto',
      schedule: settings.schedules['debate.auto'],
      // Off unless a channel is named and its platform is configured (a bot process opens the thread).
      enabled: on && !!settings.autoDebateChannel && !!target(),
      disabledReason: !settings.autoDebateChannel
        ? 'set AUTO_DEBATE_CHANNEL'
        : target()
          ? 'scheduling is off'
          : `${settings.autoDebateChannel.split(':')[0]} is not configured`,
      async run() {
        const t = target();
        if (!t)
          throw new Error(
            settings.autoDebateChannel
              ? "the channel's platform is not configured"
              : 'AUTO_DEBATE_CHANNEL is not set',
          );
        return autoDebate({ db, arena: deps.arena, target: t });
      },
    },
    {
      name: 'retention',
      schedule: settings.schedules.retention,
      enabled: on,
      async run() {
        return { ...(await runRetention({ db, clock }, settings.retention)) };
      },
    },
  ];
}
