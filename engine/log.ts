/** Structured logger every module takes as a dependency; secrets are redacted before output. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(source: string): Logger;
}

/**
 * Set (as a field) on a warning or error its caller already wrote to system_logs, so the batched
 * sink (engine/logs/system-log-sink.ts) does not write it twice. A symbol: never printed.
 */
export const STORED_IN_SYSTEM_LOGS: unique symbol = Symbol('stored in system_logs');

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

const SECRET_KEY = /token|secret|password|authorization|api_?key/i;
// Discord bot tokens, Slack tokens, bearer headers and credentials in URLs.
const SECRET_VALUE = [
  /\b(xox[abprs]-[A-Za-z0-9-]{8,})/g,
  /\b(xapp-[A-Za-z0-9-]{8,})/g,
  /\b([A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,})\b/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi,
  // Up to the last `@` of the word: a password may itself hold `/` or `@`.
  /(\/\/[^:/@\s]+:)\S+(?=@)/g,
  /(\/webhooks\/\d+\/)[A-Za-z0-9_-]+/g,
];

/** Replaces anything that looks like a secret in a string. */
export function redact(text: string): string {
  let out = text;
  for (const re of SECRET_VALUE) {
    out = out.replace(re, (_m, keep: string) =>
      keep && (keep.endsWith(' ') || keep.endsWith(':') || keep.endsWith('/')) ? `${keep}***` : '***',
    );
  }
  return out;
}

/** A log call's fields with secret-looking keys and values hidden. */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEY.test(k)) out[k] = '***';
    else if (typeof v === 'string') out[k] = redact(v);
    else if (v instanceof Error) out[k] = redact(v.message);
    else out[k] = v;
  }
  return out;
}

export interface ConsoleLoggerOptions {
  level: LogLevel;
  source?: string;
  /** Where lines go; stderr by default so stdout stays clean for `--json` output. */
  write?: (line: string) => void;
}

export function createConsoleLogger(opts: ConsoleLoggerOptions): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const make = (source: string): Logger => {
    const log =
      (level: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
        if (ORDER[level] < ORDER[opts.level]) return;
        const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(redactFields(fields))}` : '';
        write(`${new Date().toISOString()} ${level.padEnd(5)} [${source}] ${redact(message)}${extra}`);
      };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (s) => make(`${source}:${s}`),
    };
  };
  return make(opts.source ?? 'arena');
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
