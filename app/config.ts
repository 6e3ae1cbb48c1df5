import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_CHAT_LIMITS } from '../bot/constants.ts';
import { MAX_DEBATES_PER_RUNNER } from '../engine/constants.ts';
import { ROLES } from './roles/role.ts';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (protocols: string[], what: string) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected ${what}` },
  );

const port = (fallback: number) =>
  optionalString
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .refine((v) => Number.isInteger(v) && v >= 0 && v <= 65535, {
      message: 'expected a port number between 0 and 65535',
    });

const money = (fallback: number) =>
  optionalString
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .refine((v) => Number.isFinite(v) && v >= 0, { message: 'expected a non-negative amount in USD' });

const positiveInt = (fallback: number, max: number) =>
  optionalString
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .refine((v) => Number.isInteger(v) && v >= 1 && v <= max, {
      message: `expected a whole number from 1 to ${max}`,
    });

const milliseconds = (fallback: number, max: number) =>
  optionalString
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .refine((v) => Number.isInteger(v) && v >= 0 && v <= max, {
      message: `expected milliseconds from 0 to ${max}`,
    });

const optionalPositiveInt = (max: number) =>
  optionalString
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .refine((v) => v === undefined || (Number.isInteger(v) && v >= 1 && v <= max), {
      message: `expected a whole number from 1 to ${max}`,
    });

const envSchema = z.object({
  ARENA_ROLE: z.enum(ROLES).default('all'),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'a postgres:// URL, or leave unset for embedded PGlite'),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt(15_000, 600_000),
  DATA_DIR: optionalString.default('./data'),
  REDIS_URL: url(['redis:', 'rediss:'], 'a redis:// URL, or leave unset for the in-process bus'),
  // Arenas sharing a Redis server with different prefixes never see each other's events, cache or limits.
  REDIS_PREFIX: optionalString
    .transform((v) => v ?? 'arena:')
    .refine((v) => /^[A-Za-z0-9:._-]{1,64}$/.test(v), {
      message: 'expected 1 to 64 letters, digits or : . _ - (such as arena: or staging:)',
    }),
  OLLAMA_HOST: url(['http:', 'https:'], 'an http(s) URL such as http://127.0.0.1:11434').default(
    'http://127.0.0.1:11434',
  ),
  LLM_PROVIDER: z.enum(['auto', 'ollama', 'openai', 'offline']).default('auto'),
  OPENAI_BASE_URL: url(['http:', 'https:'], 'an http(s) URL of an OpenAI-compatible API'),
  OPENAI_API_KEY: optionalString,
  OPENAI_MODEL_MAP: optionalString,
  LLM_PRICES: optionalString,
  LLM_TIMEOUT_MS: positiveInt(120_000, 3_600_000),
  LLM_CONCURRENCY: optionalPositiveInt(256),
  OFFLINE_TURN_DELAY_MS: milliseconds(1500, 60_000),
  PERSONAS_DIR: optionalString,
  DEBATE_ROUNDS: positiveInt(2, 10),
  DEBATE_BUDGET_USD: money(5),
  ARENA_MAX_DEBATES: positiveInt(MAX_DEBATES_PER_RUNNER, 100_000),
  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString.refine((v) => v === undefined || /^\d{17,20}$/.test(v), {
    message: 'expected a Discord application id (17-20 digits)',
  }),
  DISCORD_API_URL: url(['http:', 'https:'], 'an http(s) URL of a Discord-compatible REST API'),
  DISCORD_MANAGER_ROLE: optionalString,
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: url(['http:', 'https:'], 'an http(s) URL of a Slack-compatible Web API'),
  SLACK_MANAGERS: optionalString.refine(
    (v) => v === undefined || v.split(',').every((id) => /^[UW][A-Z0-9]{2,}$/.test(id.trim())),
    { message: 'expected Slack user ids separated by commas, e.g. U0123ABCD,U0456EFGH' },
  ),
  DASHBOARD_HOST: optionalString.default('127.0.0.1'),
  DASHBOARD_PORT: port(3000),
  DASHBOARD_TOKEN: optionalString,
  DASHBOARD_REQUIRE_TOKEN_FOR_READS: optionalString
    .refine((v) => v === undefined || /^(true|false|1|0|yes|no)$/i.test(v), {
      message: 'expected true or false',
    })
    .transform((v) => v !== undefined && /^(true|1|yes)$/i.test(v)),
  DASHBOARD_ALLOWED_HOSTS: optionalString
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine((hosts) => hosts.every((h) => /^[a-z0-9.-]+$|^[0-9a-f:]+$/.test(h)), {
      message: 'expected host names separated by commas, e.g. arena.example.com,arena.local',
    }),
  DASHBOARD_MAX_STREAMS: positiveInt(100, 10_000),
  DASHBOARD_ACTIONS_PER_MINUTE: positiveInt(30, 10_000),
  CHAT_COMMANDS_PER_MINUTE: positiveInt(DEFAULT_CHAT_LIMITS.commandsPerMinute, 10_000),
  CHAT_MESSAGES_PER_MINUTE: positiveInt(DEFAULT_CHAT_LIMITS.messagesPerMinute, 10_000),
  ARENA_SECRET_KEY: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'expected at least 16 characters (e.g. `openssl rand -base64 32`)',
  }),
  ARENA_OLD_SECRET_KEY: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'expected at least 16 characters: the key the stored secrets were sealed with',
  }),
  PUBLIC_URL: url(['http:', 'https:'], 'an http(s) URL where this server is reachable'),
  BUDGET_DAILY_USD: money(50),
  BUDGET_MONTHLY_USD: money(1500),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  FEEDS_FILE: optionalString,
  JOBS: z.enum(['on', 'off']).default('on'),
  SCHEDULE_SIGNALS_FETCH: optionalString,
  SCHEDULE_TRENDS_ANALYZE: optionalString,
  SCHEDULE_IDEAS_GENERATE: optionalString,
  SCHEDULE_DEBATE_AUTO: optionalString,
  SCHEDULE_RETENTION: optionalString,
  AUTO_DEBATE_CHANNEL: optionalString.refine(
    (v) => v === undefined || /^(discord|slack):[^/\s]+\/[^/\s]+$/.test(v),
    {
      message: 'expected <platform>:<workspace id>/<channel id>, e.g. discord:123…/456…',
    },
  ),
  IDEAS_MODEL: optionalString,
  RETENTION_SIGNALS_DAYS: positiveInt(90, 36_500),
  RETENTION_LOGS_DAYS: positiveInt(30, 36_500),
  RETENTION_MESSAGES_DAYS: positiveInt(180, 36_500),
  RETENTION_USAGE_DAYS: positiveInt(365, 36_500),
});

type Env = z.infer<typeof envSchema>;

export interface Config extends Readonly<Omit<Env, 'PUBLIC_URL' | 'DATA_DIR'>> {
  readonly DATA_DIR: string;
  /** Base URL for avatars and links; defaults to the dashboard's own address. */
  readonly PUBLIC_URL: string;
  /** Folder of the embedded database. */
  readonly pgliteDir: string;
}

/** Why a chat platform is off in this configuration (the setting to add), or null when it is on. */
export function chatPlatformOff(config: Config, platform: string): string | null {
  if (platform === 'discord')
    return config.DISCORD_TOKEN && config.DISCORD_APPLICATION_ID ? null : 'set DISCORD_TOKEN';
  if (platform === 'slack') return config.SLACK_BOT_TOKEN ? null : 'set SLACK_BOT_TOKEN';
  return `unknown platform ${platform}`;
}

/** Every setting with its one-line description, in the order `.env.example` lists them. */
export const SETTINGS = Object.keys(envSchema.shape) as Array<keyof Env>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly exitCode = 2;
}

/** Parses the environment once; the first bad variable stops the start with a message naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const got = env[name];
    const shown =
      got === undefined || isSecret(name) ? '' : ` (got "${redactCredentials(got).slice(0, 80)}")`;
    throw new ConfigError(`${name}: ${describeIssue(issue)}${shown}`);
  }
  const e = result.data;
  if (e.DISCORD_TOKEN && !e.DISCORD_APPLICATION_ID) {
    throw new ConfigError('DISCORD_APPLICATION_ID: required when DISCORD_TOKEN is set');
  }
  if (e.SLACK_APP_TOKEN && !e.SLACK_APP_TOKEN.startsWith('xapp-')) {
    throw new ConfigError('SLACK_APP_TOKEN: expected an app-level token starting with xapp-');
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  if (e.DASHBOARD_REQUIRE_TOKEN_FOR_READS && !e.DASHBOARD_TOKEN) {
    throw new ConfigError('DASHBOARD_TOKEN: required when DASHBOARD_REQUIRE_TOKEN_FOR_READS=true');
  }
  if (e.LLM_PROVIDER === 'openai' && !e.OPENAI_BASE_URL) {
    throw new ConfigError('OPENAI_BASE_URL: required when LLM_PROVIDER=openai');
  }
  const publicHost =
    e.DASHBOARD_HOST === '0.0.0.0' || e.DASHBOARD_HOST === '::' ? '127.0.0.1' : e.DASHBOARD_HOST;
  const config: Config = {
    ...e,
    PUBLIC_URL: (e.PUBLIC_URL ?? `http://${publicHost}:${e.DASHBOARD_PORT}`).replace(/\/+$/, ''),
    pgliteDir: path.join(e.DATA_DIR, 'pglite'),
  };
  return Object.freeze(config);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => String(v)).join(', ')}`;
  return issue.message;
}

const SECRET_NAMES = /TOKEN|SECRET|KEY|PASSWORD/;

export function isSecret(name: string): boolean {
  return SECRET_NAMES.test(name);
}

/**
 * Hides the user information of a URL-like value before it is shown anywhere. The value may be
 * malformed (that is why it is shown), so nothing is parsed: everything up to the last `@` goes,
 * whatever it contains (`/`, `:`, `@`) and whether or not there is a scheme.
 */
export function redactCredentials(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  return `${scheme}***@${value.slice(at + 1)}`;
}
