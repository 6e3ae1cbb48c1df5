import type { Kysely } from 'kysely';
import { insertLogs, type LogEntry } from '../../db/repositories/logs.ts';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../clock.ts';
import { type Logger, redact, redactFields, STORED_IN_SYSTEM_LOGS } from '../log.ts';

// Rows per insert, and the most kept in memory while the database is slow or away (the rest are
// counted and dropped: a long outage must not grow memory).
const BATCH_ROWS = 100;
const MAX_BUFFERED = 1000;
const FLUSH_MS = 1000;

export interface SystemLogSink {
  /** Queues one row; never blocks, never throws. */
  push(entry: Omit<LogEntry, 'now'>): void;
  /** Starts writing (rows queued before are kept, up to the cap). */
  attach(db: Kysely<Database>): void;
  /** Writes what is queued now (tests, shutdown). */
  flush(): Promise<void>;
  stats(): { buffered: number; written: number; dropped: number };
  close(): Promise<void>;
}

/**
 * Warnings and errors into `system_logs`, batched: every `flushMs` or `batchRows` rows, one insert.
 * When an insert fails the batch is dropped and counted; the next successful write adds one row
 * saying how many were lost. `log` reports the sink's own trouble (once per outage) and must not
 * be a logger that feeds this sink.
 */
export function createSystemLogSink(props: {
  clock: Clock;
  log: Logger;
  batchRows?: number;
  maxBuffered?: number;
  flushMs?: number;
}): SystemLogSink {
  const batchRows = props.batchRows ?? BATCH_ROWS;
  const maxBuffered = props.maxBuffered ?? MAX_BUFFERED;
  const flushMs = props.flushMs ?? FLUSH_MS;
  let db: Kysely<Database> | null = null;
  let buffer: LogEntry[] = [];
  let written = 0;
  let dropped = 0;
  // Dropped since the last successful write, reported in the next one.
  let unreported = 0;
  let failing = false;
  let writing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const schedule = (ms: number) => {
    if (timer || closed || !db) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, ms);
    timer.unref();
  };

  async function writeBatch(): Promise<void> {
    while (db && buffer.length > 0) {
      const batch = buffer.slice(0, batchRows);
      buffer = buffer.slice(batch.length);
      const lost = unreported;
      const rows =
        lost > 0
          ? [
              ...batch,
              {
                level: 'warn' as const,
                source: 'system-logs',
                message: `${lost} log row(s) dropped while the database could not take them`,
                now: props.clock.now(),
              },
            ]
          : batch;
      try {
        await insertLogs(db, rows);
        written += batch.length;
        unreported -= lost;
        if (failing) {
          failing = false;
          props.log.info('system_logs: writing again');
        }
      } catch (error) {
        dropped += batch.length;
        unreported += batch.length;
        if (!failing) {
          failing = true;
          props.log.warn(
            `system_logs: could not write (${error instanceof Error ? error.message : String(error)}); dropping and counting until the database answers`,
          );
        }
        return;
      }
    }
  }

  function flush(): Promise<void> {
    if (!writing) {
      writing = writeBatch().finally(() => {
        writing = null;
        if (buffer.length > 0) schedule(flushMs);
      });
    }
    return writing;
  }

  return {
    push(entry) {
      if (closed) return;
      if (buffer.length >= maxBuffered) {
        dropped++;
        unreported++;
        return;
      }
      buffer.push({ ...entry, now: props.clock.now() });
      if (buffer.length >= batchRows && !writing) void flush();
      else schedule(flushMs);
    },
    attach(handle) {
      db = handle;
      if (buffer.length > 0) schedule(0);
    },
    async flush() {
      await writing;
      await flush();
    },
    stats: () => ({ buffered: buffer.length, written, dropped }),
    async close() {
      if (timer) clearTimeout(timer);
      timer = null;
      await writing;
      await flush();
      closed = true;
    },
  };
}

/**
 * `base`, plus every warning and error (secrets redacted, as the console shows them) pushed into
 * `sink` with its source path. Rows a caller already stored (STORED_IN_SYSTEM_LOGS) are not pushed.
 */
export function teeToSystemLogs(base: Logger, sink: SystemLogSink, source = 'arena'): Logger {
  const tee =
    (level: 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void => {
      base[level](message, fields);
      if (fields && (fields as Record<PropertyKey, unknown>)[STORED_IN_SYSTEM_LOGS]) return;
      sink.push({
        level,
        source,
        message: redact(message),
        details: fields && Object.keys(fields).length ? jsonSafe(redactFields(fields)) : null,
      });
    };
  return {
    debug: (m, f) => base.debug(m, f),
    info: (m, f) => base.info(m, f),
    warn: tee('warn'),
    error: tee('error'),
    child: (s) => teeToSystemLogs(base.child(s), sink, `${source}:${s}`),
  };
}

/** Fields as JSON can hold them (an unserialisable value becomes its text). */
function jsonSafe(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
  } catch {
    return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
  }
}
