import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

/** Chat posts waiting for delivery and given up on, for `/metrics` and the dashboard. */
export async function countOutbox(db: Kysely<Database>): Promise<{ pending: number; failed: number }> {
  const rows = await db
    .selectFrom('chat_outbox')
    .select(['status', sql<number>`count(*)::int8`.as('n')])
    .where('status', 'in', ['pending', 'failed'])
    .groupBy('status')
    .execute();
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  return { pending: by.pending ?? 0, failed: by.failed ?? 0 };
}
