import cron from 'node-cron';
import type { Persona } from '../../personas/types.ts';
import { type Config, ConfigError } from '../config.ts';
import { DEFAULT_SCHEDULES, type JobName, type JobSettings } from './definitions.ts';

const SCHEDULE_VARS: Record<JobName, keyof Config> = {
  'signals.fetch': 'SCHEDULE_SIGNALS_FETCH',
  'trends.analyze': 'SCHEDULE_TRENDS_ANALYZE',
  'ideas.generate': 'SCHEDULE_IDEAS_GENERATE',
  'debate.auto': 'SCHEDULE_DEBATE_AUTO',
  retention: 'SCHEDULE_RETENTION',
};

/** Job settings from config; a bad cron expression stops the start naming its variable. */
export function jobSettings(config: Config, personas: readonly Persona[]): JobSettings {
  const schedules = { ...DEFAULT_SCHEDULES };
  for (const [job, name] of Object.entries(SCHEDULE_VARS) as Array<[JobName, keyof Config]>) {
    const value = config[name];
    if (typeof value !== 'string') continue;
    if (!cron.validate(value))
      throw new ConfigError(`${name}: expected a cron expression such as "*/30 * * * *"`);
    schedules[job] = value;
  }
  // Ideas are a planner's work: the first planning persona's model, unless IDEAS_MODEL says otherwise.
  const planner = personas.find((p) => p.phase === 'planning') ?? personas[0];
  return {
    feedsFile: config.FEEDS_FILE,
    schedules,
    enabled: config.JOBS === 'on',
    retention: {
      signalsDays: config.RETENTION_SIGNALS_DAYS,
      logsDays: config.RETENTION_LOGS_DAYS,
      messagesDays: config.RETENTION_MESSAGES_DAYS,
      usageDays: config.RETENTION_USAGE_DAYS,
    },
    ideasModel: config.IDEAS_MODEL ?? planner?.model ?? 'llama3.2:3b',
    autoDebateChannel: config.AUTO_DEBATE_CHANNEL,
  };
}
