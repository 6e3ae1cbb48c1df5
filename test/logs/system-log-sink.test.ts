import { afterEach, describe, expect, it } from 'vitest';
import { listLogs } from '../../db/repositories/logs.ts';
import { type Logger, STORED_IN_SYSTEM_LOGS, silentLogger } from '../../engine/log.ts';
import { createSystemLogSink, teeToSystemLogs } from '../../engine/logs/system-log-sink.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

const clock = { now: () => new Date() };
const open: TestDatabase[] = [];
afterEach(async () => {
  while (open.length)
    await open
      .pop()!
      .dispose()
      .catch(() => {});
});

function recording(lines: string[]): Logger {
  const log: Logger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    child: () => log,
  };
  return log;
}

describe.each(testDialects())('warnings and errors in system_logs on %s', (dialect) => {
  it('writes warn and error rows in batches, redacted, with their source; not debug/info', async () => {
    const t = await createTestDatabase(dialect);
    open.push(t);
    const sink = createSystemLogSink({ clock, log: silentLogger, batchRows: 3 });
    const console: string[] = [];
    const log = teeToSystemLogs(recording(console), sink).child('jobs');
    log.info('an info line');
    log.debug('a debug line');
    log.warn('feed failed for https://user:hunter2@example.com/rss', {
      token: 'xoxb-123456789-abcdef',
      items: 3,
    });
    log.error('job crashed', { error: new Error('boom') });
    log.warn('already stored', { [STORED_IN_SYSTEM_LOGS]: true } as Record<string, unknown>);
    // Queued before the database is attached, kept.
    expect(sink.stats().buffered).toBe(2);
    sink.attach(t.db);
    await sink.flush();
    const rows = await listLogs(t.db, {});
    expect(rows.map((r) => r.message).sort()).toEqual([
      'feed failed for https://user:***@example.com/rss',
      'job crashed',
    ]);
    const warn = rows.find((r) => r.level === 'warn')!;
    expect(warn.source).toBe('arena:jobs');
    expect(warn.details).toEqual({ token: '***', items: 3 });
    expect(rows.find((r) => r.level === 'error')?.details).toEqual({ error: 'boom' });
    // The console still got every line.
    expect(console).toHaveLength(5);

    // Enough rows for several batches: all land, none lost.
    for (let i = 0; i < 10; i++) log.warn(`warning ${i}`);
    await sink.close();
    expect((await listLogs(t.db, { limit: 100 })).length).toBe(12);
    expect(sink.stats()).toMatchObject({ written: 12, dropped: 0, buffered: 0 });
  }, 60_000);
});

describe('system_logs sink while the database is down', () => {
  it('keeps at most its cap in memory, counts what it drops, and reports the loss when writing again', async () => {
    const t = await createTestDatabase('pglite');
    open.push(t);
    const down = await createTestDatabase('pglite');
    await down.dispose();
    const complaints: string[] = [];
    const sink = createSystemLogSink({ clock, log: recording(complaints), batchRows: 50, maxBuffered: 200 });
    const log = teeToSystemLogs(silentLogger, sink);
    sink.attach(down.db);
    for (let i = 0; i < 20_000; i++) {
      log.error(`error ${i}`);
      expect(sink.stats().buffered).toBeLessThanOrEqual(200);
    }
    await sink.flush();
    const s = sink.stats();
    expect(s.written).toBe(0);
    expect(s.buffered + s.dropped).toBe(20_000);
    expect(s.dropped).toBeGreaterThanOrEqual(20_000 - 200);
    // One complaint for the whole outage.
    expect(complaints.filter((c) => c.startsWith('warn'))).toHaveLength(1);

    // The database answers again: the next batch lands with one row counting the loss.
    sink.attach(t.db);
    log.warn('after the outage');
    await sink.close();
    const rows = await listLogs(t.db, { limit: 500 });
    const note = rows.find((r) => r.source === 'system-logs');
    expect(note?.message).toMatch(/^\d+ log row\(s\) dropped/);
    expect(Number(note!.message.split(' ')[0])).toBe(sink.stats().dropped);
    expect(rows.some((r) => r.message === 'after the outage')).toBe(true);
    expect(complaints.some((c) => /writing again/.test(c))).toBe(true);
  }, 60_000);
});
