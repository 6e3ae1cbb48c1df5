import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../clock.ts';

/** Days each kind of row is kept in full (the seed's section 3.8). Ideas and plans are kept forever. */
export interface RetentionPolicy {
  signalsDays: number;
  logsDays: number;
  /** Older debate messages keep 500 characters and are marked archived; references stay. */
  messagesDays: number;
  usageDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  signalsDays: 90,
  logsDays: 30,
  messagesDays: 180,
  usageDays: 365,
};

/** Rows touched per statement: short transactions, so a big table is never locked for long. */
export const RETENTION_BATCH = 1000;
export const ARCHIVED_CHARS = 500;

export interface RetentionReport {
  signalsDeleted: number;
  logsDeleted: number;
  usageDeleted: number;
  messagesArchived: number;
  batches: number;
}

const DAY = 24 * 3600_000;

/** Applies the policy in batches of `batch` rows; safe to run again (and from two processes). */
export async function runRetention(
  deps: { db: Kysely<Database>; clock: Clock },
  policy: RetentionPolicy = DEFAULT_RETENTION,
  batch = RETENTION_BATCH,
): Promise<RetentionReport> {
  const { db } = deps;
  const now = deps.clock.now().getTime();
  const report: RetentionReport = {
    signalsDeleted: 0,
    logsDeleted: 0,
    usageDeleted: 0,
    messagesArchived: 0,
    batches: 0,
  };
  const loop = async (step: () => Promise<number>) => {
    let total = 0;
    for (;;) {
      const n = await step();
      report.batches++;
      total += n;
      if (n < batch) return total;
    }
  };
  const signalsCutoff = new Date(now - policy.signalsDays * DAY);
  report.signalsDeleted = await loop(async () => {
    const r = await db
      .deleteFrom('signals')
      .where('id', 'in', (eb) =>
        eb.selectFrom('signals').select('id').where('collected_at', '<', signalsCutoff).limit(batch),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
  const logsCutoff = new Date(now - policy.logsDays * DAY);
  report.logsDeleted = await loop(async () => {
    const r = await db
      .deleteFrom('system_logs')
      .where('id', 'in', (eb) =>
        eb.selectFrom('system_logs').select('id').where('created_at', '<', logsCutoff).limit(batch),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
  const usageCutoff = new Date(now - policy.usageDays * DAY).toISOString().slice(0, 10);
  report.usageDeleted = await loop(async () => {
    const r = await db
      .deleteFrom('api_usage')
      .where('id', 'in', (eb) =>
        eb.selectFrom('api_usage').select('id').where('date', '<', usageCutoff).limit(batch),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  });
  const messagesCutoff = new Date(now - policy.messagesDays * DAY);
  report.messagesArchived = await loop(async () => {
    const r = await db
      .updateTable('debate_messages')
      .set({
        content: sql`case when char_length(content) > ${ARCHIVED_CHARS} then left(content, ${ARCHIVED_CHARS}) || '... [archived]' else content end`,
        metadata: sql`coalesce(metadata, '{}'::jsonb) || jsonb_build_object('archived', true, 'archivedAt', ${new Date(now).toISOString()}::text, 'originalLength', char_length(content))`,
      })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('debate_messages')
          .select('id')
          .where('created_at', '<', messagesCutoff)
          .where(sql<boolean>`coalesce((metadata->>'archived')::boolean, false) = false`)
          .limit(batch),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  });
  return report;
}
