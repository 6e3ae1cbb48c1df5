import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { systemClock } from '../../engine/clock.ts';
import { createConsoleLogger, type Logger, redact } from '../../engine/log.ts';
import { createSystemLogSink, teeToSystemLogs } from '../../engine/logs/system-log-sink.ts';
import type { Config } from '../config.ts';
import { UsageError } from '../errors.ts';

/**
 * The log of a one-off terminal command: lines on stderr (quieter than a server's by default, so
 * stdout stays the command's output) and, like a server's, its warnings and errors in `system_logs`
 * (View Full Logs shows what `arena cycle` or `arena jobs run` ran into), flushed before it exits.
 */
export interface CommandLog {
  log: Logger;
  /** Starts writing `system_logs` into this database (rows logged before are kept). */
  attach(db: Kysely<Database>): void;
  /** Records the command's own failure in `system_logs` only (the CLI prints it on stderr itself). */
  failed(command: string, error: unknown): void;
  /** Writes what is left; call before the database closes. */
  close(): Promise<void>;
}

export function createCommandLog(config: Pick<Config, 'LOG_LEVEL'>): CommandLog {
  const level = config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL;
  const console = createConsoleLogger({ level, source: 'cli' });
  const sink = createSystemLogSink({ clock: systemClock, log: console.child('system-logs') });
  return {
    log: teeToSystemLogs(console, sink, 'cli'),
    attach: (db) => sink.attach(db),
    failed(command, error) {
      // Usage mistakes are the caller's, not the system's.
      if (error instanceof UsageError || (error as { exitCode?: unknown })?.exitCode === 2) return;
      const message = error instanceof Error ? error.message : String(error);
      sink.push({ level: 'error', source: 'cli', message: redact(`arena ${command} failed: ${message}`) });
    },
    close: () => sink.close(),
  };
}
